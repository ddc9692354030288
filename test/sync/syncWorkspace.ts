import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openDatabase } from '../../core/db/duckdb.ts';
import { generateDemoShop } from '../../core/demo/index.ts';
import { runBuild } from '../../core/models/index.ts';
import { copyTemplates, SEGMENTS_DIR } from '../../core/segments/index.ts';
import { runSync, type SyncOutcome, type SyncRequest } from '../../core/sync/index.ts';
import { openWorkspace } from '../../core/workspace/index.ts';
import type { KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { sharedFolder } from '../sharedFolder.ts';

/**
 * Demo workspaces for sync tests: each size (customers, seed) is generated and built once per test run and
 * shared by every file that asks for it (test/syncBase.globalSetup.ts); a file gets its own copy, and copies
 * that per test. Files agree on SYNC_BASE unless their behaviour needs other data: every other size costs the
 * run one more build.
 */

export const AS_OF = '2026-06-30';

/** The size most sync tests share: enough marketable customers in every template segment, quick to sync. */
export const SYNC_BASE = { customers: 400, seed: 5 } as const;

async function makeBase(dir: string, customers: number, seed: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const db = await openDatabase(join(dir, 'workspace.duckdb'));
  try {
    await generateDemoShop(db, { customers, seed, asOf: AS_OF });
    const build = await runBuild(db, { vars: { as_of: AS_OF } });
    if (!build.ok) throw new Error('demo build failed');
  } finally {
    db.close();
  }
  await copyTemplates(join(dir, SEGMENTS_DIR));
}

/** A folder of the caller's own (remove it with `removeDir`) holding the built demo shop of this size. */
export async function buildBaseWorkspace(customers = 1500, seed = 11): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-sync-base-'));
  const root = inject('syncBaseRoot');
  if (!root) {
    // run without the globalSetup (another config): build privately
    await makeBase(dir, customers, seed);
    return dir;
  }
  const shared = await sharedFolder(root, `base-${customers}-${seed}`, (into) =>
    makeBase(into, customers, seed),
  );
  await cp(shared, dir, { recursive: true });
  return dir;
}

export interface TestConfig {
  guardrails?: Record<string, unknown>;
  lists?: Record<string, unknown>;
  profiles?: Record<string, unknown>;
  events?: Record<string, unknown>;
  klaviyo?: Record<string, unknown>;
}

/** A copy of the base workspace with a config that paces for the fake (limits × 100) and polls fast. */
export async function cloneWorkspace(base: string, config: TestConfig = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-sync-'));
  await cp(base, dir, { recursive: true });
  await writeTestConfig(dir, config);
  return dir;
}

export async function writeTestConfig(dir: string, config: TestConfig = {}): Promise<void> {
  const sync = {
    ...config,
    klaviyo: { rate_limit_scale: 100, poll_interval_ms: 10, request_timeout_seconds: 5, ...config.klaviyo },
  };
  await writeFile(
    join(dir, 'c360.config.yaml'),
    `version: 1\nvars:\n  as_of: "${AS_OF}"\nsync: ${JSON.stringify(sync)}\n`,
  );
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function fakeEnv(fake: KlaviyoFake): NodeJS.ProcessEnv {
  return { KLAVIYO_API_KEY: fake.apiKey, KLAVIYO_BASE_URL: fake.url };
}

export async function syncOnce(
  dir: string,
  fake: KlaviyoFake | undefined,
  request: Partial<SyncRequest> = {},
): Promise<SyncOutcome> {
  const ws = await openWorkspace(dir);
  try {
    return await runSync(
      { db: ws.db, config: ws.config.sync, dir: ws.dir, projectDir: ws.projectDir },
      // A saved plan applies to its own syncs: all three are the default only without one.
      { ...(request.plan ? {} : { syncs: ['profiles', 'lists', 'events'] }), ...request },
      { env: fake ? fakeEnv(fake) : {} },
    );
  } finally {
    ws.close();
  }
}

/** Runs one statement on the workspace (e.g. to change its data between syncs). */
export async function execute(dir: string, sql: string, params: string[] = []): Promise<void> {
  const ws = await openWorkspace(dir);
  try {
    await ws.db.run(sql, params);
  } finally {
    ws.close();
  }
}

export async function query<T = Record<string, unknown>>(dir: string, sql: string): Promise<T[]> {
  const ws = await openWorkspace(dir, { readOnly: true });
  try {
    return (await ws.db.queryJson(sql)) as T[];
  } finally {
    ws.close();
  }
}
