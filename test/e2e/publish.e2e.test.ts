import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { runCli } from '../sync/cliProcess.ts';
import { snapshotFake } from '../sync/fakeSnapshot.ts';
import { loggedInSession, openApp as openAppPage, settled, type AppSession } from './appPage.ts';
import { launchChromium } from './browser.ts';
import { createDemoWorkspace, type DemoWorkspace } from './demoWorkspace.ts';
import { missingTranslations, saveScreenshot, seriousAxeViolations } from './pageChecks.ts';
import { ensureRendererBuilt } from './rendererBuild.ts';
import { INTL_LOCALE, ui, type Language } from './uiStrings.ts';
import { startWebServer, type RunningWebServer } from './webServer.ts';

/**
 * One-click publish as a user meets it: a demo shop with the built-in segments, served by `c360 web` whose
 * process holds the Klaviyo key (the Klaviyo contract server's), opened in Debian's Chromium. The sensitive
 * segment's first publish trips a guardrail: approve it, publish, watch the progress, and find exactly the
 * segment's members (by SQL over the database file) in the contract server's list.
 */

/** The built-in sensitive template (health data: explicit opt-in): its first publish needs approval. */
const SEGMENT = 'pregnancy_journey';
/** Its consent column: no member without it (core/segments/templates/pregnancy_journey.yaml). */
const CONSENT = 'pregnancy_opt_in';
/** A plain segment published, cancelled midway and published again. */
const RESUMED = 'vip_customers';
/** A plain segment whose publish Klaviyo partly rejects, then retried. */
const RETRIED = 'new_customers';

let workspace: DemoWorkspace | undefined;
let dir: string;
let expectedMembers: string[];
/** Buyers the segment's rules match who did not opt in, and the customers who opted in and are marketable. */
let unconsented: string[];
let consented: Set<string>;
/** A copy of the shop made before any publish: the uninterrupted reference run syncs it. */
let referenceDir: string | undefined;
let fake: KlaviyoFake | undefined;
let server: RunningWebServer | undefined;
let browser: Browser | undefined;
let session: AppSession | undefined;

