import { readFile, writeFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loggedInSession, openApp as openAppPage, settled, type AppSession } from './appPage.ts';
import { launchChromium } from './browser.ts';
import { c360 } from './c360Cli.ts';
import { createDemoWorkspace, type DemoWorkspace } from './demoWorkspace.ts';
import { missingTranslations, saveScreenshot, seriousAxeViolations, untranslatedText } from './pageChecks.ts';
import { ensureRendererBuilt } from './rendererBuild.ts';
import { INTL_LOCALE, ui, type Language } from './uiStrings.ts';
import { startWebServer, type RunningWebServer } from './webServer.ts';

/**
 * The segment studio as a user meets it: a demo shop with the built-in templates (`c360 segments init`, then
 * `c360 build` materialises their seg_ tables), one hand-written segment the builder cannot open and one broken
 * file, served by `c360 web` and opened in Debian's Chromium. Sizes and counts on screen are checked against SQL
 * over the database file, not through core/segments.
 */

const BROKEN_FILE = 'broken_typo.yaml';
/** A saved segment that is no template: the builder cannot open it (the API sends no definition yet). */
const CUSTOM_SEGMENT = 'repeat_vips';
/** The template the editing tests change: one condition, no priority group, holdout or exclusion. */
const EDITED = 'cross_channel_customers';
/** The segment the save test creates (after the tests that count the saved segments). */
const SAVED_NEW = 'three_orders_saved';
/** The segment made from the cross-channel template with an "in segment vip_customers" condition (last test). */
const FROM_TEMPLATE = 'cross_channel_vips';

interface Truth {
  /** Members of each template's seg_ table, and of the custom segment by its rules. */
  sizes: Map<string, number>;
  /** Marketable customers with at least one sales channel (the edited rule: channels_count ≥ 1). */
  anyChannel: number;
  /** … and at least 3 valid orders (the condition the test adds). */
  anyChannelThreeOrders: number;
  /** Marketable customers with at least 3 valid orders (the new segment's rule, total_orders ≥ 3). */
  threeOrders: number;
  /** Marketable customers (a new segment whose one rule is muted). */
  marketable: number;
  /** The template flow: marketable customers with exactly one channel (who channels_count ≥ 1 adds) … */
  oneChannel: number;
  /** … with a channel and on the VIP list (seg_vip_customers: the list members the build made) … */
  anyChannelVip: number;
  /** … and with two or more channels, not on the VIP list (whom "in segment vip_customers" takes off). */
  crossChannelNotVip: number;
}

