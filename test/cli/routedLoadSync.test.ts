import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type ApiClient } from '../../core/api/client/index.ts';
import { openDatabase } from '../../core/db/duckdb.ts';
import { readPlanFile, type SyncOutcome } from '../../core/sync/index.ts';
import { OWNER_FILE, STATE_DIR } from '../../core/workspace/lock.ts';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { buildBaseWorkspace, SYNC_BASE, writeTestConfig } from '../sync/syncWorkspace.ts';
import { c360 as runC360, closedPort, fakeOwner, startWeb as startOwner, stopWeb } from './ownerProcesses.ts';

// `c360 load` and `c360 sync` while `c360 web` owns the workspace (issue 15 §1 "Across processes"): the call goes
// to the web server over the API, the load's files as contents, the sync with the server's own Klaviyo key, and
// the CLI prints the same progress, summary and --json lines as a local run.

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'exports');
const TIMEOUT = 180_000;

let root: string;
let workspace: string;
let exportsDir: string;
let fake: KlaviyoFake;
let web: ChildProcessWithoutNullStreams | undefined;
let base: string;
let token: string;
let api: ApiClient;

/** The CLI's environment: no Klaviyo key, no Klaviyo address. */
function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.KLAVIYO_API_KEY;
  delete env.KLAVIYO_BASE_URL;
  return env;
}

/** The CLI without a Klaviyo key: a routed sync must use the owner's. */
const c360 = (args: string[], onStderr?: Parameters<typeof runC360>[1]) => runC360(args, onStderr, cliEnv());

/** `c360 web` with the Klaviyo key (of the fake) in its environment: the key source of the owner. */
const startWeb = (dir: string) =>
  startOwner(dir, { ...cliEnv(), KLAVIYO_API_KEY: fake.apiKey, KLAVIYO_BASE_URL: fake.url });

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const USERS = 7;

beforeAll(async () => {
  fake = await startKlaviyoFake({ rateLimits: 'off' });
  root = await mkdtemp(join(tmpdir(), 'c360-routed-'));
  workspace = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  await writeTestConfig(workspace);
  exportsDir = join(root, 'exports');
  await mkdir(join(exportsDir, 'zendesk'), { recursive: true });
  await writeFile(
    join(exportsDir, 'zendesk', 'users.csv'),
    [
      'id,email,name,created_at',
      ...Array.from(
        { length: USERS },
        (_, i) => `${i + 1},u${i + 1}@example.com,User ${i + 1},2026-01-0${i + 1}`,
      ),
      '',
    ].join('\n'),
  );
  await copyFile(join(FIXTURES, 'shopify-orders-excel-de.csv'), join(exportsDir, 'shopify__orders.csv'));
  await writeFile(join(exportsDir, 'README.txt'), 'not an export');
  await mkdir(join(exportsDir, 'archive', '2025'), { recursive: true });

  const started = await startWeb(workspace);
  web = started.child;
  const match = /^Listening on (http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)$/.exec(started.line);
  expect(match, started.line).not.toBeNull();
  [, base, token] = match as unknown as [string, string, string];
  api = createHttpClient(base, { token });
}, TIMEOUT);

