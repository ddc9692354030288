import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loggedInSession, openApp as openAppPage, settled, type AppSession } from './appPage.ts';
import { launchChromium } from './browser.ts';
import { c360 } from './c360Cli.ts';
import { createDemoWorkspace, type DemoWorkspace } from './demoWorkspace.ts';
import {
  ARTIFACTS_DIR,
  missingTranslations,
  saveScreenshot,
  seriousAxeViolations,
  untranslatedText,
} from './pageChecks.ts';
import { ensureRendererBuilt } from './rendererBuild.ts';
import { INTL_LOCALE, ui, type Language } from './uiStrings.ts';
import { startWebServer, type RunningWebServer } from './webServer.ts';

/**
 * The segment editor's insights in Chromium on a small demo shop. Two saved segments share a priority group:
 * first_claim (≥ 3 orders) before what_if (channels). what_if was published with "≥ 1 channel" and is saved
 * with "≥ 2 channels"; the test edits it back to 1 in the editor. Every count on screen is checked against SQL
 * over the database file, written here without core/segments.
 */

const SEGMENT = 'what_if';

const segmentYaml = (channels: number) =>
  `name: ${SEGMENT}\ndescription: Customers on several channels.\nrules:\n  - column: channels_count\n    op: '>='\n    value: ${channels}\npriority_group: e2e\npriority: 2\n`;
/** Outside the priority group: it shares customers with both segments of the group (the overlap matrix). */
const REPEAT_BUYERS =
  "name: repeat_buyers\ndescription: Two orders or more.\nrules:\n  - column: total_orders\n    op: '>='\n    value: 2\n";
const FIRST_CLAIM =
  "name: first_claim\ndescription: Repeat buyers.\nrules:\n  - column: total_orders\n    op: '>='\n    value: 3\npriority_group: e2e\npriority: 1\n";

interface Truth {
  /** what_if with ≥ 1 channel (published, and the edit) and with ≥ 2 (saved), after first_claim took its share. */
  oneChannel: number;
  twoChannels: number;
  /** Customers first_claim keeps; what_if with ≥ 1 channel on its own, and how many of those first_claim takes. */
  firstClaim: number;
  oneChannelOwn: number;
  oneChannelLost: number;
  /** An email of a customer with a channel whom first_claim takes (out of what_if by priority). */
  claimedEmail: string;
  /** repeat_buyers, and what it shares with the edit (≥ 1 channel, after first_claim) and with first_claim. */
  repeatBuyers: number;
  repeatAndEdit: number;
  repeatAndFirst: number;
}

