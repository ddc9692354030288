import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT, startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { loggedInSession, openApp as openAppPage, settled, type AppSession } from './appPage.ts';
import { launchChromium } from './browser.ts';
import { c360 } from './c360Cli.ts';
import { createDemoWorkspace, type DemoWorkspace } from './demoWorkspace.ts';
import { missingTranslations, saveScreenshot, seriousAxeViolations } from './pageChecks.ts';
import { ensureRendererBuilt } from './rendererBuild.ts';
import { INTL_LOCALE, ui, type Language } from './uiStrings.ts';
import { startWebServer, type RunningWebServer } from './webServer.ts';

/**
 * The segment list, the templates gallery and Settings as a user meets them: a small demo shop with the built-in
 * templates, built twice (so every segment has two points of size history), served by `c360 web` with the
 * Klaviyo fake as its Klaviyo, in Debian's Chromium. Sizes on screen are checked against the seg_ tables read
 * with DuckDB directly, not through core/segments.
 */

const BUILDS = 2;

let workspace: DemoWorkspace | undefined;
let shop: string;
/** Members of each saved segment's seg_ table after the last build. */
let sizes: Map<string, number>;
let fake: KlaviyoFake | undefined;
let server: RunningWebServer | undefined;
let browser: Browser | undefined;
let session: AppSession | undefined;

