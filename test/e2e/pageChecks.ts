import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { findUntranslated } from './untranslated.ts';

/** Screenshots and page dumps of the UI tests; git-ignored (only the synthetic demo shop ever appears). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

let axeSource: string | undefined;

/** axe-core's serious and critical violations on the page as it is now, e.g. "color-contrast (serious, 3 nodes)". */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // page.evaluate runs through the DevTools protocol, which the page's CSP does not govern.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const { axe } = window as unknown as {
      axe: {
        run(): Promise<{
          violations: { id: string; impact?: string | null; nodes: { target: unknown }[] }[];
        }>;
      };
    };
    const result = await axe.run();
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? '',
      nodes: violation.nodes.length,
      first: JSON.stringify(violation.nodes[0]?.target ?? ''),
    }));
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}, ${v.nodes} nodes, e.g. ${v.first})`);
}

/**
 * UI text on the page that the pseudo-locale did not wrap in ⟦…⟧ (see findUntranslated), the document title
 * included: a string that skipped t().
 */
export async function untranslatedText(page: Page): Promise<string[]> {
  const found = await page.locator('body').evaluate(findUntranslated);
  const title = await page.title();
  if (/\p{L}/u.test(title.replace(/⟦[^⟧]*⟧/g, ''))) found.unshift(`<title>: ${title}`);
  return found;
}

/**
 * Text that looks like an i18next key ("profile.orders.title"): what i18next shows for a key missing from the
 * language's resource file (fallbackLng is off) outside data values, and pseudo-locale markers that leaked into
 * a real language.
 */
export function missingTranslations(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const key = /^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9_]+)+$/;
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim() ?? '';
      const isData = node.parentElement?.closest('[translate="no"]') !== null;
      if ((key.test(text) && !isData) || text.includes('⟦')) found.push(text);
    }
    return found;
  });
}

/** Collects what would show in the browser's console as an error: script errors, failed loads, CSP reports. */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
