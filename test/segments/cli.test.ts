import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerSegmentCommands } from '../../core/cli/commands/segments.ts';
import type { GlobalOptions } from '../../core/cli/common.ts';
import { openFixture, type Fixture } from './fixtureShop.ts';

/** The `c360 segments …` commands, run in-process against the hand-made workspace. */
let fixture: Fixture;

beforeAll(async () => {
  fixture = await openFixture();
  fixture.db.close(); // the commands open the workspace themselves
  await mkdir(join(fixture.dir, 'segments'));
  await writeFile(
    join(fixture.dir, 'segments', 'winback.yaml'),
    'name: winback\nrules:\n  - column: days_since_last_order\n    op: ">="\n    value: 60\nproperties: [winback_stage]\n',
  );
});
afterAll(async () => fixture.close());
afterEach(() => {
  process.exitCode = undefined;
});

async function c360(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command().exitOverride().option('-w, --workspace <dir>').option('--json', '', false);
  registerSegmentCommands(program, () => program.opts<GlobalOptions>());
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    await program.parseAsync(['node', 'c360', '--workspace', fixture.dir, ...args]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { code: Number(process.exitCode ?? 0), stdout, stderr };
}

describe('c360 segments', () => {
  it('validate passes for good files', async () => {
    const run = await c360('segments', 'validate');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/1 segments are valid: winback/);
  });

  it('preview prints the count, funnel and breakdowns as tables', async () => {
    const run = await c360('segments', 'preview', 'winback');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Segment winback: 5 members = 50\.0 % of 10 customers, as of 2026-06-30/);
    expect(run.stdout).toMatch(/days_since_last_order ≥ 60/);
    expect(run.stdout).toMatch(/By winback_stage/);
  });

  it('preview --json prints one JSON document', async () => {
    const run = await c360('--json', 'segments', 'preview', 'winback', '--sample', '2');
    const preview = JSON.parse(run.stdout) as {
      count: number;
      sample: { rows: unknown[] };
      funnel: unknown[];
    };
    expect(preview.count).toBe(5);
    expect(preview.sample.rows).toHaveLength(2);
    expect(preview.funnel).toHaveLength(3);
  });

  it('snapshot, list and explain work together', async () => {
    expect((await c360('segments', 'snapshot', 'winback')).stdout).toMatch(/5 members \(5 entered, 0 left/);
    const list = await c360('--json', 'segments', 'list');
    expect(JSON.parse(list.stdout).segments[0]).toMatchObject({ name: 'winback', count: 5, delta: 0 });
    const explain = await c360('segments', 'explain', 'winback', '--customer', 'c01@example.com');
    expect(explain.stdout).toMatch(
      /c01 <c01@example\.com> is NOT a member of winback: fails at "days_since_last_order ≥ 60"/,
    );
    expect(explain.stdout).toMatch(/not a member then and now/);
  });

  it('validate exits 2 and points at the file and line of an unknown column', async () => {
    await writeFile(
      join(fixture.dir, 'segments', 'broken.yaml'),
      'name: broken\nrules:\n  - column: days_since_last_oder\n    op: ">="\n    value: 60\n',
    );
    const run = await c360('segments', 'validate');
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /broken\.yaml:3:\d+: rules\.0\.column: 'days_since_last_oder' is not a column of dim_customers; did you mean days_since_last_order/,
    );
  });

  it('preview of a broken segment exits 2 with the problem', async () => {
    const run = await c360('segments', 'preview', 'broken');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error: .*broken\.yaml:3/);
  });

  it('explain of an unknown customer exits 1', async () => {
    const run = await c360('segments', 'explain', 'winback', '--customer', 'nobody@example.com');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No customer with id or email 'nobody@example.com'/);
  });
});
