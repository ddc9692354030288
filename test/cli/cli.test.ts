import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'c360.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function c360(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the c360 command', () => {
  it('prints help with the commands and exit codes', async () => {
    const run = await c360(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['init', 'demo', 'load', 'build', 'test', 'show', 'models'])
      expect(run.stdout).toContain(command);
    expect(run.stdout).toContain('Exit codes');
  });

  it('ends quietly when its reader closes the pipe early (`c360 sync --help | head -1`)', async () => {
    const child = spawn(process.execPath, [BIN, 'sync', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // like `head -1`: read the first chunk, then close our end before the rest is written
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it('exits 2 on an unknown command and says what is available', async () => {
    const run = await c360(['buidl']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'buidl'/);
  });

  it('explains how to create a workspace when there is none', async () => {
    const run = await c360(['build', '--workspace', join(dir, 'nothing-here')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No workspace database .* Create one with `c360 demo`/);
  });

  it('rejects invalid demo options with exit 2 and the reason', async () => {
    const run = await c360(['demo', '--customers', '-5', '--workspace', join(dir, 'bad')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/customers must be at least 1/);
  });

  it('generates a demo shop, builds it and shows dim_customers as JSON', async () => {
    const ws = join(dir, 'ws');
    const demo = await c360([
      'demo',
      '--customers',
      '1500',
      '--seed',
      '3',
      '--as-of',
      '2026-06-30',
      '--workspace',
      ws,
    ]);
    expect(demo.stderr).toBe(demo.code === 0 ? demo.stderr : '');
    expect(demo.code).toBe(0);
    expect(await readFile(join(ws, 'c360.config.yaml'), 'utf8')).toMatch(/version: 1/);

    const build = await c360(['build', '--workspace', ws, '--var', 'as_of=2026-06-30', '--json']);
    expect(build.code).toBe(0);
    const result = JSON.parse(build.stdout) as { ok: boolean; models: { name: string }[] };
    expect(result.ok).toBe(true);
    expect(result.models.map((m) => m.name)).toContain('dim_customers');
    // stderr carries one JSON log object per line
    for (const line of build.stderr.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();

    const show = await c360(['show', 'dim_customers', '--limit', '2', '--json', '--workspace', ws]);
    expect(show.code).toBe(0);
    const shown = JSON.parse(show.stdout) as { rows: Record<string, unknown>[]; totalRows: number };
    expect(shown.rows).toHaveLength(2);
    expect(shown.totalRows).toBeGreaterThan(1000);
    expect(shown.rows[0]).toHaveProperty('lifecycle_stage');

    const tests = await c360(['test', '--workspace', ws]);
    expect(tests.code).toBe(0);
    expect(tests.stdout).toMatch(/\d+ passed, 0 failed/);

    const unknown = await c360(['show', 'dim_customer', '--workspace', ws]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/'dim_customer' is not a built model .* dim_customers/);
  });

  it('checks --var and vars: against sql/vars.yml and exits 2 with the reason before building', async () => {
    const ws = join(dir, 'vars');
    expect((await c360(['demo', '--customers', '50', '--workspace', ws])).code).toBe(0);
    const cases: [string, RegExp][] = [
      [
        'lifecycle_active_days=abc',
        /--var lifecycle_active_days: 'abc' is not a number; use a whole number from 1 to 3650 \(default 60\)/,
      ],
      ['as_of=2026-02-30', /--var as_of: 2026-02-30 is not a day of the calendar/],
      ['nonsense', /--var nonsense: expected name=value/],
      [
        'lifecycle_actve_days=45',
        /'lifecycle_actve_days' is not a model variable; did you mean lifecycle_active_days\?/,
      ],
    ];
    for (const [arg, message] of cases) {
      const run = await c360(['build', '--workspace', ws, '--var', arg]);
      expect({ arg, code: run.code }).toEqual({ arg, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/Building|\[ *1\//);
    }
    await writeFile(join(ws, 'c360.config.yaml'), 'version: 1\nvars:\n  upsell_min_score: 500\n');
    const config = await c360(['build', '--workspace', ws]);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(
      /c360\.config\.yaml vars: upsell_min_score: 500 is too large; use a whole number from 0 to 100/,
    );
  });

  it('refuses a header-only export with exit 1 and says how to force it; --force loads it', async () => {
    const ws = join(dir, 'ws-load');
    const exports = join(dir, 'exports');
    await mkdir(join(exports, 'zendesk'), { recursive: true });
    await writeFile(join(exports, 'zendesk', 'users.csv'), 'id,email,name,created_at\n');
    const refused = await c360(['load', exports, '--workspace', ws]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      'refused: zendesk/users.csv was not loaded: the file has no data rows. raw_zendesk.users keeps its 0 rows.',
    );
    expect(refused.stdout).toContain('c360 load --force');
    const json = await c360(['load', exports, '--workspace', ws, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).refused[0]).toMatchObject({
      file: 'zendesk/users.csv',
      reason: 'the file has no data rows',
    });
    const forced = await c360(['load', exports, '--workspace', ws, '--force']);
    expect(forced.code).toBe(0);
    const help = await c360(['load', '--help']);
    expect(help.stdout).toMatch(/--max-reject-share <share>[\s\S]*--force/);
  });
});
