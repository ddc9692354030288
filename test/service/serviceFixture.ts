import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/db/duckdb.ts';
import { FIXTURE_SQL, openFixture } from '../segments/fixtureShop.ts';

/** Minutes of work for DuckDB (10^14 row pairs), which no test waits for. */
export const ENDLESS =
  'select count(*) as n from range(1000000000) a, range(100000) b where a.range + b.range = -1';

export interface WorkspaceFolder {
  dir: string;
  remove(): Promise<void>;
}

/**
 * A workspace folder whose database holds the ten hand-made customers of test/segments/fixtureShop.ts (and a
 * build run), closed again so that a workspace service can open it.
 */
export async function fixtureWorkspace(): Promise<WorkspaceFolder> {
  const fixture = await openFixture();
  fixture.db.close();
  return { dir: fixture.dir, remove: () => rm(fixture.dir, { recursive: true, force: true }) };
}

/** A workspace made by an older version: dim_customers only, no c360 schema at all. */
export async function bareWorkspace(): Promise<WorkspaceFolder> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-bare-'));
  const db = await openDatabase(join(dir, 'workspace.duckdb'));
  await db.run(FIXTURE_SQL);
  db.close();
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A promise with its resolve, to hold a job until the test lets it go. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** The error a promise rejects with (the test fails when it resolves). */
export async function rejection(work: Promise<unknown>): Promise<Error & { code?: string }> {
  const outcome = await work.then(
    () => new Error('expected a rejection, but the call succeeded'),
    (error: unknown) => ({ error }),
  );
  if (outcome instanceof Error) throw outcome;
  if (!(outcome.error instanceof Error))
    throw new Error(`rejected with a non-error: ${String(outcome.error)}`);
  return outcome.error;
}
