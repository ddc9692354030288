import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { DATABASE_FILE } from '../../core/workspace/workspace.ts';
import { sharedFolder } from '../sharedFolder.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'c360.js');

/** Customers of the shared demo shop: enough for every chart and segment to have members, quick to build. */
export const DEMO_CUSTOMERS = 2000;

export interface DemoWorkspace {
  dir: string;
  /** The workspace's database file. */
  database: string;
  remove(): Promise<void>;
}

async function c360(args: string[]): Promise<void> {
  try {
    await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, CI: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`c360 ${args.join(' ')} failed:\n${stderr || stdout || String(error)}`);
  }
}

/**
 * The demo shop as a user makes one: `c360 demo`, `c360 segments init` (the built-in templates), `c360 build`
 * (the models and the templates' seg_ tables).
 */
async function makeShop(dir: string): Promise<void> {
  await c360(['demo', '--customers', String(DEMO_CUSTOMERS), '-w', dir]);
  await c360(['segments', 'init', '-w', dir]);
  await c360(['build', '-w', dir]);
}

/**
 * The shop is made once per test run (test/e2eShop.globalSetup.ts gives every test file the same folder) and
 * each file works on its own copy: a build takes tens of seconds on a busy 2-core machine, a copy milliseconds.
 */
function sharedShop(): Promise<string> {
  return sharedFolder(inject('e2eShopRoot'), 'shop', makeShop);
}

/** A copy of the built demo shop (with the built-in templates) in a fresh folder of its own. */
export async function createDemoWorkspace(): Promise<DemoWorkspace> {
  const parent = await mkdtemp(join(tmpdir(), 'c360-e2e-'));
  const dir = join(parent, 'shop');
  const remove = () => rm(parent, { recursive: true, force: true });
  try {
    await cp(await sharedShop(), dir, { recursive: true });
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, database: join(dir, DATABASE_FILE), remove };
}
