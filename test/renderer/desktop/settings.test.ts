// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SettingsSaveInput } from '../../../core/api/schemas/settings.ts';
import type { C360Client, Settings } from '../../../renderer/src/api/types.ts';
import { fakeDesktop, type FakeDesktop } from './desktopBridge.ts';
import { apiError, fakeClient } from '../fixtures.ts';
import { plain, renderApp } from '../renderApp.ts';

/**
 * The Settings page's edits: guardrail thresholds and the profile mapping (settings.save, with the conflict
 * view when the file changed on disk), and the desktop app's Klaviyo key entry through the preload bridge
 * (a fake one over the real preload API, IPC validation and key store: test/renderer/desktopBridge.ts).
 */

const KEY = 'pk_3f9a0c1d2e4b5a6978c0d1e2f3a4b5c6d7';

const SETTINGS: Settings = {
  configFile: 'c360.config.yaml',
  klaviyo: { apiKeyEnv: 'KLAVIYO_API_KEY', keyPresent: false, keySource: 'none', host: 'a.klaviyo.com' },
  guardrails: { max_list_removal_percent: 20, block_empty_source: true, max_data_age_hours: 36 },
  profiles: {
    model: 'dim_customers',
    audience: 'marketable',
    properties: [
      { property: 'LTV', column: 'lifetime_revenue' },
      { property: 'Winback Stage', column: 'winback_stage' },
    ],
    attributes: [{ property: 'first_name', column: 'first_name' }],
  },
  lists: { enabled: true, prefix: '', segments: 'all', mirror: true },
  configHash: 'hash-1',
  profileColumns: ['lifecycle_stage', 'lifetime_revenue', 'total_orders', 'winback_stage'],
};

let desktop: FakeDesktop | undefined;

afterEach(async () => {
  cleanup();
  window.localStorage.clear();
  delete (window as { c360?: unknown }).c360;
  await desktop?.remove();
  desktop = undefined;
});

/** A client whose settings.save works like the service's: a stale hash is a CONFIG_CONFLICT. */
function settingsClient(
  options: {
    settings?: Settings;
    /** The file on disk changed: the first save with hash-1 is a conflict. */
    conflict?: boolean;
    keySource?: () => Settings['klaviyo']['keySource'];
  } = {},
): C360Client & { saves: SettingsSaveInput[]; gets: number } {
  let current = options.settings ?? SETTINGS;
  let diskHash = options.conflict ? 'hash-theirs' : current.configHash;
  const saves: SettingsSaveInput[] = [];
  const client = {
    ...fakeClient(),
    saves,
    gets: 0,
    settings: {
      get: async () => {
        client.gets += 1;
        const source = options.keySource?.() ?? current.klaviyo.keySource;
        return {
          ...current,
          klaviyo: { ...current.klaviyo, keySource: source, keyPresent: source !== 'none' },
        };
      },
      save: async (input: SettingsSaveInput) => {
        saves.push(input);
        if (input.configHash !== diskHash)
          throw Object.assign(new Error('c360.config.yaml changed on disk since the settings were read'), {
            code: 'CONFIG_CONFLICT',
            data: {
              code: 'CONFIG_CONFLICT',
              details: {
                file: 'c360.config.yaml',
                theirs:
                  'sync:\n  guardrails:\n    max_list_removal_percent: 20\n    block_empty_source: false\n',
                mine: 'sync:\n  guardrails:\n    max_list_removal_percent: 5\n    block_empty_source: false\n',
                contentHash: 'hash-theirs',
              },
            },
          });
        if (Number(input.guardrails?.max_list_removal_percent ?? 0) > 100)
          throw apiError(
            'INVALID_INPUT',
            'The settings were not saved; c360.config.yaml would be invalid:\n  sync.guardrails.max_list_removal_percent: Too big: expected number to be <=100',
          );
        diskHash = `hash-${saves.length + 1}`;
        current = {
          ...current,
          configHash: diskHash,
          guardrails: { ...current.guardrails, ...input.guardrails },
          profiles: {
            ...current.profiles,
            properties: input.profileProperties ?? current.profiles.properties,
          },
        };
        return current;
      },
    },
    klaviyo: { testConnection: async () => ({ ok: true as const, accountName: 'Demo Shop', host: 'x' }) },
  };
  return client;
}

/** The element once the page shows it (the page and its settings load lazily: the first render takes a while). */
function element<T extends HTMLElement = HTMLElement>(selector: string): Promise<T> {
  return waitFor(
    () => {
      const found = document.querySelector<T>(selector);
      if (!found) throw new Error(`${selector} is not on the page`);
      return found;
    },
    { timeout: 10_000 },
  );
}

const removalField = () =>
  screen.getByLabelText<HTMLInputElement>(/^Largest share of a list one sync may remove/);

