import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { recordPageErrors } from './pageChecks.ts';
import { INTL_LOCALE, LANGUAGE_STORAGE_KEY, type Language } from './uiStrings.ts';

/** A logged-in browser on a running `c360 web`: what every page of a test file opens from. */
export interface AppSession {
  browser: Browser;
  /** The cookies of a context that opened the server's login address. */
  storageState: Awaited<ReturnType<BrowserContext['storageState']>>;
  /** The server's base URL (without the token). */
  url: string;
  /** Contexts opened here, for the test file to close after each test. */
  contexts: BrowserContext[];
}

/** A new browser tab with the session cookie, showing the app in `language` at `hash`. */
export async function openApp(
  session: AppSession,
  language: Language,
  hash: string,
): Promise<{ page: Page; errors: string[] }> {
  const context = await session.browser.newContext({
    storageState: session.storageState,
    locale: INTL_LOCALE[language],
    viewport: { width: 1360, height: 900 },
  });
  session.contexts.push(context);
  await context.addInitScript(([key, value]) => window.localStorage.setItem(key, value), [
    LANGUAGE_STORAGE_KEY,
    language,
  ] as const);
  const page = await context.newPage();
  const errors = recordPageErrors(page);
  const response = await page.goto(`${session.url}${hash}`);
  expect(response?.status()).toBe(200);
  return { page, errors };
}

/** Every query of the page answered: no loading placeholder left. */
export async function settled(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.state--loading').count(), { timeout: 30_000 }).toBe(0);
}

/**
 * Logs `browser` in to a running `c360 web` once (opens the printed address, which swaps the token for the
 * session cookie) and returns the session every page of the test file opens from. Close `contexts` after
 * each test.
 */
export async function loggedInSession(
  browser: Browser,
  server: { url: string; loginUrl: string },
): Promise<AppSession> {
  const login = await browser.newContext();
  try {
    await (await login.newPage()).goto(server.loginUrl);
    return { browser, storageState: await login.storageState(), url: server.url, contexts: [] };
  } finally {
    await login.close();
  }
}