async function truthFromDatabase(database: string, templates: string[]): Promise<Truth> {
  const instance = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const count = async (sql: string) =>
    Number((await connection.runAndReadAll(sql)).getRowObjectsJson()[0]?.n ?? Number.NaN);
  try {
    const sizes = new Map<string, number>();
    for (const name of templates) sizes.set(name, await count(`select count(*) as n from main.seg_${name}`));
    sizes.set(
      CUSTOM_SEGMENT,
      await count(
        `select count(*) as n from main.dim_customers
         where is_marketable and customer_value_tier = 'vip' and total_orders >= 2`,
      ),
    );
    return {
      sizes,
      anyChannel: await count(
        'select count(*) as n from main.dim_customers where is_marketable and channels_count >= 1',
      ),
      anyChannelThreeOrders: await count(
        `select count(*) as n from main.dim_customers
         where is_marketable and channels_count >= 1 and total_orders >= 3`,
      ),
      threeOrders: await count(
        'select count(*) as n from main.dim_customers where is_marketable and total_orders >= 3',
      ),
      marketable: await count('select count(*) as n from main.dim_customers where is_marketable'),
      oneChannel: await count(
        'select count(*) as n from main.dim_customers where is_marketable and channels_count = 1',
      ),
      anyChannelVip: await count(
        `select count(*) as n from main.dim_customers
         where is_marketable and channels_count >= 1 and customer_id in (select customer_id from main.seg_vip_customers)`,
      ),
      crossChannelNotVip: await count(
        `select count(*) as n from main.dim_customers
         where is_marketable and channels_count >= 2 and customer_id not in (select customer_id from main.seg_vip_customers)`,
      ),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

let workspace: DemoWorkspace | undefined;
let truth: Truth;
let templates: string[];
let server: RunningWebServer | undefined;
let browser: Browser | undefined;
/** The browser logged in once (it opened the printed address); its tabs are closed after each test. */
let session: AppSession | undefined;

beforeAll(async () => {
  await ensureRendererBuilt();
  // The demo shop with the built-in templates, built: their seg_ tables are materialised.
  workspace = await createDemoWorkspace();
  const listed = JSON.parse(await c360(['segments', 'list', '-w', workspace.dir, '--json'])) as unknown;
  templates = segmentNames(listed);
  // Written after the build: a file that cannot be compiled must not stop the models.
  await writeFile(
    join(workspace.dir, 'segments', BROKEN_FILE),
    'name: broken_typo\nrules:\n  - column: days_since_last_ordr\n    op: ">="\n    value: 60\n',
  );
  await writeFile(
    join(workspace.dir, 'segments', `${CUSTOM_SEGMENT}.yaml`),
    `name: ${CUSTOM_SEGMENT}\ndescription: VIPs with a second order.\nrules:\n  - column: customer_value_tier\n    op: '='\n    value: vip\n  - column: total_orders\n    op: '>='\n    value: 2\n`,
  );
  truth = await truthFromDatabase(workspace.database, templates);
  server = await startWebServer(workspace.dir);
  browser = await launchChromium();
  session = await loggedInSession(browser, server);
}, 300_000);

afterEach(async () => {
  await Promise.all((session?.contexts.splice(0) ?? []).map((context) => context.close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await workspace?.remove();
});

/** The names in `c360 segments list --json`, whatever wraps them. */
function segmentNames(listed: unknown): string[] {
  const rows = Array.isArray(listed) ? listed : ((listed as { segments?: unknown[] } | null)?.segments ?? []);
  const names = rows.map((row) => (row as { name?: unknown }).name).filter((n) => typeof n === 'string');
  if (names.length === 0)
    throw new Error(`c360 segments list --json named no segment: ${JSON.stringify(listed)}`);
  return names as string[];
}

/** A new tab of this file's logged-in browser, showing the app in `language` at `hash`. */
function openApp(language: Language, hash: string): Promise<{ page: Page; errors: string[] }> {
  return openAppPage(session!, language, hash);
}

/** The member count the editor shows, once it shows one. */
async function total(page: Page): Promise<number> {
  const value = await page.locator('.segment-total__count').getAttribute('data-count', { timeout: 30_000 });
  return Number(value);
}

/** The editor's count after the last edit was answered (a stale answer would not match what SQL says). */
async function expectTotal(page: Page, expected: number): Promise<void> {
  await expect.poll(() => total(page), { timeout: 30_000 }).toBe(expected);
  await expect.poll(() => page.locator('.segment-total[aria-busy="true"]').count()).toBe(0);
  expect(await total(page)).toBe(expected);
}

/** The what-if diff against the saved version, once its answer for the current rules is on screen. */
async function expectDiff(page: Page, entered: number, left: number): Promise<void> {
  const side = (kind: 'plus' | 'minus') =>
    page
      .locator(`[data-testid="diff-saved"] .insights__${kind}`)
      .getAttribute('data-count', { timeout: 30_000 });
  await expect
    .poll(async () => [Number(await side('plus')), Number(await side('minus'))], { timeout: 30_000 })
    .toEqual([entered, left]);
}

/** The list shows every saved segment with the size SQL counts, and the broken file with its problem. */
async function expectList(page: Page): Promise<void> {
  const format = new Intl.NumberFormat(INTL_LOCALE.en);
  for (const [name, size] of truth.sizes) {
    const cell = page.locator(`[data-segment-count="${name}"]`);
    expect(await cell.textContent(), name).toBe(format.format(size));
  }
  expect(await page.locator('[data-segment-count]').count()).toBe(truth.sizes.size);
  const problem = page.locator('.problem').filter({ hasText: BROKEN_FILE });
  await expect.poll(() => problem.count()).toBe(1);
  const text = (await problem.textContent()) ?? '';
  expect(text).toContain('rules.0.column');
  expect(text).toContain('days_since_last_ordr');
  expect(text).toContain('days_since_last_order');
}

describe('the segment studio in web mode, in Chromium, on a demo shop with the built-in templates', () => {
  it('editing a condition and adding one changes the total (and the rule counts) to what SQL counts', async () => {
    const { page, errors } = await openApp('en', '#/segments');
    await page.getByRole('link', { name: EDITED }).click();
    await page.waitForURL(`**/#/segments/${EDITED}`);
    await expectTotal(page, truth.sizes.get(EDITED)!);

    const first = page.locator('.rule[data-path="rules.all.0"]');
    expect(await first.getAttribute('data-column')).toBe('channels_count');
    const value = first.getByRole('textbox', { name: ui('en', 'segments.builder.value') });
    // One edit (2 → 1): an emptied field on the way would be a rule the compiler rejects, answered with a 400.
    await value.fill('1');
    await expectTotal(page, truth.anyChannel);
    expect(Number(await first.locator('.rule-count').getAttribute('data-keeps'))).toBe(truth.anyChannel);

    await page
      .locator('.rule-group[data-path="rules"] > .rule-group__actions')
      .getByRole('button', { name: ui('en', 'segments.builder.addCondition') })
      .click();
    const added = page.locator('.rule[data-path="rules.all.1"]');
    expect(await added.getAttribute('data-column')).toBe('total_orders');
    const orders = added.getByRole('textbox', { name: ui('en', 'segments.builder.value') });
    await orders.fill('3');
    await expectTotal(page, truth.anyChannelThreeOrders);
    expect(Number(await added.locator('.rule-count').getAttribute('data-removes'))).toBe(
      truth.anyChannel - truth.anyChannelThreeOrders,
    );
    await saveScreenshot(page, 'e2e-segments-editor-en');
    expect(errors).toEqual([]);
  });

  it('a value the compiler rejects is shown at its rule, and the count returns once it is fixed', async () => {
    const { page } = await openApp('en', '#/segments/+new');
    const rule = page.locator('.rule[data-path="rules.all.0"]');
    await rule.waitFor();
    await expect.poll(() => total(page)).toBeGreaterThan(0);
    const value = rule.getByRole('textbox', { name: ui('en', 'segments.builder.value') });
    await value.fill('many');
    const problem = rule.locator('.problem');
    await problem.first().waitFor({ timeout: 30_000 });
    expect(await problem.first().textContent()).toContain('rules.all.0.value');
    expect(await problem.first().textContent()).toContain('not a number');
    await value.fill('3');
    await expect.poll(() => problem.count(), { timeout: 30_000 }).toBe(0);
    await expectTotal(page, truth.threeOrders);
  });

  it('a newer edit cancels the preview still under way, and the total shows the newer answer', async () => {
    const { page } = await openApp('en', '#/segments/+new');
    const rule = page.locator('.rule[data-path="rules.all.0"]');
    await rule.waitFor();
    await expect.poll(() => total(page)).toBeGreaterThan(0);
    // Answers are held back for a while, so the first edit's request is still open when the second is made.
    const previews = '**/api/segments/preview**';
    await page.route(previews, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue().catch(() => undefined);
    });
    const aborted: string[] = [];
    page.on('requestfailed', (request) => {
      if (request.url().includes('/api/segments/preview')) aborted.push(request.failure()?.errorText ?? '');
    });
    const value = rule.getByRole('textbox', { name: ui('en', 'segments.builder.value') });
    const firstSent = page.waitForRequest((request) => request.url().includes('/api/segments/preview'));
    await value.fill('2');
    await firstSent;
    await value.fill('3');
    await expect.poll(() => aborted.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await expectTotal(page, truth.threeOrders);
    await page.unroute(previews);
  });

  it('a saved segment of the user’s own opens in the builder with its file’s rules and counts what SQL counts', async () => {
    const { page } = await openApp('en', `#/segments/${CUSTOM_SEGMENT}`);
    await expectTotal(page, truth.sizes.get(CUSTOM_SEGMENT)!);
    // the two conditions of the file, as written
    await page.locator('.rule').first().waitFor();
    expect(await page.locator('.rule').count()).toBe(2);
    const columns = await page
      .locator('.rule')
      .evaluateAll((rules) => rules.map((rule) => rule.querySelector('select')?.value ?? ''));
    expect(columns).toEqual(['customer_value_tier', 'total_orders']);
    const description = page.getByRole('textbox', { name: ui('en', 'segments.editor.description') });
    expect(await description.inputValue()).toBe('VIPs with a second order.');
  });

  it.each(['en', 'de', 'xx'] as const)(
    // In English the list's sizes and its broken file are checked on the same page load.
    'the Segments pages render in "%s" with each string translated and no serious axe-core violation; the list shows every saved segment with the size SQL counts, and the broken file with its problem',
    async (language) => {
      const { page, errors } = await openApp(language, '#/overview');
      const check = async (name: string) => {
        await settled(page);
        expect(await page.locator('html').getAttribute('lang')).toBe(language === 'xx' ? 'en' : language);
        await page.evaluate(() => {
          for (const details of document.querySelectorAll('details')) details.open = true;
        });
        if (language !== 'xx') await saveScreenshot(page, `e2e-${name}-${language}`);
        if (language === 'xx') {
          expect(await untranslatedText(page), `untranslated text on ${name}`).toEqual([]);
        } else {
          expect(await missingTranslations(page), `missing translations on ${name}`).toEqual([]);
          expect(await seriousAxeViolations(page), `axe-core on ${name}`).toEqual([]);
        }
      };
      await page.getByRole('link', { name: ui(language, 'nav.segments') }).click();
      await page.locator('[data-segment-count]').first().waitFor();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        ui(language, 'segments.list.title'),
      );
      if (language === 'en') {
        await settled(page);
        await expectList(page);
      }
      await check('segments-list');

      await page.getByRole('link', { name: 'high_value_at_risk' }).click();
      await page.locator('.rule').first().waitFor();
      await total(page);
      await check('segments-editor');

      await page.goto(`${server!.url}#/segments/${CUSTOM_SEGMENT}`);
      await total(page);
      await check('segments-custom');

      await page.getByRole('link', { name: ui(language, 'segments.editor.back') }).click();
      await page.getByRole('link', { name: ui(language, 'segments.list.new') }).click();
      await page.locator('.rule').first().waitFor();
      await total(page);
      await check('segments-new');
      expect(errors).toEqual([]);
    },
  );
  it('a muted rule counts nothing, and YAML typed in the YAML view moves the builder and the count', async () => {
    const { page, errors } = await openApp('en', '#/segments/+new');
    const rule = page.locator('.rule[data-path="rules.all.0"]');
    await rule.waitFor();
    await expect.poll(() => total(page)).toBeGreaterThan(0);
    await rule.getByRole('button', { name: ui('en', 'segments.builder.mute') }).click();
    await expectTotal(page, truth.marketable);
    const yaml = page.getByRole('textbox', { name: ui('en', 'segments.editor.yamlLabel') });
    expect(await yaml.inputValue()).toContain('muted: true');
    await saveScreenshot(page, 'e2e-segments-muted-en');
    await yaml.fill(
      'name: typed_in_yaml\n# comments are kept\nrules:\n  - column: total_orders\n    op: ">="\n    value: 3\n',
    );
    await expectTotal(page, truth.threeOrders);
    expect(await rule.getAttribute('data-muted')).toBeNull();
    expect(await rule.getByRole('textbox', { name: ui('en', 'segments.builder.value') }).inputValue()).toBe(
      '3',
    );
    await yaml.fill('name: typed_in_yaml\nrules: [\n');
    await page.locator('.yaml-problems .problem__position').first().waitFor();
    await saveScreenshot(page, 'e2e-segments-yaml-error-en');
    expect(errors).toEqual([]);
  });

  it('Save writes a new segment file, which the list then shows with the size SQL counts', async () => {
    const { page, errors } = await openApp('en', '#/segments/+new');
    const rule = page.locator('.rule[data-path="rules.all.0"]');
    await rule.waitFor();
    await page.getByRole('textbox', { name: ui('en', 'segments.editor.name') }).fill(SAVED_NEW);
    await rule.getByRole('textbox', { name: ui('en', 'segments.builder.value') }).fill('3');
    await expectTotal(page, truth.threeOrders);
    await page.getByRole('button', { name: ui('en', 'segments.editor.save') }).click();
    await page.waitForURL(`**/#/segments/${SAVED_NEW}`);
    const file = join(workspace!.dir, 'segments', `${SAVED_NEW}.yaml`);
    expect(parse(await readFile(file, 'utf8'))).toMatchObject({
      name: SAVED_NEW,
      rules: [{ column: 'total_orders', op: '>=', value: 3 }],
    });
    await expectTotal(page, truth.threeOrders);
    await saveScreenshot(page, 'e2e-segments-saved-en');
    await page.getByRole('link', { name: ui('en', 'segments.editor.back') }).click();
    const cell = page.locator(`[data-segment-count="${SAVED_NEW}"]`);
    await cell.waitFor();
    expect(await cell.textContent()).toBe(new Intl.NumberFormat(INTL_LOCALE.en).format(truth.threeOrders));
    expect(errors).toEqual([]);
  });

  it('a file changed on disk since it was opened is not overwritten: the conflict is shown, and mine is saved only when asked', async () => {
    const { page, errors } = await openApp('en', `#/segments/${CUSTOM_SEGMENT}`);
    await expectTotal(page, truth.sizes.get(CUSTOM_SEGMENT)!);
    const file = join(workspace!.dir, 'segments', `${CUSTOM_SEGMENT}.yaml`);
    const theirs = `${await readFile(file, 'utf8')}# a teammate's note\n`;
    await writeFile(file, theirs);
    const orders = page.locator('.rule[data-path="rules.all.1"]');
    await orders.getByRole('textbox', { name: ui('en', 'segments.builder.value') }).fill('3');
    await page.getByRole('button', { name: ui('en', 'segments.editor.save') }).click();
    const conflict = page.locator('.conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain("# a teammate's note");
    expect(await readFile(file, 'utf8')).toBe(theirs);
    await saveScreenshot(page, 'e2e-segments-conflict-en');
    await page.getByRole('button', { name: ui('en', 'segments.conflict.keepMine') }).click();
    await page
      .getByText(ui('en', 'segments.editor.savedTo').replace('{{file}}', `segments/${CUSTOM_SEGMENT}.yaml`))
      .waitFor();
    const saved = await readFile(file, 'utf8');
    // mine replaced theirs, on purpose: exactly the text the conflict showed as mine
    expect(saved).not.toContain("# a teammate's note");
    expect(saved).toContain(`name: ${CUSTOM_SEGMENT}`);
    expect(parse(saved)).toMatchObject({ rules: [{ value: 'vip' }, { value: 3 }] });
    // the one failed request is the refused save: HTTP 409
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 409 (Conflict)']);
  });
  it('a template becomes a new segment: a threshold and an "in segment" condition move the count and the what-if diff, and Save writes the YAML', async () => {
    const { page, errors } = await openApp('en', '#/segments/+templates');
    const template = page.locator(`[data-template="${EDITED}"]`);
    await template.getByRole('link', { name: ui('en', 'templates.use') }).click();
    await page.waitForURL(`**/#/segments/+new?template=${EDITED}`);
    // The template's name is a saved segment's: the diff compares with it (no change yet).
    await expectTotal(page, truth.sizes.get(EDITED)!);
    await expectDiff(page, 0, 0);

    const threshold = page.locator('.rule[data-path="rules.all.0"]');
    await threshold.getByRole('textbox', { name: ui('en', 'segments.builder.value') }).fill('1');
    await expectTotal(page, truth.anyChannel);
    await expectDiff(page, truth.oneChannel, 0);
    await saveScreenshot(page, 'e2e-segments-template-threshold-en');

    await page
      .locator('.rule-group[data-path="rules"] > .rule-group__actions')
      .getByRole('button', { name: ui('en', 'segments.builder.addSegment') })
      .click();
    const inSegment = page.locator('.rule[data-path="rules.all.1"]');
    await inSegment
      .getByRole('combobox', { name: ui('en', 'segments.builder.segment'), exact: true })
      .selectOption('vip_customers');
    await expectTotal(page, truth.anyChannelVip);
    expect(Number(await inSegment.locator('.rule-count').getAttribute('data-keeps'))).toBe(
      truth.anyChannelVip,
    );
    // against the saved template: who has one channel and is a VIP enters, who has two and is none leaves
    await expectDiff(
      page,
      truth.anyChannelVip - (truth.sizes.get(EDITED)! - truth.crossChannelNotVip),
      truth.crossChannelNotVip,
    );
    await saveScreenshot(page, 'e2e-segments-in-segment-en');

    await page.getByRole('textbox', { name: ui('en', 'segments.editor.name') }).fill(FROM_TEMPLATE);
    await page.getByRole('button', { name: ui('en', 'segments.editor.save') }).click();
    await page.waitForURL(`**/#/segments/${FROM_TEMPLATE}`);
    const saved = await readFile(join(workspace!.dir, 'segments', `${FROM_TEMPLATE}.yaml`), 'utf8');
    expect(parse(saved)).toMatchObject({
      name: FROM_TEMPLATE,
      rules: [
        { column: 'channels_count', op: '>=', value: 1 },
        { segment: 'vip_customers', op: 'in' },
      ],
    });
    await expectTotal(page, truth.anyChannelVip);
    expect(errors).toEqual([]);
  });
});
