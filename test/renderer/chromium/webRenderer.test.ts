import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { os } from '@orpc/server';
import { RPCHandler } from '@orpc/server/node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerSearchInput } from '../../../core/insights/schemas.ts';
import { RENDERER_OUTDIR } from '../../../scripts/buildRenderer.ts';
import { launchChromium } from '../../e2e/browser.ts';
import { ensureRendererBuilt } from '../../e2e/rendererBuild.ts';
import {
  ARTIFACTS_DIR as ARTIFACTS,
  recordPageErrors,
  seriousAxeViolations as axeSerious,
} from '../../e2e/pageChecks.ts';
import { fakeClient } from '../fixtures.ts';

/**
 * The built renderer in real Chromium behind the web mode's CSP (design15.md), talking oRPC over real HTTP to
 * a server whose procedures answer from the fixture client. Shows that the bundle needs no inline script or
 * style, that React's and recharts' style props (set through the CSSOM) still apply under `style-src 'self'`,
 * that the HTTP transport in renderer/src/api/connect.ts works, and that axe-core finds no serious problem.
 */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const fake = fakeClient();
const router = {
  workspace: { info: os.handler(() => fake.workspace.info()) },
  overview: { get: os.handler(() => fake.overview.get({})) },
  customers: {
    search: os.handler(({ input }) => fake.customers.search(input as CustomerSearchInput)),
    profile: os.handler(({ input }) => fake.customers.profile(input as { customerId: string })),
  },
};

let outdir: string;
let server: Server;
let origin: string;
let browser: Browser;

function csp(port: number): string {
  return (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`
  );
}

beforeAll(async () => {
  // The bundle `npm ci` built (renderer/dist), rebuilt only when a source is newer: a second Vite build of
  // the same sources for this file alone cost the run ~15 s of CPU. Only read here.
  await ensureRendererBuilt();
  outdir = RENDERER_OUTDIR;
  const handler = new RPCHandler(router);
  server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (url.pathname.startsWith('/api/')) {
        const { matched } = await handler.handle(request, response, { prefix: '/api', context: {} });
        if (matched) return;
        response.writeHead(404).end();
        return;
      }
      const file = normalize(join(outdir, url.pathname === '/' ? 'index.html' : url.pathname));
      if (!file.startsWith(outdir) || !existsSync(file) || !(await stat(file)).isFile()) {
        response.writeHead(404).end();
        return;
      }
      const port = (server.address() as { port: number }).port;
      response.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': csp(port),
      });
      response.end(await readFile(file));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Opens a page that records CSP violations and console errors. */
async function open(path: string): Promise<{ page: Page; violations: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'de-DE' });
  const page = await context.newPage();
  const violations: string[] = [];
  const errors = recordPageErrors(page);
  await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportViolation(text: string): void }).reportViolation(
        `${event.violatedDirective} ${event.blockedURI} ${event.sample}`,
      );
    });
  });
  await page.goto(`${origin}${path}`);
  return { page, violations, errors };
}

describe('the built renderer in Chromium under the web mode CSP', () => {
  it('the build has no inline script or style and loads relative to its folder', async () => {
    const html = await readFile(join(outdir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
    expect(html).toMatch(/src="\.\/assets\//);
    const assets = await readdir(join(outdir, 'assets'));
    expect(assets.some((name) => name.endsWith('.js'))).toBe(true);
  });

  it('renders the Overview with its charts without a CSP violation; style props apply, style attributes in markup are blocked', async () => {
    const { page, violations, errors } = await open('/#/overview');
    await page.getByRole('heading', { level: 2, name: 'Lebenszyklus' }).waitFor();
    expect(await page.locator('[data-kpi="aov"] .kpi__value').innerText()).toMatch(/^1\.234,56\s€$/);
    // recharts drew bars, and its wrapper's style prop (position: relative, set via the CSSOM) took effect.
    expect(await page.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(10);
    const position = await page
      .locator('.recharts-wrapper')
      .first()
      .evaluate((element) => getComputedStyle(element).position);
    expect(position).toBe('relative');
    // The stylesheet applied (a <link>, allowed by style-src 'self').
    const background = await page
      .locator('.topbar')
      .evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(background).toBe('rgb(255, 255, 255)');
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);

    // Control: a style attribute parsed from markup is blocked by the same policy, so the CSP is in force.
    const color = await page.evaluate(() => {
      const probe = document.createElement('div');
      probe.innerHTML = '<span style="color: rgb(255, 0, 0)">probe</span>';
      document.body.append(probe);
      return getComputedStyle(probe.firstElementChild!).color;
    });
    expect(color).not.toBe('rgb(255, 0, 0)');
    await expect.poll(() => violations.some((violation) => violation.startsWith('style-src'))).toBe(true);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'renderer-overview.png'), fullPage: true });
    await page.context().close();
  });

  it('finds a customer over HTTP as you type, opens the profile by keyboard, and passes axe-core', async () => {
    const { page, violations, errors } = await open('/#/customers');
    const input = page.getByRole('combobox', { name: 'Kunden suchen' });
    await input.pressSequentially('schmidt');
    await page.getByRole('option', { name: /Anna Schmidt/ }).waitFor();
    await input.press('Enter');
    await page.getByRole('heading', { level: 2, name: 'Anna Schmidt' }).waitFor();
    expect(page.url()).toMatch(/#\/customers\/c_000123$/);
    expect(await page.getByText('Espresso Bohnen 1 kg').count()).toBe(1);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    expect(await axeSerious(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'renderer-customer.png'), fullPage: true });
    await page.context().close();
  });

  it('the Overview passes axe-core with the chart tables open', async () => {
    const { page } = await open('/#/overview');
    await page.getByRole('heading', { level: 2, name: 'Lebenszyklus' }).waitFor();
    for (const summary of await page.locator('.chart__table summary').all()) await summary.click();
    expect(await axeSerious(page)).toEqual([]);
    await writeFile(join(ARTIFACTS, 'renderer-overview.html'), await page.content());
    await page.context().close();
  });
});