async function segTableSizes(database: string): Promise<Map<string, number>> {
  const instance = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const tables = (
      await connection.runAndReadAll(
        `select table_name from duckdb_tables() where schema_name = 'main' and table_name like 'seg\\_%' escape '\\'`,
      )
    ).getRowObjectsJson();
    const result = new Map<string, number>();
    for (const { table_name: table } of tables) {
      const [row] = (
        await connection.runAndReadAll(`select count(*) as n from main."${String(table)}"`)
      ).getRowObjectsJson();
      result.set(String(table).slice('seg_'.length), Number(row?.n));
    }
    return result;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

beforeAll(async () => {
  await ensureRendererBuilt();
  // The demo shop with the built-in templates, built once (the first point of every size history) …
  workspace = await createDemoWorkspace();
  shop = workspace.dir;
  // … and built again with another threshold, as a marketer tries one: the second point.
  await c360(['build', '-w', shop, '--select', 'dim_customers', '--var', 'lifecycle_active_days=45']);
  sizes = await segTableSizes(join(shop, 'workspace.duckdb'));
  fake = await startKlaviyoFake({ rateLimits: 'off' });
  server = await startWebServer(shop, {
    env: { KLAVIYO_BASE_URL: fake.url, KLAVIYO_API_KEY: fake.apiKey },
  });
  browser = await launchChromium();
  session = await loggedInSession(browser, server);
}, 300_000);

afterEach(async () => {
  await Promise.all((session?.contexts.splice(0) ?? []).map((context) => context.close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.close();
  await workspace?.remove();
});

function openApp(language: Language, hash: string): Promise<{ page: Page; errors: string[] }> {
  return openAppPage(session!, language, hash);
}

async function checkPage(page: Page, language: Language, name: string): Promise<void> {
  await settled(page);
  await saveScreenshot(page, `e2e-studio-${name}-${language}`);
  expect(await missingTranslations(page), `missing translations on ${name}`).toEqual([]);
  expect(await seriousAxeViolations(page), `axe-core on ${name}`).toEqual([]);
}

describe.each(['en', 'de'] as const)('the studio pages in "%s"', (language) => {
  it('the list shows each segment with the size SQL counts and one history point per build', async () => {
    const { page, errors } = await openApp(language, '#/segments');
    await page.locator('[data-segment-count]').first().waitFor();
    const format = new Intl.NumberFormat(INTL_LOCALE[language]);
    expect(sizes.size).toBeGreaterThan(5);
    for (const [name, size] of sizes) {
      expect(await page.locator(`[data-segment-count="${name}"]`).textContent(), name).toBe(
        format.format(size),
      );
      const history = page.locator(`[data-size-history="${name}"]`);
      expect(await history.getAttribute('data-points'), name).toBe(String(BUILDS));
      // the sparkline's label ends with the size of the last build: what the seg_ table holds
      expect(await history.getAttribute('aria-label'), name).toContain(format.format(size));
    }
    const pregnancy = page.locator('[data-segment-consent="pregnancy_journey"]');
    expect(await pregnancy.textContent()).toContain('pregnancy_opt_in');
    expect(await page.locator('[data-segment-priority="winback_candidates"]').textContent()).toContain(
      'retention',
    );
    await checkPage(page, language, 'segment-list');
    expect(errors).toEqual([]);
  });

  it('the gallery says what each template feeds and opens the editor with "Use template"', async () => {
    const { page, errors } = await openApp(language, '#/segments');
    await page.getByRole('link', { name: ui(language, 'segmentList.templates') }).click();
    await page.waitForURL('**/#/segments/+templates');
    const winback = page.locator('[data-template="winback_candidates"]');
    await winback.waitFor();
    expect(await winback.getByRole('heading').textContent()).toBe(ui(language, 'templates.flows.winback'));
    expect(await page.locator('[data-template-split="winback_candidates"]').textContent()).toContain(
      'Winback Stage',
    );
    expect(await page.locator('[data-template]').count()).toBe(12);
    await checkPage(page, language, 'templates');
    await winback.getByRole('link', { name: ui(language, 'templates.use') }).click();
    await page.waitForURL('**/#/segments/+new?template=winback_candidates');
    await page.getByRole('heading', { level: 1, name: ui(language, 'segments.editor.newTitle') }).waitFor();
    expect(errors).toEqual([]);
  });

  it('Settings tests the Klaviyo connection with the server key and names the account', async () => {
    const { page, errors } = await openApp(language, '#/overview');
    await page.getByRole('link', { name: ui(language, 'settings.nav') }).click();
    await page.getByRole('heading', { level: 1, name: ui(language, 'settings.title') }).waitFor();
    await page.getByRole('button', { name: ui(language, 'settings.klaviyo.test') }).click();
    const result = page.locator('[data-connection="ok"]');
    await result.waitFor();
    expect(await result.textContent()).toContain(DEFAULT_ACCOUNT.organization_name);
    // the key stays on the server
    expect(await page.content()).not.toContain(fake!.apiKey);
    await checkPage(page, language, 'settings');
    expect(errors).toEqual([]);
  });

  it('Settings saves a threshold into c360.config.yaml, and shows a teammate’s change instead of overwriting it', async () => {
    const file = join(shop, 'c360.config.yaml');
    const threshold = language === 'en' ? '12' : '13';
    const { page, errors } = await openApp(language, '#/settings');
    const form = page.locator('[data-guardrails-form]');
    const field = page.locator('#guardrail-max_list_removal_percent');
    await field.waitFor();
    // Someone edits the file after the page read it: the save must not overwrite their change.
    const teammate = `# reviewed by a teammate (${language})`;
    await appendFile(file, `${teammate}\n`);
    await field.fill(threshold);
    await form.getByRole('button', { name: ui(language, 'settings.save.button'), exact: true }).click();
    const conflict = page.locator('[data-config-conflict]');
    await conflict.waitFor();
    // theirs (with the teammate's line) on the left, mine (theirs plus the new threshold) on the right
    expect(await conflict.locator('.conflict__side').first().textContent()).toContain(teammate);
    expect(await conflict.locator('.conflict__line--only').allTextContents()).toContain(
      `    max_list_removal_percent: ${threshold}\n`,
    );
    await checkPage(page, language, 'settings-conflict');
    await conflict.getByRole('button', { name: ui(language, 'settings.conflict.keepMine') }).click();
    await form.locator('[data-settings-saved]').waitFor();
    await saveScreenshot(page, `e2e-studio-settings-saved-${language}`);
    const text = await readFile(file, 'utf8');
    expect(text).toContain(teammate);
    expect(text).toContain(`max_list_removal_percent: ${threshold}`);
    // the commented default config is still there above the new section
    expect(text).toContain('# Sync to Klaviyo (c360 sync).');
    expect(await field.inputValue()).toBe(threshold);

    // The desktop app's key entry, as the page shows it with a preload bridge (a stand-in defined in the page
    // after it connected over HTTP: the transport stays web mode, the Settings page finds `window.c360`).
    await page.evaluate(() => {
      let savedAt: string | null = null;
      const status = () => ({ isSet: savedAt !== null, savedAt, encryptionAvailable: true });
      const shop = { dir: '/home/anna/shops/shop', name: 'shop' };
      const cancelled = async () => ({ status: 'cancelled' });
      (window as unknown as { c360: unknown }).c360 = {
        kind: 'electron',
        workspace: {
          recent: async () => [shop, { dir: '/home/anna/shops/brand-b', name: 'brand-b' }],
          open: cancelled,
          create: cancelled,
          switchTo: cancelled,
        },
        klaviyoKey: {
          status: async () => status(),
          save: async () => ((savedAt = new Date().toISOString()), status()),
          clear: async () => ((savedAt = null), status()),
        },
      };
      window.location.hash = '#/runs';
    });
    await page.getByRole('heading', { level: 1, name: ui(language, 'runs.title') }).waitFor();
    await page.evaluate(() => (window.location.hash = '#/settings'));
    const key = page.locator('[data-desktop-key]');
    await key.waitFor();
    await saveScreenshot(page, `e2e-studio-settings-desktop-${language}`);
    const secret = 'pk_e2eDesktopKey0123456789';
    await key.getByLabel(ui(language, 'settings.klaviyo.desktop.enter')).fill(secret);
    await key.getByRole('button', { name: ui(language, 'settings.klaviyo.desktop.save') }).click();
    await key.locator('[data-key-stored="yes"]').waitFor();
    expect(await page.content()).not.toContain(secret);
    await saveScreenshot(page, `e2e-studio-settings-desktop-key-saved-${language}`);
    // the one failed request is the refused save: HTTP 409
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 409 (Conflict)']);
  });
});
