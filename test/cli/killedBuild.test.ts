import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../core/db/duckdb.ts';
import { createDemoWorkspace, type DemoWorkspace } from '../e2e/demoWorkspace.ts';
import { runCli } from '../sync/cliProcess.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'c360.js');
let workspace: DemoWorkspace | undefined;
let dir: string;

beforeAll(async () => {
  // `c360 demo` + `c360 build` as a user runs them: the run's shared demo shop, copied
  workspace = await createDemoWorkspace();
  dir = workspace.dir;
}, 300_000);

afterAll(async () => {
  await workspace?.remove();
});

/** Starts `c360 build` and kills it with SIGKILL once the first model has been built. */
function buildKilledMidway(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '-w', dir, 'build'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    // progress lines go to stderr (stdout holds the result)
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/\] \S+\s+ok /.test(output)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`the build ended (${code}) before it was killed`)),
    );
  });
}

async function inspect(): Promise<{
  runs: Record<string, unknown>[];
  sideTables: number;
  customers: number;
}> {
  const db = await openDatabase(join(dir, 'workspace.duckdb'), { readOnly: true });
  try {
    const runs = await db.queryJson('select run_id, status from c360.build_runs order by started_at');
    const [side] = await db.queryJs(
      "select count(*)::integer as n from duckdb_tables() where suffix(table_name, '__c360_build')",
    );
    const [customers] = await db.queryJs('select count(*)::integer as n from main.dim_customers');
    return { runs, sideTables: Number(side?.n), customers: Number(customers?.n) };
  } finally {
    db.close();
  }
}

describe('a build killed with kill -9', () => {
  it('is recorded as interrupted, its side tables go at the next build, the published tables stay', async () => {
    const before = await inspect();
    await buildKilledMidway();
    const killed = await inspect();
    // the killed build left its row (running) and the tables it had made; the published tables are intact
    expect(killed.runs.at(-1)?.status).toBe('running');
    expect(killed.sideTables).toBeGreaterThan(0);
    expect(killed.customers).toBe(before.customers);

    const again = await runCli(['-w', dir, 'build'], {});
    expect(again.code, again.stderr).toBe(0);
    const after = await inspect();
    expect(after.runs.map((r) => r.status)).toEqual(['published', 'interrupted', 'published']);
    expect(after.sideTables).toBe(0);
    expect(after.customers).toBe(before.customers);
  }, 120_000);
});
