// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  C360Client,
  KlaviyoConnection,
  SegmentListWithHistory,
  SegmentTemplates,
  Settings,
} from '../../renderer/src/api/types.ts';
import { findUntranslated } from '../e2e/untranslated.ts';
import { apiError, fakeClient } from './fixtures.ts';
import { plain, renderApp } from './renderApp.ts';

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

type Row = SegmentListWithHistory['segments'][number];

const point = (asOf: string, members: number) => ({
  buildRunId: `run-${asOf}`,
  asOf,
  recordedAt: `${asOf}T06:00:00Z`,
  members,
  holdout: 0,
  matched: members + 10,
  definitionHash: 'h1',
});

function row(overrides: Partial<Row> & { name: string }): Row {
  return {
    description: '',
    count: 0,
    eligible: 0,
    lastSnapshot: null,
    delta: null,
    klaviyoList: { name: overrides.name, synced: true },
    priorityGroup: null,
    priority: null,
    holdoutPercent: 0,
    sensitive: false,
    consentColumns: [],
    history: [],
    ...overrides,
  };
}

const LIST: SegmentListWithHistory = {
  segments: [
    row({
      name: 'winback_candidates',
      description: 'Buyers past the active window',
      count: 1240,
      eligible: 1378,
      lastSnapshot: {
        snapshotId: 's1',
        segment: 'winback_candidates',
        takenAt: '2026-11-29T08:00:00Z',
        memberCount: 1200,
        holdoutCount: 130,
        definitionHash: 'h1',
        buildRunId: 'b1',
        asOf: '2026-11-29',
        enteredCount: 1200,
        leftCount: 0,
        note: null,
      },
      delta: 40,
      klaviyoList: { name: 'c360: Winback candidates', synced: true },
      priorityGroup: 'retention',
      priority: 2,
      holdoutPercent: 10,
      history: [point('2026-11-28', 1180), point('2026-11-29', 1200), point('2026-11-30', 1240)],
    }),
    row({
      name: 'pregnancy_journey',
      count: 35,
      eligible: 35,
      sensitive: true,
      consentColumns: ['pregnancy_opt_in'],
      klaviyoList: { name: 'Pregnancy journey', synced: false },
      history: [point('2026-11-30', 35)],
    }),
  ],
  problems: [
    {
      file: 'typo.yaml',
      segment: 'typo',
      line: 4,
      column: 13,
      path: 'rules.0.column',
      message: "'days_since_last_ordr' is not a column; did you mean days_since_last_order?",
    },
  ],
};

const TEMPLATES: SegmentTemplates = {
  templates: [
    {
      name: 'winback_candidates',
      description: 'Buyers past the active window.',
      klaviyoList: 'Winback candidates',
      flow: {
        key: 'winback',
        name: 'Winback flow',
        splitColumn: 'winback_stage',
        splitProperty: 'Winback Stage',
        splitValues: ['early', 'mid', 'late', 'final'],
        season: null,
      },
      sensitive: false,
      consentColumns: [],
      priorityGroup: 'retention',
      holdoutPercent: 0,
      properties: ['winback_stage'],
      rules: ['is_winback_candidate = true'],
      definition: {
        name: 'winback_candidates',
        rules: [{ column: 'is_winback_candidate', op: '=', value: true }],
      },
      yaml: 'name: winback_candidates\n',
    },
    {
      name: 'cold_season_buyers',
      description: 'Buyers of cold-season products.',
      klaviyoList: 'Cold season',
      flow: {
        key: 'cold_season',
        name: 'Seasonal flow: cold season',
        splitColumn: null,
        splitProperty: null,
        splitValues: [],
        season: { from: 9, to: 2 },
      },
      sensitive: false,
      consentColumns: [],
      priorityGroup: null,
      holdoutPercent: 0,
      properties: [],
      rules: ['has_bought_cold_products = true'],
      definition: { name: 'cold_season_buyers' },
      yaml: 'name: cold_season_buyers\n',
    },
    {
      name: 'pregnancy_journey',
      description: 'Opted-in buyers of pregnancy products.',
      klaviyoList: 'Pregnancy journey',
      flow: {
        key: 'pregnancy_journey',
        name: 'Pregnancy journey',
        splitColumn: 'trimester',
        splitProperty: null,
        splitValues: [],
        season: null,
      },
      sensitive: true,
      consentColumns: ['pregnancy_opt_in'],
      priorityGroup: null,
      holdoutPercent: 0,
      properties: [],
      rules: ['has_bought_pregnancy_products = true'],
      definition: { name: 'pregnancy_journey' },
      yaml: 'name: pregnancy_journey\n',
    },
  ],
};

