import { DuckDBInstance } from '@duckdb/node-api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_LIMITS } from '../../core/insights/schemas.ts';
import { loggedInSession, openApp as openAppPage, settled, type AppSession } from './appPage.ts';
import { launchChromium } from './browser.ts';
import { createDemoWorkspace, type DemoWorkspace } from './demoWorkspace.ts';
import {
  missingTranslations,
  recordPageErrors,
  saveScreenshot,
  seriousAxeViolations,
  untranslatedText,
} from './pageChecks.ts';
import { ensureRendererBuilt } from './rendererBuild.ts';
import { INTL_LOCALE, ui, type Language } from './uiStrings.ts';
import { startWebServer, type RunningWebServer } from './webServer.ts';

/**
 * The workbench as a user meets it: `c360 demo`, `c360 segments init` and `c360 build` make a shop (demoWorkspace.ts), `c360 web` serves it, and Debian's
 * Chromium opens the address it prints. The figures on screen are checked against SQL run over the database
 * file directly (not through core/insights), every page is rendered in English, German and the pseudo-locale,
 * axe-core looks at each, and the web mode's session rules are tried from a browser without the token.
 */

/** What the database says, computed here in SQL of our own rather than through core/insights. */
interface Truth {
  customers: number;
  buyers: number;
  marketable: number;
  revenueLast12Months: number;
  /** A customer whose email alone identifies them by its part before the domain, with all orders listed. */
  customer: { id: string; email: string; search: string; orders: string[] };
}