describe('guardrail thresholds', () => {
  it('saves only the changed threshold with the hash it read, then shows the saved value', async () => {
    const client = settingsClient();
    renderApp(client, { hash: '#/settings' });
    const form = await element<HTMLFormElement>('[data-guardrails-form]');
    const save = within(form).getByRole('button', { name: 'Save' });
    expect(save.hasAttribute('disabled')).toBe(true);
    fireEvent.change(removalField(), { target: { value: '5' } });
    fireEvent.click(within(form).getByLabelText(/^Block a sync from an empty source/));
    fireEvent.click(save);
    expect(await within(form).findByText(/Saved to c360\.config\.yaml/)).toBeTruthy();
    expect(client.saves).toEqual([
      { configHash: 'hash-1', guardrails: { max_list_removal_percent: 5, block_empty_source: false } },
    ]);
    expect(removalField().value).toBe('5');
    expect(save.hasAttribute('disabled')).toBe(true);
  });

  it('refuses an empty number at once, and shows the service refusing an invalid one', async () => {
    const client = settingsClient();
    renderApp(client, { hash: '#/settings' });
    const form = await element<HTMLFormElement>('[data-guardrails-form]');
    fireEvent.change(removalField(), { target: { value: '' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByText('Enter a number.')).toBeTruthy();
    expect(client.saves).toEqual([]);
    fireEvent.change(removalField(), { target: { value: '150' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    const alert = await within(form).findByRole('alert');
    expect(alert.textContent).toContain('The settings were not saved');
    expect(alert.textContent).toContain('sync.guardrails.max_list_removal_percent');
  });

  it('shows their version against mine when the file changed on disk, and saves mine into theirs on request', async () => {
    const client = settingsClient({ conflict: true });
    renderApp(client, { hash: '#/settings' });
    const form = await element<HTMLFormElement>('[data-guardrails-form]');
    fireEvent.change(removalField(), { target: { value: '5' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    const conflict = await screen.findByText('c360.config.yaml changed on disk since this page read it');
    const view = conflict.closest<HTMLElement>('[data-config-conflict]')!;
    expect(within(view).getByText('On disk now')).toBeTruthy();
    const only = [...view.querySelectorAll('.conflict__line--only')].map((line) => line.textContent?.trim());
    expect(only).toEqual(['max_list_removal_percent: 20', 'max_list_removal_percent: 5']);
    fireEvent.click(within(view).getByRole('button', { name: 'Save my change into their version' }));
    expect(await within(form).findByText(/Saved to c360\.config\.yaml/)).toBeTruthy();
    expect(client.saves.map((s) => s.configHash)).toEqual(['hash-1', 'hash-theirs']);
    expect(client.saves[1]!.guardrails).toEqual({ max_list_removal_percent: 5 });
  });

  it('drops my change and reads the settings again on request', async () => {
    const client = settingsClient({ conflict: true });
    renderApp(client, { hash: '#/settings', language: 'de' });
    await element('[data-guardrails-form]');
    fireEvent.change(document.querySelector('#guardrail-max_list_removal_percent')!, {
      target: { value: '5' },
    });
    fireEvent.click(screen.getAllByRole('button', { name: 'Speichern' })[0]!);
    const gets = client.gets;
    fireEvent.click(await screen.findByRole('button', { name: 'Meine Änderung verwerfen und neu laden' }));
    await waitFor(() => expect(client.gets).toBeGreaterThan(gets));
    const field = screen.getByLabelText<HTMLInputElement>(
      /^Größter Anteil einer Liste, den ein Sync entfernen darf/,
    );
    expect(field.value).toBe('20');
    expect(document.querySelector('[data-config-conflict]')).toBeNull();
  });
});

describe('profile property mapping', () => {
  it('renames, remaps, removes and adds properties, with columns only from the model', async () => {
    const client = settingsClient();
    renderApp(client, { hash: '#/settings' });
    const form = await element<HTMLFormElement>('[data-mapping-form]');
    const column = within(form).getByRole<HTMLSelectElement>('combobox', { name: 'Column for property LTV' });
    expect([...column.options].map((o) => o.value)).toEqual(SETTINGS.profileColumns);
    fireEvent.change(column, { target: { value: 'total_orders' } });
    fireEvent.change(
      within(form).getByRole('textbox', { name: 'Klaviyo property for column total_orders' }),
      {
        target: { value: 'Orders' },
      },
    );
    fireEvent.click(within(form).getByRole('button', { name: 'Remove property Winback Stage' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Add property' }));
    const added = within(form).getAllByRole('textbox').at(-1)!;
    fireEvent.change(added, { target: { value: 'Stage' } });
    fireEvent.change(within(form).getByRole('combobox', { name: 'Column for property Stage' }), {
      target: { value: 'lifecycle_stage' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByText(/Saved to c360\.config\.yaml/)).toBeTruthy();
    expect(client.saves).toEqual([
      {
        configHash: 'hash-1',
        profileProperties: [
          { property: 'Orders', column: 'total_orders' },
          { property: 'Stage', column: 'lifecycle_stage' },
        ],
      },
    ]);
  });

  it('rejects invalid names with a clear message before anything is sent', async () => {
    const client = settingsClient();
    renderApp(client, { hash: '#/settings', language: 'de' });
    const form = await element<HTMLFormElement>('[data-mapping-form]');
    const [ltv, winback] = within(form).getAllByRole('textbox');
    fireEvent.change(ltv!, { target: { value: '$email' } });
    fireEvent.change(winback!, { target: { value: '$email ' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Speichern' }));
    const problems = (await within(form).findAllByRole('alert')).map((p) => p.textContent);
    expect(problems).toEqual([
      'Namen, die mit $ beginnen, sind Klaviyos eigene Eigenschaften; wähle einen anderen Namen.',
      'Entferne die Leerzeichen am Anfang oder Ende.',
    ]);
    fireEvent.change(ltv!, { target: { value: 'Stage' } });
    fireEvent.change(winback!, { target: { value: 'Stage' } });
    expect(within(form).getByRole('alert').textContent).toBe(
      'Dieser Name kommt zweimal vor; behalte eine Zeile.',
    );
    expect(client.saves).toEqual([]);
  });

  it('says to build first when the profile model has no columns yet', async () => {
    renderApp(settingsClient({ settings: { ...SETTINGS, profileColumns: [] } }), { hash: '#/settings' });
    expect(await screen.findByText(/dim_customers is not built yet/, {}, { timeout: 10_000 })).toBeTruthy();
    expect(document.querySelector('[data-mapping-form]')).toBeNull();
    expect(screen.getByText('Winback Stage')).toBeTruthy();
  });
});

describe('Klaviyo key', () => {
  it('web mode: the key is the server environment’s, never entered in the browser', async () => {
    renderApp(settingsClient(), { hash: '#/settings' });
    const hint = await element<HTMLElement>('[data-web-key]');
    expect(plain(hint.textContent)).toContain('never sent to the browser');
    expect(plain(hint.textContent)).toContain('KLAVIYO_API_KEY=pk_… c360 web');
    expect(document.querySelector('input[type="password"]')).toBeNull();
  });

  it('desktop: saves the key into the key store, shows only its status, tests with it and removes it', async () => {
    desktop = await fakeDesktop();
    (window as { c360?: unknown }).c360 = desktop.api;
    const fake = desktop;
    const client = settingsClient({ keySource: () => (fake.hostKey() ? 'app' : 'none') });
    renderApp(client, { hash: '#/settings' });
    const form = await element<HTMLFormElement>('[data-desktop-key]');
    expect(await within(form).findByText('no key stored in the app')).toBeTruthy();
    const input = within(form).getByLabelText<HTMLInputElement>('Private API key');
    expect(input.type).toBe('password');

    fireEvent.change(input, { target: { value: 'sk_not_a_private_key' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save key' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('starts with pk_');
    expect(desktop.calls).not.toContain('c360:klaviyo-key:save');

    fireEvent.change(input, { target: { value: KEY } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save key' }));
    expect(await within(form).findByText('stored in the OS key store')).toBeTruthy();
    expect(input.value).toBe('');
    expect(desktop.hostKey()).toBe(KEY);
    // The service now has the key: settings.get is asked again and says where it comes from.
    expect(await screen.findByText('saved in the app')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('Demo Shop')).toBeTruthy();

    fireEvent.click(within(form).getByRole('button', { name: 'Remove key' }));
    expect(await within(form).findByText('no key stored in the app')).toBeTruthy();
    expect(desktop.hostKey()).toBeUndefined();
    expect(await screen.findByText('not set')).toBeTruthy();
    // Nothing the bridge handed to the page, and nothing on the page, holds the key.
    expect(JSON.stringify(desktop.returned)).not.toContain(KEY.slice(3));
    expect(document.body.innerHTML).not.toContain(KEY.slice(3));
  });

  it('desktop without an OS key store: says so, points to the variable, and cannot save', async () => {
    desktop = await fakeDesktop({ encryptionAvailable: false });
    (window as { c360?: unknown }).c360 = desktop.api;
    renderApp(settingsClient(), { hash: '#/settings', language: 'de' });
    const note = await element<HTMLElement>('[data-no-key-store]');
    expect(plain(note.textContent)).toContain('kein Schlüsselbund des Systems');
    expect(plain(note.textContent)).toContain('KLAVIYO_API_KEY');
    expect(screen.getByLabelText<HTMLInputElement>('Privater API-Schlüssel').disabled).toBe(true);
  });

  it('desktop: says what opening a workspace does and which one is open afterwards', async () => {
    const brandB = { dir: '/shops/brand-b', name: 'brand-b' };
    desktop = await fakeDesktop({
      recent: [{ dir: '/shops/Demo-Shop', name: 'Demo-Shop' }],
      create: async () => ({ status: 'open', workspace: brandB }),
    });
    (window as { c360?: unknown }).c360 = desktop.api;
    renderApp(settingsClient(), { hash: '#/settings' });
    expect(
      await screen.findByText(/create one in a new or empty folder/, {}, { timeout: 10_000 }),
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create workspace…' }));
    expect(await screen.findByText('Now open: brand-b')).toBeTruthy();
    expect(desktop.calls).toContain('c360:workspace:create');
  });
});