const SETTINGS: Settings = {
  configFile: 'c360.config.yaml',
  klaviyo: { apiKeyEnv: 'KLAVIYO_API_KEY', keyPresent: false, keySource: 'none', host: 'a.klaviyo.com' },
  guardrails: { max_list_removal_percent: 15, block_empty_source: true, max_stale_hours: 48 },
  profiles: {
    model: 'dim_customers',
    audience: 'marketable',
    properties: [{ property: 'Winback Stage', column: 'winback_stage' }],
    attributes: [{ property: 'first_name', column: 'first_name' }],
  },
  lists: { enabled: true, prefix: 'c360: ', segments: 'all', mirror: true },
  configHash: 'hash-1',
  profileColumns: ['lifetime_revenue', 'winback_stage'],
};

function studioClient(
  overrides: {
    list?: () => Promise<SegmentListWithHistory>;
    testConnection?: () => Promise<KlaviyoConnection>;
  } = {},
): C360Client & { calls: { method: string }[] } {
  const base = fakeClient();
  const fail = () => Promise.reject(new Error('not part of this test'));
  return {
    ...base,
    segments: {
      list: overrides.list ?? (async () => LIST),
      preview: fail,
      get: fail,
      templates: async () => TEMPLATES,
    },
    settings: { get: async () => SETTINGS },
    klaviyo: {
      testConnection: async () => {
        base.calls.push({ method: 'klaviyo.testConnection', input: undefined, signal: undefined });
        return (
          overrides.testConnection ?? (async () => ({ ok: true, accountName: 'Demo Shop', host: 'x' }))
        )();
      },
    },
  };
}

describe('segment list', () => {
  it('shows size now, last published size with the change, history, list, priority, holdout and consent', async () => {
    renderApp(studioClient(), { hash: '#/segments' });
    const count = await screen.findByText('1,240');
    expect(count.getAttribute('data-segment-count')).toBe('winback_candidates');
    const table = screen.getByRole('table');
    const winback = within(table).getByRole('link', { name: 'winback_candidates' }).closest('tr')!;
    expect(plain(winback.textContent)).toContain('1,200 (+40)');
    expect(plain(winback.textContent)).toContain('c360: Winback candidates');
    expect(plain(winback.textContent)).toContain('retention #2');
    expect(plain(winback.textContent)).toContain('10.0%');
    const sparkline = within(winback).getByRole('img');
    expect(sparkline.getAttribute('aria-label')).toBe(
      'Size at the last 3 builds: from 1,180 (28 Nov 2026) to 1,240 (30 Nov 2026)',
    );
    const pregnancy = within(table).getByRole('link', { name: 'pregnancy_journey' }).closest('tr')!;
    expect(plain(pregnancy.textContent)).toContain('Sensitive: pregnancy_opt_in');
    expect(plain(pregnancy.textContent)).toContain('not synced');
    expect(plain(pregnancy.textContent)).toContain('one build (30 Nov 2026)');
    expect(plain(pregnancy.textContent)).toContain('not yet');
  });

  it('lists broken files with file, line, path and what is wrong above the usable segments', async () => {
    renderApp(studioClient(), { hash: '#/segments' });
    const problem = await screen.findByText(/days_since_last_ordr/);
    const item = problem.closest('li')!;
    expect(plain(item.textContent)).toContain('typo.yaml:4:13 rules.0.column');
    expect(screen.getByRole('link', { name: 'winback_candidates' })).toBeTruthy();
  });

  it('points an empty workspace to the templates', async () => {
    renderApp(studioClient({ list: async () => ({ segments: [], problems: [] }) }), {
      hash: '#/segments',
      language: 'de',
    });
    const link = await screen.findByRole('link', { name: 'Vorlagen ansehen' });
    expect(link.getAttribute('href')).toBe('#/segments/+templates');
    expect(screen.getByText('Noch keine gespeicherten Segmente')).toBeTruthy();
  });

  it('says what failed when the list cannot be loaded', async () => {
    renderApp(studioClient({ list: () => Promise.reject(apiError('QUERY_TIMEOUT', 'took too long')) }), {
      hash: '#/segments',
    });
    expect(await screen.findByText('The segments could not be loaded')).toBeTruthy();
    expect(screen.getByText('QUERY_TIMEOUT')).toBeTruthy();
    expect(
      screen.getByRole('link', { name: 'Browse the segment templates meanwhile' }).getAttribute('href'),
    ).toBe('#/segments/+templates');
  });
});

