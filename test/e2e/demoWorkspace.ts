import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DATABASE_FILE } from '../../core/workspace/workspace.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'c360.js');

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

/** A built demo shop in a fresh folder, made the way a user makes one: `c360 demo` then `c360 build`. */
export async function createDemoWorkspace(customers: number): Promise<DemoWorkspace> {
  const parent = await mkdtemp(join(tmpdir(), 'c360-e2e-'));
  const dir = join(parent, 'shop');
  const remove = () => rm(parent, { recursive: true, force: true });
  try {
    await c360(['demo', '--customers', String(customers), '-w', dir]);
    await c360(['build', '-w', dir]);
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, database: join(dir, DATABASE_FILE), remove };
}
