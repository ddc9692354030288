import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';

/** Debian's Chromium (`.ci/run` installs it); the tests never download a browser. */
export const CHROMIUM_PATH = process.env.C360_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium for the UI tests. The flags keep it off the network: this machine refuses
 * outside connections, and Chromium's background services would otherwise retry them at every start.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) ` +
        'or set C360_CHROMIUM to its path.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