async function truthFromDatabase(database: string): Promise<Truth> {
  const instance = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const query = async (sql: string, values: string[] = []) =>
    (await connection.runAndReadAll(sql, values)).getRowObjectsJson();
  try {
    const [kpis] = await query(
      `with published as (
         select max(as_of) as as_of from c360.build_runs where ok and published
       ),
       valid_orders as (
         select customer_id, ordered_at, revenue_eur from main.int_orders__attributed where is_valid_order
       )
       select
         (select count(*) from main.dim_customers) as customers,
         (select count(distinct customer_id) from valid_orders) as buyers,
         (select count(*) from main.dim_customers where is_marketable) as marketable,
         (select sum(revenue_eur) from valid_orders, published
          where ordered_at > published.as_of - interval 12 month and ordered_at <= published.as_of) as revenue`,
    );
    // Every order of the customer fits the profile's list, so the list can be compared whole.
    const [customer] = await query(
      `with order_counts as (
         select customer_id, count(*) as orders from main.int_orders__attributed group by customer_id
       ),
       candidates as (
         select customers.customer_id, customers.email, split_part(customers.email, '@', 1) || '@' as search
         from main.dim_customers as customers
         inner join order_counts using (customer_id)
         where customers.email like '_%@%' and order_counts.orders between 3 and ${PROFILE_LIMITS.orders}
       )
       select customer_id, email, search from candidates
       where (select count(*) from main.dim_customers as others where starts_with(others.email, candidates.search)) = 1
       order by customer_id
       limit 1`,
    );
    if (!kpis || !customer) throw new Error('the demo shop has no customer with a few orders and an email');
    const orders = await query(
      `select channel || ' · ' || order_id as label from main.int_orders__attributed where customer_id = $1`,
      [String(customer.customer_id)],
    );
    return {
      customers: Number(kpis.customers),
      buyers: Number(kpis.buyers),
      marketable: Number(kpis.marketable),
      // Amounts travel in cents (core/insights): rounded the same way before the card rounds to euros.
      revenueLast12Months: Math.round(Number(kpis.revenue) * 100) / 100,
      customer: {
        id: String(customer.customer_id),
        email: String(customer.email),
        search: String(customer.search),
        orders: orders.map((row) => String(row.label)).sort(),
      },
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
/** The browser logged in once (it opened the printed address); its tabs are closed after each test. */
let session: AppSession | undefined;

beforeAll(async () => {
  await ensureRendererBuilt();
  workspace = await createDemoWorkspace();
  // Read before `c360 web` opens the file: DuckDB lets one process at a time open it for writing.
  truth = await truthFromDatabase(workspace.database);
  server = await startWebServer(workspace.dir);
  browser = await launchChromium();
  session = await loggedInSession(browser, server);
}, 180_000);

afterEach(async () => {
  await Promise.all((session?.contexts.splice(0) ?? []).map((context) => context.close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await workspace?.remove();
});

/** A new tab of this file's logged-in browser, showing the app in `language` at `hash`. */
function openApp(language: Language, hash: string): Promise<{ page: Page; errors: string[] }> {
  return openAppPage(session!, language, hash);
}

async function overviewShown(page: Page): Promise<void> {
  await page.locator('[data-kpi="revenue"] .kpi__value').waitFor();
  await page.locator('.recharts-bar-rectangle').first().waitFor();
  await settled(page);
}

async function profileShown(page: Page, language: Language): Promise<void> {
  await page.waitForURL(`**/#/customers/${truth.customer.id}`);
  const orders = page.getByRole('region', { name: ui(language, 'profile.orders.title') });
  await orders.locator('.order__id').first().waitFor();
  await settled(page);
}

/** The Overview's KPI cards show the customers, buyers, marketable customers and 12-month revenue SQL counts. */
async function expectKpis(page: Page, language: Language): Promise<void> {
  const integer = new Intl.NumberFormat(INTL_LOCALE[language], { maximumFractionDigits: 0 });
  const euros = new Intl.NumberFormat(INTL_LOCALE[language], {
    style: 'currency',
    currency: 'EUR',
    maximumFractionDigits: 0,
  });
  const card = (key: string) => page.locator(`[data-kpi="${key}"]`);
  const shown = async (key: string) => ({
    label: await card(key).locator('.kpi__label').textContent(),
    value: await card(key).locator('.kpi__value').textContent(),
  });
  expect(await shown('customers')).toEqual({
    label: ui(language, 'kpi.customers'),
    value: integer.format(truth.customers),
  });
  expect(await shown('buyers')).toEqual({
    label: ui(language, 'kpi.buyers'),
    value: integer.format(truth.buyers),
  });
  expect(await shown('marketable')).toEqual({
    label: ui(language, 'kpi.marketable'),
    value: integer.format(truth.marketable),
  });
  expect(await shown('revenue')).toEqual({
    label: ui(language, 'kpi.revenue12m'),
    value: euros.format(truth.revenueLast12Months),
  });
}

/** The search results (the language menu's options are options too). */
function results(page: Page, language: Language) {
  return page
    .getByRole('listbox', { name: ui(language, 'customers.search.resultsLabel') })
    .getByRole('option');
}

/** Searches as a user types and waits for the answer to the whole text. */
async function search(page: Page, language: Language, text: string): Promise<void> {
  const box = page.getByRole('combobox', { name: ui(language, 'customers.search.label') });
  await box.pressSequentially(text);
  await expect
    .poll(() =>
      page
        .getByRole('status')
        .filter({ hasText: ui(language, 'customers.search.searching') })
        .count(),
    )
    .toBe(0);
  await results(page, language).first().waitFor();
}

/** Opens every disclosure (chart tables, order lines), so the checks see what a user can open. */
async function openDisclosures(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const details of document.querySelectorAll('details')) details.open = true;
  });
  await settled(page);
}

describe('the workbench in web mode, in Chromium, on a demo shop', () => {
  it('opening the printed address swaps the token for an HttpOnly cookie and takes it out of the address bar', async () => {
    const context = await browser!.newContext();
    session!.contexts.push(context);
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    const response = await page.goto(server!.loginUrl);

    const redirect = response!.request().redirectedFrom();
    expect(redirect?.url()).toBe(server!.loginUrl);
    expect((await redirect!.response())?.status()).toBe(302);
    expect(response!.status()).toBe(200);
    expect(page.url()).toBe(server!.url);
    expect(await page.evaluate(() => window.location.href)).not.toContain(server!.token);
    const cookies = await context.cookies(server!.url);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', domain: '127.0.0.1' });
    expect(await page.evaluate(() => document.cookie)).toBe('');

    const csp = response!.headers()['content-security-policy'] ?? '';
    const port = new URL(server!.url).port;
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "frame-ancestors 'none'",
    ])
      expect(csp).toContain(directive);

    // The cookie alone now carries the API calls: the header names the workspace folder.
    await page.locator('.workspace__name').filter({ hasText: 'shop' }).waitFor();
    await settled(page);
    expect(errors).toEqual([]);
  });

  it('a customer found by part of their email shows every one of their orders', async () => {
    const { page, errors } = await openApp('en', '#/customers');
    await search(page, 'en', truth.customer.search);
    const options = results(page, 'en');
    expect(await options.count()).toBe(1);
    expect(await options.first().textContent()).toContain(truth.customer.email);
    await options.first().click();
    await profileShown(page, 'en');

    const orders = page.getByRole('region', { name: ui('en', 'profile.orders.title') });
    const listed = await orders.locator('.order__id').allTextContents();
    expect(listed.sort()).toEqual(truth.customer.orders);
    expect(await orders.locator('.panel__description').textContent()).toBe(
      ui('en', 'profile.orders.description_other').replace(
        '{{formatted}}',
        String(truth.customer.orders.length),
      ),
    );
    expect(errors).toEqual([]);
  });

  it.each(['en', 'de', 'xx'] as const)(
    // The Overview's KPIs per language are checked on the same page load (en and de formats).
    'every page renders in "%s" with each string translated and no serious axe-core violation; the Overview shows the KPIs SQL counts, formatted per language',
    async (language) => {
      const { page, errors } = await openApp(language, '#/overview');
      const check = async (name: string) => {
        expect(await page.locator('html').getAttribute('lang')).toBe(language === 'xx' ? 'en' : language);
        if (language !== 'xx') await saveScreenshot(page, `e2e-${name}-${language}`);
        await openDisclosures(page);
        if (language === 'xx') {
          expect(await untranslatedText(page), `untranslated text on ${name}`).toEqual([]);
        } else {
          expect(await missingTranslations(page), `missing translations on ${name}`).toEqual([]);
          expect(await seriousAxeViolations(page), `axe-core on ${name}`).toEqual([]);
        }
      };

      await overviewShown(page);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        ui(language, 'overview.title'),
      );
      if (language !== 'xx') await expectKpis(page, language);
      await check('overview');

      await page.getByRole('link', { name: ui(language, 'nav.customers') }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        ui(language, 'customers.title'),
      );
      await search(page, language, truth.customer.email.slice(0, 2));
      await check('customers');

      await page.goto(`${server!.url}#/customers/${truth.customer.id}`);
      await profileShown(page, language);
      await check('customer');
      expect(errors).toEqual([]);
    },
  );

  it('the page checks catch a string that skips t(), a missing translation and an image without alt text', async () => {
    const { page } = await openApp('xx', '#/customers');
    await settled(page);
    expect(await untranslatedText(page)).toEqual([]);
    await page.evaluate(() => {
      const stray = document.createElement('p');
      stray.textContent = 'Hard-coded label';
      const key = document.createElement('p');
      key.textContent = 'profile.orders.title';
      const image = document.createElement('img');
      image.src = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
      document.querySelector('main')!.append(stray, key, image);
    });
    expect(await untranslatedText(page)).toEqual(['Hard-coded label', 'profile.orders.title']);
    expect((await seriousAxeViolations(page)).join('\n')).toMatch(/^image-alt \(critical/m);
    // In a real language the key-shaped text is what i18next shows for a key missing from the resources.
    await page.getByRole('combobox', { name: ui('xx', 'shell.language') }).selectOption('en');
    await page.getByRole('heading', { level: 1, name: ui('en', 'customers.title') }).waitFor();
    expect(await missingTranslations(page)).toEqual(['profile.orders.title']);
  });

  it('refuses a browser without the token or cookie (401), with the CSP header on the refusal', async () => {
    const stranger = await browser!.newContext();
    session!.contexts.push(stranger);
    const page = await stranger.newPage();
    const callApi = () =>
      page.evaluate(async () => {
        const response = await fetch('/api/workspace/info', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        return { status: response.status, code: ((await response.json()) as { code?: string }).code };
      });

    const home = await page.goto(server!.url);
    expect(home?.status()).toBe(401);
    expect(home?.headers()['content-security-policy']).toContain("default-src 'self'");
    expect(await callApi()).toEqual({ status: 401, code: 'UNAUTHORIZED' });

    const wrongToken = await page.goto(`${server!.url}?token=${'A'.repeat(server!.token.length)}`);
    expect(wrongToken?.status()).toBe(401);
    expect(await stranger.cookies()).toEqual([]);

    // Control: the same call from a browser that opened the printed address gets through.
    const { page: member } = await openApp('en', '#/overview');
    const allowed = await member.evaluate(async () => {
      const response = await fetch('/api/workspace/info', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return response.status;
    });
    expect(allowed).toBe(200);
  });
});