afterAll(async () => {
  if (web && web.exitCode === null) web.kill('SIGKILL');
  await fake?.close();
  await rm(root, { recursive: true, force: true });
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

describe('c360 load while `c360 web` owns the workspace', () => {
  it(
    'sends the files as contents to the web server and prints the per-file progress and summary',
    async () => {
      const run = await c360(['load', exportsDir, '--workspace', workspace]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('sending the load there');
      expect(run.stderr).toContain(`(pid ${web!.pid} on host ${hostname()}`);
      expect(run.stderr).toMatch(/^ {2}zendesk\/users\.csv\s+loaded\s+7 rows/m);
      expect(run.stderr).toMatch(/^ {2}shopify__orders\.csv\s+loaded\s+4 rows/m);
      expect(run.stderr).toMatch(/shopify__orders\.csv: read as .*Windows-1252/);
      expect(run.stderr).toMatch(/README\.txt was not loaded: not a \.csv/);
      expect(run.stderr).toMatch(/archive\/2025 was not loaded: folders are only read one level deep/);
      expect(run.stdout).toMatch(/zendesk\/users\.csv\s+│?\s*raw_zendesk\.users/);
      expect(run.stdout).toContain('Loaded. Next: c360 build');
      expect(`${run.stdout}${run.stderr}`).not.toContain(token);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/c360-load-/);
    },
    TIMEOUT,
  );

  it(
    'prints the same typed events as --json lines and the load report as JSON',
    async () => {
      const run = await c360(['--json', 'load', exportsDir, '--workspace', workspace]);
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as { dir: string; files: { file: string; rowsLoaded: number }[] };
      expect(report.dir).toBe(exportsDir);
      expect(report.files.map((f) => [f.file, f.rowsLoaded])).toEqual([
        ['shopify__orders.csv', 4],
        ['zendesk/users.csv', USERS],
      ]);
      const lines = jsonLines(run.stderr);
      expect((lines[0]?.routedTo as { pid: number } | undefined)?.pid).toBe(web!.pid);
      expect(lines.filter((line) => line.status === 'loaded').map((line) => line.file)).toEqual([
        'shopify__orders.csv',
        'zendesk/users.csv',
      ]);
    },
    TIMEOUT,
  );

  it(
    'brings back why a bad file was not loaded, and exits 1',
    async () => {
      const bad = join(root, 'bad');
      await mkdir(join(bad, 'zendesk'), { recursive: true });
      await copyFile(join(FIXTURES, 'zendesk-users-short-row.csv'), join(bad, 'zendesk', 'users.csv'));
      const run = await c360(['load', bad, '--workspace', workspace]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/zendesk\/users\.csv\s+failed/);
      expect(run.stdout).toMatch(/error: .*line 4 has 3 fields, the header has 4/);
      expect(run.stdout).toContain('zendesk.users was left unchanged');
      expect(run.stdout).not.toMatch(/c360-load-/);
    },
    TIMEOUT,
  );

  it(
    'refuses an upload over the cap with PAYLOAD_TOO_LARGE and what to do, sending nothing',
    async () => {
      const big = join(root, 'big');
      await mkdir(big);
      // sparse: 300 MB on paper, nothing on disk
      const handle = await open(join(big, 'zendesk__users.csv'), 'w');
      await handle.truncate(300 * 1024 * 1024);
      await handle.close();
      const run = await c360(['--json', 'load', big, '--workspace', workspace]);
      expect(run.code, run.stderr).toBe(2);
      const error = jsonLines(run.stderr).find((line) => line.level === 'error');
      expect(error?.code).toBe('PAYLOAD_TOO_LARGE');
      expect(error?.msg).toMatch(/300 MB together, over the 256 MB/);
      expect(String(error?.msg) + String(error?.hint ?? '')).toMatch(/Compress the exports/);
    },
    TIMEOUT,
  );
});

describe('c360 sync while `c360 web` owns the workspace', () => {
  let planFile: string;

  it(
    'plans a dry run in the web server with its Klaviyo key and writes --plan-out here',
    async () => {
      planFile = join(root, 'plan.json');
      const run = await c360([
        '--json',
        'sync',
        'profiles',
        '--dry-run',
        '--plan-out',
        planFile,
        '--workspace',
        workspace,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const outcome = JSON.parse(run.stdout) as SyncOutcome;
      expect(outcome.status).toBe('planned');
      // The CLI has no key: a local run would say so in its note; the server planned with its own key.
      expect(outcome.note).toBeNull();
      // … and the plan names the account of the server's key, also in the plan file written here
      expect(outcome.plan.account).toEqual({ id: fake.account.id, name: fake.account.organization_name });
      expect(outcome.plan.targets[0]).toMatchObject({ sync: 'profiles' });
      expect(outcome.plan.writeCalls).toBeGreaterThan(0);
      const saved = await readPlanFile(planFile);
      expect(saved).toEqual(outcome.plan);
      expect((jsonLines(run.stderr)[0]?.routedTo as { pid: number } | undefined)?.pid).toBe(web!.pid);
      expect(fake.writeRequests()).toEqual([]);
      expect(`${run.stdout}${run.stderr}`).not.toContain(fake.apiKey);
    },
    TIMEOUT,
  );

  it(
    'applies a reviewed plan sent as its content, printing the apply progress and the run summary',
    async () => {
      const run = await c360(['sync', '--plan', planFile, '--approve', '--workspace', workspace]);
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stderr).toContain('sending the sync there');
      expect(run.stderr).toMatch(/profiles \S+: \d+\/\d+/);
      expect(run.stdout).toMatch(/Run \S+: SUCCEEDED/);
      const plan = await readPlanFile(planFile);
      const target = plan.targets[0];
      expect(target?.sync).toBe('profiles');
      // The profiles reached Klaviyo with the server's key (the CLI's environment has none).
      expect(fake.writeRequests().length).toBeGreaterThan(0);
      expect(fake.state.profiles.size).toBeGreaterThan(0);
      expect(`${run.stdout}${run.stderr}`).not.toContain(fake.apiKey);
    },
    TIMEOUT,
  );

  it(
    'tells a stale reviewed plan apart (SYNC_BLOCKED, exit 2) with what to do',
    async () => {
      const run = await c360(['sync', '--plan', planFile, '--workspace', workspace]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/is stale/);
      expect(run.stderr).toMatch(/--dry-run --plan-out FILE/);
    },
    TIMEOUT,
  );
});

describe('Ctrl-C of a routed sync', () => {
  it(
    'cancels the call in the web server and leaves it serving',
    async () => {
      // Klaviyo answers slowly, and Ctrl-C comes with the first write call: the apply has begun in the server.
      fake.setFaults({ slow: 1, slowMs: 1000 });
      let cli: ChildProcessWithoutNullStreams | undefined;
      let sent = false;
      const unsubscribe = fake.onRequest(({ method }) => {
        if (method === 'GET' || sent || !cli) return;
        sent = true;
        cli.kill('SIGINT');
      });
      const run = await c360(['sync', 'events', '--approve', '--workspace', workspace], (_stderr, child) => {
        cli = child;
      });
      unsubscribe();
      fake.setFaults(undefined);
      expect(sent).toBe(true);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/asked to stop the work/);
      // the server noticed: the next routed call is not queued behind a sync that goes on
      const next = await c360(['--json', 'sync', 'profiles', '--dry-run', '--workspace', workspace]);
      expect(next.code, next.stderr).toBe(0);
      expect((JSON.parse(next.stdout) as SyncOutcome).status).toBe('planned');
    },
    TIMEOUT,
  );
});

describe('after the routed calls', () => {
  it(
    'the web server’s database holds the loaded rows',
    async () => {
      expect((await api.workspace.info()).name).toBeTruthy();
      await stopWeb(web);
      const db = await openDatabase(join(workspace, 'workspace.duckdb'), { readOnly: true });
      try {
        const [users] = await db.queryJs('select count(*)::integer as n from raw_zendesk.users');
        expect(users?.n).toBe(USERS);
        const [orders] = await db.queryJs('select count(*)::integer as n from raw_shopify.orders');
        expect(orders?.n).toBe(4);
        // the routed runs were the server's: the applied plan succeeded, the one stopped with Ctrl-C did not
        const runs = await db.queryJs('select syncs, status from c360.sync_runs order by started_at');
        expect(runs.map((r) => `${String(r.syncs)} ${String(r.status)}`)).toEqual([
          'profiles succeeded',
          expect.stringMatching(/^events (cancelled|interrupted|partial)$/),
        ]);
      } finally {
        db.close();
      }
    },
    TIMEOUT,
  );
});

describe('c360 load whose workspace owner does not answer', () => {
  it(
    'fails with WORKSPACE_UNREACHABLE (exit 3), saying who holds it and what to do',
    async () => {
      const dir = join(root, 'unreachable');
      const secret = 'unreachable-owner-token-77aa';
      await fakeOwner(dir, {
        pid: process.pid,
        api: { url: `http://127.0.0.1:${await closedPort()}`, token: secret },
      });
      const run = await c360(['--json', 'load', exportsDir, '--workspace', dir]);
      expect(run.code, run.stderr).toBe(3);
      const error = jsonLines(run.stderr).find((line) => line.level === 'error');
      expect(error?.code).toBe('WORKSPACE_UNREACHABLE');
      expect(error?.msg).toContain(`(pid ${process.pid} on host ${hostname()}`);
      expect(error?.msg).toMatch(/stop it .*and run the command again/);
      expect(run.stderr).not.toContain(secret);
      expect(await readFile(join(dir, STATE_DIR, OWNER_FILE), 'utf8')).toContain(secret);
    },
    TIMEOUT,
  );
});