async function truthFromDatabase(database: string): Promise<Truth> {
  const instance = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson();
  const count = async (sql: string) => Number((await rows(sql))[0]?.n ?? Number.NaN);
  const first = 'is_marketable and total_orders >= 3';
  try {
    return {
      oneChannel: await count(
        `select count(*) as n from dim_customers where is_marketable and channels_count >= 1 and not (${first})`,
      ),
      twoChannels: await count(
        `select count(*) as n from dim_customers where is_marketable and channels_count >= 2 and not (${first})`,
      ),
      firstClaim: await count(`select count(*) as n from dim_customers where ${first}`),
      oneChannelOwn: await count(
        'select count(*) as n from dim_customers where is_marketable and channels_count >= 1',
      ),
      oneChannelLost: await count(
        `select count(*) as n from dim_customers where channels_count >= 1 and ${first}`,
      ),
      repeatBuyers: await count(
        'select count(*) as n from dim_customers where is_marketable and total_orders >= 2',
      ),
      repeatAndEdit: await count(
        `select count(*) as n from dim_customers
         where is_marketable and total_orders >= 2 and channels_count >= 1 and not (${first})`,
      ),
      repeatAndFirst: await count(
        `select count(*) as n from dim_customers where is_marketable and total_orders >= 2 and ${first}`,
      ),
      claimedEmail: String(
        (
          await rows(
            `select email from dim_customers where ${first} and channels_count >= 1 and email is not null
             order by customer_id limit 1`,
          )
        )[0]?.email,
      ),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

let workspace: DemoWorkspace | undefined;
let truth: Truth;
let server: RunningWebServer | undefined;
let browser: Browser | undefined;
let session: AppSession | undefined;

beforeAll(async () => {
  await ensureRendererBuilt();
  workspace = await createDemoWorkspace();
  const segments = join(workspace.dir, 'segments');
  await mkdir(segments, { recursive: true });
  await writeFile(join(segments, 'first_claim.yaml'), FIRST_CLAIM);
  await writeFile(join(segments, 'repeat_buyers.yaml'), REPEAT_BUYERS);
  await writeFile(join(segments, `${SEGMENT}.yaml`), segmentYaml(1));
  await c360(['segments', 'snapshot', SEGMENT, '-w', workspace.dir, '--note', 'e2e publish']);
  await writeFile(join(segments, `${SEGMENT}.yaml`), segmentYaml(2));
  truth = await truthFromDatabase(workspace.database);
  expect(truth.oneChannel).toBeGreaterThan(truth.twoChannels);
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

/** A screenshot of one part of the page (the full-page shots shrink a panel to a few pixels). */
async function saveElementShot(element: Locator, name: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await element.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) });
}

function openApp(language: Language, hash: string): Promise<{ page: Page; errors: string[] }> {
  return openAppPage(session!, language, hash);
}

/** The data-count of `selector` inside the diff card, once the answer for the current rules is on screen. */
async function diffCount(page: Page, card: 'saved' | 'published', side: 'plus' | 'minus'): Promise<number> {
  const value = await page
    .locator(`[data-testid="diff-${card}"] .insights__${side}`)
    .getAttribute('data-count', { timeout: 30_000 });
  return Number(value);
}

async function expectDiff(page: Page, card: 'saved' | 'published', entered: number, left: number) {
  await expect.poll(() => diffCount(page, card, 'plus'), { timeout: 30_000 }).toBe(entered);
  await expect.poll(() => diffCount(page, card, 'minus'), { timeout: 30_000 }).toBe(left);
}

/** The claimed count of a segment's row in the priority table. */
async function claimed(page: Page, segment: string): Promise<number> {
  const row = page
    .locator('tr')
    .filter({ hasText: segment })
    .filter({ has: page.locator('[data-count]') });
  return Number(await row.locator('[data-count]').first().getAttribute('data-count', { timeout: 30_000 }));
}

describe('the segment editor insights in web mode, in Chromium', () => {
  it('an edit shows who enters against the saved file and the last publish, the group split, members and why', async () => {
    const { page, errors } = await openApp('en', `#/segments/${SEGMENT}`);
    const format = new Intl.NumberFormat(INTL_LOCALE.en);
    // unedited: the saved rules against themselves, and against the publish (≥ 1 channel) who left since
    await expectDiff(page, 'saved', 0, 0);
    await expectDiff(page, 'published', 0, truth.oneChannel - truth.twoChannels);
    await settled(page);
    await saveScreenshot(page, 'e2e-segment-insights-saved-en');

    // the edit 2 → 1: those with one channel enter against the saved file; the publish had these rules
    const value = page
      .locator('.rule[data-path="rules.all.0"]')
      .getByRole('textbox', { name: ui('en', 'segments.builder.value') });
    await value.fill('1');
    await expectDiff(page, 'saved', truth.oneChannel - truth.twoChannels, 0);
    await expectDiff(page, 'published', 0, 0);
    await expect.poll(() => claimed(page, SEGMENT), { timeout: 30_000 }).toBe(truth.oneChannel);
    expect(await claimed(page, 'first_claim')).toBe(truth.firstClaim);
    // the priority table's row (the overlap matrix marks the edit too, without a claimed count)
    const draftRow = page
      .locator('tr')
      .filter({ hasText: ui('en', 'segmentInsights.priority.thisOne') })
      .filter({ has: page.locator('[data-count]') });
    expect(await draftRow.textContent()).toContain(format.format(truth.oneChannelOwn));
    expect(await draftRow.textContent()).toContain(`first_claim: ${format.format(truth.oneChannelLost)}`);
    const range = ui('en', 'segmentInsights.members.range', {
      from: '1',
      to: format.format(Math.min(20, truth.oneChannel)),
      total: format.format(truth.oneChannel),
    });
    await page.getByText(range).waitFor({ timeout: 30_000 });

    // the overlap of every pair: the edit shares no one with first_claim (the group is exclusive)
    const matrix = page.locator('[data-testid="overlap-matrix"]');
    const cell = (row: string, column: number) =>
      matrix.locator(`tr[data-segment="${row}"] td`).nth(column).getAttribute('data-overlap');
    // (the demo workspace has the templates saved too: they are rows of the matrix as well)
    await matrix.locator('tr[data-segment="repeat_buyers"]').waitFor({ timeout: 30_000 });
    const order = await matrix
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-segment')));
    expect(order[0]).toBe(SEGMENT);
    const at = (name: string) => order.indexOf(name);
    await expect
      .poll(() => cell(SEGMENT, at('repeat_buyers')), { timeout: 30_000 })
      .toBe(String(truth.repeatAndEdit));
    expect(await cell('repeat_buyers', at('first_claim'))).toBe(String(truth.repeatAndFirst));
    expect(await cell('first_claim', at(SEGMENT))).toBe('0');
    expect(
      await matrix.locator(`tr[data-segment="repeat_buyers"] td`).nth(at('repeat_buyers')).textContent(),
    ).toBe(format.format(truth.repeatBuyers));
    await settled(page);
    await saveElementShot(matrix.locator('xpath=ancestor::section[1]'), 'e2e-segment-overlap-matrix-en');
    // winback stages are named, not raw
    const stages = await page.locator('[data-testid="breakdown-winback_stage"]').textContent();
    expect(stages).toContain(ui('en', 'winbackStage.early'));
    expect(stages).not.toMatch(/\b(early|mid|late|final|archived)\b/);

    // a column of one's own choosing: whole-number bins of total_orders
    await page.getByLabel(ui('en', 'segmentInsights.breakdown.pick')).selectOption('total_orders');
    await page.locator('[data-testid="breakdown-total_orders"]').waitFor({ timeout: 30_000 });

    // why: a repeat buyer with a channel is out of what_if because first_claim takes them
    await page
      .getByRole('textbox', { name: ui('en', 'segmentInsights.why.customer') })
      .fill(truth.claimedEmail);
    await page.getByRole('button', { name: ui('en', 'segmentInsights.why.explain') }).click();
    const why = page.locator('[data-testid="why-result"]');
    await expect.poll(() => why.getAttribute('data-member'), { timeout: 30_000 }).toBe('false');
    expect(await why.textContent()).toContain(
      ui('en', 'segmentInsights.why.isOut', { step: ui('en', 'segmentStep.priority') }),
    );
    await settled(page);
    await saveScreenshot(page, 'e2e-segment-insights-edited-en');

    // a member's name opens their 360 profile
    const member = page.locator('.segment-insights table a[href^="#/customers/"]').first();
    const href = await member.getAttribute('href');
    await member.click();
    await page.waitForURL(`**/${href}`);
    expect(errors).toEqual([]);
  });

  it('shows the insights in German with every string translated and no serious axe-core violation', async () => {
    const { page, errors } = await openApp('de', `#/segments/${SEGMENT}`);
    await expectDiff(page, 'published', 0, truth.oneChannel - truth.twoChannels);
    await page.getByRole('heading', { name: ui('de', 'segmentInsights.diff.title') }).waitFor();
    await page.getByRole('heading', { name: ui('de', 'segmentInsights.priority.title') }).waitFor();
    await page.locator('[data-testid="overlap-matrix"] tbody tr').nth(2).waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="breakdown-winback_stage"]').textContent()).toContain(
      ui('de', 'winbackStage.early'),
    );
    await settled(page);
    await saveElementShot(
      page.locator('[data-testid="overlap-matrix"]').locator('xpath=ancestor::section[1]'),
      'e2e-segment-overlap-matrix-de',
    );
    await saveElementShot(page.locator('.insights__charts').first(), 'e2e-segment-breakdowns-de');
    await settled(page);
    await page.evaluate(() => {
      for (const details of document.querySelectorAll('details')) details.open = true;
    });
    expect(await missingTranslations(page)).toEqual([]);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await saveScreenshot(page, 'e2e-segment-insights-de');
    expect(errors).toEqual([]);
  });

  it('leaves no untranslated text in the pseudo-locale (data labels of the charts included)', async () => {
    const { page, errors } = await openApp('xx', `#/segments/${SEGMENT}`);
    await expectDiff(page, 'published', 0, truth.oneChannel - truth.twoChannels);
    await page.locator('[data-testid="breakdown-winback_stage"] svg').first().waitFor();
    await settled(page);
    expect(await untranslatedText(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