describe('templates gallery', () => {
  it('says per template which flow it feeds, what the flow splits on, its season and consent', async () => {
    renderApp(studioClient(), { hash: '#/segments/+templates' });
    const winback = (await screen.findByRole('heading', { name: 'Winback flow' })).closest('li')!;
    expect(plain(winback.textContent)).toContain('Feeds Klaviyo listWinback candidates');
    expect(plain(winback.textContent)).toContain('Winback Stage (winback_stage)');
    expect(plain(winback.textContent)).toContain('early · mid · late · final');
    const use = within(winback).getByRole('link', { name: 'Use template' });
    expect(use.getAttribute('href')).toBe('#/segments/+new?template=winback_candidates');
    // already saved in this workspace (the list names it)
    expect(within(winback).getByRole('link', { name: 'Already saved: open it' })).toBeTruthy();

    const cold = screen.getByRole('heading', { name: 'Seasonal flow: cold season' }).closest('li')!;
    expect(plain(cold.textContent)).toContain('September to February');
    expect(plain(cold.textContent)).toContain('no split');
    const pregnancy = screen.getByRole('heading', { name: 'Pregnancy journey' }).closest('li')!;
    expect(plain(pregnancy.textContent)).toContain('only customers with pregnancy_opt_in = true');
    expect(plain(pregnancy.textContent)).toContain('trimester is not synced as a profile property');
  });

  it('speaks German, months included', async () => {
    renderApp(studioClient(), { hash: '#/segments/+templates', language: 'de' });
    const cold = (await screen.findByRole('heading', { name: 'Saison-Flow: Erkältungszeit' })).closest('li')!;
    expect(plain(cold.textContent)).toContain('September bis Februar');
    expect(within(cold).getByRole('link', { name: 'Vorlage verwenden' })).toBeTruthy();
  });
});