async function emailsOf(database: string, sql: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJson();
    return rows.map((row) => String(row.email)).sort();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function segmentEmails(database: string): Promise<string[]> {
  return emailsOf(database, `select distinct lower(email) as email from main.seg_${SEGMENT}`);
}

beforeAll(async () => {
  await ensureRendererBuilt();
  // The demo shop with the built-in templates, built: the seg_ tables hold the list members.
  workspace = await createDemoWorkspace();
  dir = workspace.dir;
  // Pace for the contract server (its limits × 100), poll its import jobs often.
  await appendFile(
    join(dir, 'c360.config.yaml'),
    '\nsync:\n  klaviyo:\n    rate_limit_scale: 100\n    poll_interval_ms: 50\n',
  );
  expectedMembers = await segmentEmails(join(dir, 'workspace.duckdb'));
  // Read before `c360 web` holds the database file.
  unconsented = await emailsOf(
    join(dir, 'workspace.duckdb'),
    `select distinct lower(email) as email from main.dim_customers
     where has_bought_pregnancy_products and not coalesce(${CONSENT}, false) and email is not null`,
  );
  consented = new Set(
    await emailsOf(
      join(dir, 'workspace.duckdb'),
      `select distinct lower(email) as email from main.dim_customers
       where ${CONSENT} and is_marketable and email is not null`,
    ),
  );
  referenceDir = join(await mkdtemp(join(tmpdir(), 'c360-e2e-reference-')), 'shop');
  await cp(dir, referenceDir, { recursive: true });
  // Import jobs take a moment, as Klaviyo's do: the progress is on screen long enough to be seen.
  fake = await startKlaviyoFake({ rateLimits: { scale: 100 }, jobDelayMs: 1_500 });
  server = await startWebServer(dir, {
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
  if (referenceDir) await rm(join(referenceDir, '..'), { recursive: true, force: true });
});

function openApp(language: Language, hash: string): Promise<{ page: Page; errors: string[] }> {
  return openAppPage(session!, language, hash);
}

async function switchLanguage(page: Page, language: 'en' | 'de'): Promise<void> {
  await page.locator('.language-switch select').selectOption(language);
  await page.waitForFunction((lang) => document.documentElement.lang === lang, language);
}

describe('publish to Klaviyo in web mode, in Chromium, against the Klaviyo contract server', () => {
  it('plan → guardrail card → approve → progress → done, and the list in Klaviyo holds the segment', async () => {
    expect(expectedMembers.length).toBeGreaterThan(0);
    const { page, errors } = await openApp('en', `#/publish?segment=${SEGMENT}`);
    // Opened from a segment: its list and the profiles are planned at once.
    const card = page.locator('[data-guardrail="sensitive_segment"]');
    await card.waitFor({ timeout: 60_000 });
    await settled(page);
    expect(await card.textContent()).toContain(SEGMENT);
    expect(await page.getByText(`${fake!.account.organization_name} (${fake!.account.id})`).count()).toBe(1);
    const listCard = page.getByRole('region', { name: /^List: / });
    expect(await listCard.textContent()).toContain(
      `${ui('en', 'publish.plan.add')}${new Intl.NumberFormat(INTL_LOCALE.en).format(expectedMembers.length)}`,
    );
    await saveScreenshot(page, 'e2e-publish-plan-en');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Every tripped guardrail is a blocking card; approve each.
    const approve = page.getByRole('button', {
      name: new RegExp(`^${ui('en', 'publish.guardrails.approve')} `),
    });
    while ((await approve.count()) > 0) await approve.first().click();
    expect(await card.textContent()).toContain(ui('en', 'publish.guardrails.approved'));
    await saveScreenshot(page, 'e2e-publish-approved-en');

    await page.getByRole('button', { name: ui('en', 'publish.publish'), exact: true }).click();
    const bars = page.getByRole('progressbar');
    await bars.first().waitFor({ timeout: 30_000 });
    expect(await bars.count()).toBe(2);
    // The stream's events reach the page while the run goes on: a bar moves before the result shows.
    const counted = page.locator('.publish-progress__count').filter({ hasText: /\d+ of \d+/ });
    await counted.first().waitFor({ timeout: 30_000 });
    await saveScreenshot(page, 'e2e-publish-progress-en');

    const result = page.getByRole('region', { name: ui('en', 'publish.result.title') });
    await result.waitFor({ timeout: 120_000 });
    expect(await result.getByRole('status').textContent()).toContain(ui('en', 'runs.status.succeeded'));
    await saveScreenshot(page, 'e2e-publish-done-en');

    // Klaviyo (the contract server) holds exactly the segment's members in the list the publish created.
    const lists = [...fake!.state.lists.values()];
    expect(lists).toHaveLength(1);
    expect(fake!.listMemberEmails(lists[0]!.name)).toEqual(expectedMembers);
    // A sensitive segment never sends a customer without consent: its rules match buyers without the opt-in
    // (so this can fail), none of them is on the list, and every member opted in and is marketable.
    expect(unconsented.length).toBeGreaterThan(0);
    const sent = fake!.listMemberEmails(lists[0]!.name);
    expect(sent.filter((email) => !consented.has(email))).toEqual([]);
    expect(sent.filter((email) => unconsented.includes(email))).toEqual([]);
    const row = result.getByRole('row', { name: new RegExp(`${SEGMENT}`) });
    const cells = await row.locator('td').allTextContents();
    // planned, sent, confirmed, failed, skipped, held back
    expect(cells.slice(0, 4)).toEqual([
      String(expectedMembers.length),
      String(expectedMembers.length),
      String(expectedMembers.length),
      '0',
    ]);

    // The same page in German, switched from the header.
    await switchLanguage(page, 'de');
    expect(await result.count()).toBe(0);
    const resultDe = page.getByRole('region', { name: ui('de', 'publish.result.title') });
    expect(await resultDe.getByRole('status').textContent()).toContain(ui('de', 'runs.status.succeeded'));
    expect(await page.getByRole('link', { name: ui('de', 'publish.nav') }).count()).toBe(1);
    expect(await missingTranslations(page)).toEqual([]);
    await saveScreenshot(page, 'e2e-publish-done-de');
    expect(errors).toEqual([]);
  });

  it('the Runs page lists the publish and shows its targets, in English and German', async () => {
    const { page, errors } = await openApp('en', '#/runs');
    const run = page.getByRole('link', { name: /^\d{8}-\d{6}-[0-9a-f]{6}$/ });
    await run.first().waitFor({ timeout: 30_000 });
    await settled(page);
    expect(await run.count()).toBe(1);
    expect(await run.first().locator('xpath=ancestor::tr').textContent()).toContain(
      ui('en', 'runs.status.succeeded'),
    );
    await saveScreenshot(page, 'e2e-runs-list-en');
    await run.first().click();
    await page.getByText(ui('en', 'runs.noRejected')).waitFor();
    await settled(page);
    expect(await page.getByRole('row', { name: new RegExp(SEGMENT) }).count()).toBe(1);
    await saveScreenshot(page, 'e2e-runs-detail-en');
    await switchLanguage(page, 'de');
    await page.getByText(ui('de', 'runs.noRejected')).waitFor();
    expect(await missingTranslations(page)).toEqual([]);
    await saveScreenshot(page, 'e2e-runs-detail-de');
    expect(errors).toEqual([]);
  });

  it('a publish cancelled midway and published again leaves Klaviyo exactly as an uninterrupted run', async () => {
    const { page, errors } = await openApp('en', `#/publish?segment=${RESUMED}`);
    const publishButton = page.getByRole('button', { name: ui('en', 'publish.publish'), exact: true });
    await page.getByRole('region', { name: /^List: / }).waitFor({ timeout: 60_000 });
    await settled(page);
    // Cancel once the list's import job reached Klaviyo: the job runs on, nothing new is sent.
    const jobSent = new Promise<void>((resolve) => {
      const stop = fake!.onRequest(({ method, path }) => {
        if (method === 'POST' && path.startsWith('/api/profile-bulk-import-jobs')) {
          stop();
          resolve();
        }
      });
    });
    await publishButton.click();
    await jobSent;
    await page.getByRole('button', { name: ui('en', 'publish.cancel'), exact: true }).click();
    const cancelled = page.getByRole('region', { name: ui('en', 'publish.cancelled.title') });
    await cancelled.getByText(ui('en', 'runs.status.cancelled')).waitFor({ timeout: 30_000 });
    await saveScreenshot(page, 'e2e-publish-cancelled-en');

    // Publish again: the plan is made anew and applied; the job of the cancelled run is waited for, not resent.
    await cancelled.getByRole('button', { name: ui('en', 'publish.result.retry') }).click();
    await page.getByRole('region', { name: /^List: / }).waitFor({ timeout: 60_000 });
    await publishButton.click();
    const result = page.getByRole('region', { name: ui('en', 'publish.result.title') });
    await result.waitFor({ timeout: 120_000 });
    expect(await result.getByRole('status').textContent()).toContain(ui('en', 'runs.status.succeeded'));
    await saveScreenshot(page, 'e2e-publish-resumed-en');

    // The same publishes without a cancel, by the CLI on a copy of the shop made before any publish.
    const reference = await startKlaviyoFake({ rateLimits: { scale: 100 }, jobDelayMs: 10 });
    try {
      const env = { KLAVIYO_BASE_URL: reference.url, KLAVIYO_API_KEY: reference.apiKey };
      for (const args of [['profiles'], ['lists', '--segment', SEGMENT, RESUMED]]) {
        const cli = await runCli(['sync', ...args, '--approve', '-w', referenceDir!], env);
        expect(cli.code, cli.stderr).toBe(0);
      }
      await fake!.waitForJobs();
      const state = snapshotFake(fake!);
      const expected = snapshotFake(reference);
      expect(Object.keys(state.lists).sort()).toEqual(Object.keys(expected.lists).sort());
      expect(state.lists).toEqual(expected.lists);
      expect(state.profiles).toEqual(expected.profiles);
      // No list made twice, no profile made twice for one address.
      expect(fake!.state.lists.size).toBe(Object.keys(state.lists).length);
      expect(fake!.state.profiles.size).toBe(Object.keys(state.profiles).length);
    } finally {
      await reference.close();
    }
    expect(errors).toEqual([]);
  });

  it('"Retry failed rows" sends only the rows Klaviyo rejected; the Runs page shows what was sent', async () => {
    const { page, errors } = await openApp('en', `#/publish?segment=${RETRIED}`);
    const publishButton = page.getByRole('button', { name: ui('en', 'publish.publish'), exact: true });
    await page.getByRole('region', { name: /^List: / }).waitFor({ timeout: 60_000 });
    await settled(page);
    const approve = page.getByRole('button', {
      name: new RegExp(`^${ui('en', 'publish.guardrails.approve')} `),
    });
    while ((await approve.count()) > 0) await approve.first().click();
    // Klaviyo rejects about a fifth of the list's rows (a transient per-row error in the import job).
    fake!.setFaults({ seed: 11, jobProfileErrors: 0.2 });
    const jobsBefore = new Set(fake!.state.importJobs.keys());
    await publishButton.click();
    const result = page.getByRole('region', { name: ui('en', 'publish.result.title') });
    await result.waitFor({ timeout: 60_000 });
    fake!.setFaults(undefined);
    expect(await result.getByRole('status').textContent()).toContain(ui('en', 'runs.status.partial'));
    const sentRows = () =>
      [...fake!.state.importJobs.values()]
        .filter((job) => !jobsBefore.has(job.id))
        .reduce((n, job) => n + job.total_count, 0);
    const firstSent = sentRows();
    const retryButton = result.getByRole('button', { name: /^Retry \d+ failed rows?$/ });
    const failed = Number((await retryButton.textContent())!.match(/\d+/)![0]);
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(firstSent);
    const runLink = await result
      .getByRole('link', { name: ui('en', 'publish.result.showRun') })
      .getAttribute('href');

    // The retry plan: that run's rejected rows only, and it says so.
    await retryButton.click();
    const note = page.getByText(/^Retry of run \S+: this plan holds only/);
    await note.waitFor({ timeout: 60_000 });
    await settled(page);
    expect(await page.getByRole('region', { name: /^List: / }).textContent()).toContain(
      `${ui('en', 'publish.plan.add')}${failed}`,
    );
    await saveScreenshot(page, 'e2e-publish-retry-plan-en');
    await switchLanguage(page, 'de');
    await page.getByText(/^Wiederholung von Lauf /).waitFor();
    expect(await missingTranslations(page)).toEqual([]);
    await saveScreenshot(page, 'e2e-publish-retry-plan-de');
    await page.getByRole('button', { name: ui('de', 'publish.publish'), exact: true }).click();
    const resultDe = page.getByRole('region', { name: ui('de', 'publish.result.title') });
    await resultDe.waitFor({ timeout: 60_000 });
    expect(await resultDe.getByRole('status').textContent()).toContain(ui('de', 'runs.status.succeeded'));
    // Exactly the rejected rows went out again: a retry that re-planned the list would send them all.
    expect(sentRows() - firstSent).toBe(failed);

    // The first run's detail: what was sent per endpoint, and the retry offered from there too.
    await page.goto(`${server!.url}${runLink!}`);
    const requests = page.getByRole('table', { name: ui('de', 'runs.requests.caption') });
    await requests.waitFor({ timeout: 30_000 });
    await settled(page);
    expect(await requests.getByText('POST /api/profile-bulk-import-jobs').count()).toBe(1);
    expect(await page.getByRole('link', { name: ui('de', 'runs.retryFailed') }).count()).toBe(1);
    expect(await missingTranslations(page)).toEqual([]);
    await saveScreenshot(page, 'e2e-runs-requests-de');
    await switchLanguage(page, 'en');
    await page.getByRole('table', { name: ui('en', 'runs.requests.caption') }).waitFor();
    await saveScreenshot(page, 'e2e-runs-requests-en');
    expect(errors).toEqual([]);
  });
});