describe('settings', () => {
  it('shows the config with the guardrails and mapping to edit, and how to set a missing key', async () => {
    renderApp(studioClient(), { hash: '#/settings' });
    await screen.findByRole('heading', { level: 1, name: 'Settings' });
    expect(await screen.findByText('not set')).toBeTruthy();
    expect(screen.getByText(/“KLAVIYO_API_KEY=pk_… c360 web”/)).toBeTruthy();
    const removal = screen.getByLabelText<HTMLInputElement>(/^Largest share of a list one sync may remove/);
    expect(removal.value).toBe('15');
    // a guardrail this page has no label for is shown by its config name, not hidden
    expect(screen.getByLabelText<HTMLInputElement>('max_stale_hours').value).toBe('48');
    // the lists stay read-only, with where to edit them
    expect(screen.getAllByText(/section sync\.lists/).length).toBe(1);
    expect(
      screen.getByRole<HTMLSelectElement>('combobox', { name: 'Column for property Winback Stage' }).value,
    ).toBe('winback_stage');
    const workspace = document.querySelector<HTMLElement>('[data-settings-workspace]')!;
    expect(plain(workspace.textContent)).toContain('FolderDemo-Shop');
    expect(plain(workspace.textContent)).toContain('Data as of30 Nov 2026');
  });

  it('tests the Klaviyo connection on request only and names the account', async () => {
    const client = studioClient();
    renderApp(client, { hash: '#/settings' });
    const button = await screen.findByRole('button', { name: 'Test connection' });
    expect(client.calls.filter((c) => c.method === 'klaviyo.testConnection')).toHaveLength(0);
    fireEvent.click(button);
    expect(await screen.findByText('Demo Shop')).toBeTruthy();
    expect(screen.getByText('Connected')).toBeTruthy();
    expect(client.calls.filter((c) => c.method === 'klaviyo.testConnection')).toHaveLength(1);
  });

  it('shows a refused key with what to do', async () => {
    const client = studioClient({
      testConnection: async () => ({
        ok: false,
        reason: 'rejected',
        message: 'Klaviyo refused the key. Check that it is a private key (pk_…).',
        host: 'a.klaviyo.com',
      }),
    });
    renderApp(client, { hash: '#/settings', language: 'de' });
    fireEvent.click(await screen.findByRole('button', { name: 'Verbindung testen' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Klaviyo hat den Schlüssel abgelehnt');
    expect(alert.textContent).toContain('private key (pk_…)');
  });

  it('switches the language from the page', async () => {
    const { i18n } = renderApp(studioClient(), { hash: '#/settings' });
    const select = await screen.findByRole('combobox', { name: 'Language of the app' });
    fireEvent.change(select, { target: { value: 'de' } });
    await waitFor(() => expect(i18n.language).toBe('de'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Einstellungen' })).toBeTruthy();
  });
});

describe('settings in the desktop app', () => {
  afterEach(() => {
    delete (window as { c360?: unknown }).c360;
  });

  it('lists the recent workspaces and switches through the main process', async () => {
    const switched: string[] = [];
    const state = (dir: string) => ({
      status: 'open' as const,
      workspace: { dir, name: dir.split('/').pop()! },
    });
    (window as { c360?: unknown }).c360 = {
      kind: 'electron',
      connectApi: async () => ({ status: 'none' }),
      workspace: {
        current: async () => state('/shops/Demo-Shop'),
        recent: async () => [
          { dir: '/shops/Demo-Shop', name: 'Demo-Shop' },
          { dir: '/shops/brand-b', name: 'brand-b' },
        ],
        open: async () => ({ status: 'cancelled' }),
        create: async () => ({ status: 'cancelled' }),
        switchTo: async (dir: string) => (switched.push(dir), state(dir)),
      },
    };
    renderApp(studioClient(), { hash: '#/settings' });
    const list = await screen.findByText('Recent workspaces');
    const recent = list.nextElementSibling as HTMLElement;
    expect(within(recent).getByText('open now').closest('li')!.textContent).toContain('Demo-Shop');
    fireEvent.click(within(recent).getByRole('button', { name: 'Switch' }));
    await waitFor(() => expect(switched).toEqual(['/shops/brand-b']));
    expect(screen.getByRole('button', { name: 'Open workspace…' })).toBeTruthy();
  });

  it('shows no workspace buttons in web mode', async () => {
    renderApp(studioClient(), { hash: '#/settings' });
    await screen.findByText(/A browser never chooses folders on the server.*c360 web --workspace DIR/);
    expect(screen.queryByRole('button', { name: 'Open workspace…' })).toBeNull();
  });
});

describe('pseudo-locale', () => {
  it.each([
    ['#/segments', '⟦Saved segments⟧'],
    ['#/segments/+templates', '⟦Winback flow⟧'],
    ['#/settings', '⟦Guardrails⟧'],
  ])('leaves no untranslated string on %s', async (hash, heading) => {
    const client = studioClient();
    renderApp(client, { language: 'xx', hash });
    await screen.findByRole('heading', { level: 2, name: heading });
    if (hash === '#/settings') {
      fireEvent.click(screen.getByRole('button', { name: '⟦Test connection⟧' }));
      await screen.findByText('Demo Shop');
    }
    await waitFor(() => expect(document.querySelector('[aria-busy="true"]')).toBeNull());
    expect(findUntranslated(document.body)).toEqual([]);
  });
});
