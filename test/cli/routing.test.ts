import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type ApiClient } from '../../core/api/client/index.ts';
import { openDatabase } from '../../core/db/duckdb.ts';
import { readWorkspaceOwner } from '../../core/workspace/lock.ts';
import { c360, closedPort, fakeOwner, startWeb, stopWeb } from './ownerProcesses.ts';

// Two processes on one workspace (issue 15 §1 "Across processes"): `c360 web` owns a small demo workspace, and
// `c360` commands started meanwhile are routed to it (build) or told who holds it (everything else).

const TIMEOUT = 120_000;

let root: string;
let workspace: string;
let web: ChildProcessWithoutNullStreams | undefined;
let base: string;
let token: string;
let api: ApiClient;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'c360-routing-'));
  workspace = join(root, 'shop');
  const demo = await c360(['demo', '--customers', '200', '--workspace', workspace]);
  expect(demo.code, demo.stderr).toBe(0);
  const started = await startWeb(workspace);
  web = started.child;
  const match = /^Listening on (http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)$/.exec(started.line);
  expect(match, started.line).not.toBeNull();
  [, base, token] = match as unknown as [string, string, string];
  api = createHttpClient(base, { token });
}, TIMEOUT);

afterAll(async () => {
  if (web && web.exitCode === null) web.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

describe('a c360 command while `c360 web` owns the workspace', () => {
  it(
    'sends `c360 build` to the web server and prints its progress as a local build would',
    async () => {
      expect((await api.workspace.info()).lastBuild).toBeNull();
      const run = await c360(['build', '--workspace', workspace]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`sending the build there`);
      expect(run.stderr).toContain(`(pid ${web!.pid} on host ${hostname()}`);
      expect(run.stderr).toMatch(/^Building \d+ models \(as_of /m);
      expect(run.stderr).toMatch(/^\[\s*\d+\/\d+\] dim_customers\s+ok\s+[\d,]+ rows/m);
      expect(run.stderr).toMatch(/^Published \d+ tables in /m);
      const printed = /^Build ([0-9a-f]{8}) succeeded/m.exec(run.stdout)?.[1];
      expect(printed, run.stdout).toBeDefined();
      // The build ran in the web server's process: its service reports it as the last build.
      const info = await api.workspace.info();
      expect(info.lastBuild).toMatchObject({ ok: true, published: true });
      expect(info.lastBuild!.runId.startsWith(printed!)).toBe(true);
      expect(`${run.stdout}${run.stderr}`).not.toContain(token);
    },
    TIMEOUT,
  );

  it(
    'streams the same typed events as --json lines and returns the build summary as JSON',
    async () => {
      const run = await c360(['--json', 'build', '--workspace', workspace, '--select', 'dim_customers']);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as { runId: string; ok: boolean; models: { name: string }[] };
      expect(result.ok).toBe(true);
      expect(result.models.map((m) => m.name)).toContain('dim_customers');
      expect(result.models.length).toBeLessThan(30); // the selection, not the whole project
      const lines = run.stderr
        .trim()
        .split('\n')
        .map(
          (line) => JSON.parse(line) as { msg: string; event?: { type: string }; routedTo?: { pid: number } },
        );
      expect(lines[0]?.routedTo?.pid).toBe(web!.pid);
      expect(lines.map((line) => line.event?.type).filter(Boolean)).toEqual(
        expect.arrayContaining(['start', 'model_done', 'published']),
      );
      expect((await api.workspace.info()).lastBuild?.runId).toBe(result.runId);
      expect(run.stderr).not.toContain(token);
    },
    TIMEOUT,
  );

  it(
    'cancels the routed build on Ctrl-C and leaves the server serving',
    async () => {
      const before = (await api.workspace.info()).lastBuild?.runId;
      let sent = false;
      const run = await c360(['build', '--workspace', workspace], (stderr, child) => {
        if (!sent && /^Building \d+ models/m.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      expect(sent).toBe(true);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/asked to stop/);
      // The server recorded the cancelled build (nothing published) and answers the next call.
      let info = await api.workspace.info();
      for (let i = 0; i < 50 && info.lastBuild?.runId === before; i++) {
        await new Promise((done) => setTimeout(done, 100));
        info = await api.workspace.info();
      }
      expect(info.lastBuild?.runId).not.toBe(before);
      expect(info.lastBuild?.published).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'refuses any other command with exit 3, naming the web server and what to do',
    async () => {
      const run = await c360(['show', 'dim_customers', '--workspace', workspace]);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(`is in use by \`c360 web --workspace ${workspace} --no-open\``);
      expect(run.stderr).toContain(`pid ${web!.pid}`);
      expect(run.stderr).toContain(`Do this in the web page it serves (${base})`);
      expect(run.stderr).not.toMatch(/IO Error/);
      expect(run.stderr).not.toContain(token);

      const preview = await c360(['segments', 'list', '--workspace', workspace]);
      expect(preview.code).toBe(3);
      expect(preview.stderr).toContain(`pid ${web!.pid}`);
    },
    TIMEOUT,
  );

  it(
    'takes the workspace over from a stale owner file once the server is gone',
    async () => {
      await stopWeb(web);
      expect(await readWorkspaceOwner(workspace)).toBeUndefined();
      const dead = spawn(process.execPath, ['-e', '']);
      await new Promise((done) => dead.on('exit', done));
      await fakeOwner(workspace, { pid: dead.pid!, api: { url: base, token: 'stale-token-value' } });

      const run = await c360(['show', 'dim_customers', '--limit', '2', '--workspace', workspace]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('customer_id');
      const build = await c360(['build', '--workspace', workspace, '--select', 'dim_customers']);
      expect(build.code, build.stderr).toBe(0);
      expect(build.stderr).not.toContain('sending the build');
      expect(await readWorkspaceOwner(workspace)).toBeUndefined();
      const db = await openDatabase(join(workspace, 'workspace.duckdb'), { readOnly: true });
      try {
        const [runs] = await db.queryJs('select count(*)::integer as n from c360.build_runs');
        expect(runs?.n).toBe(4);
      } finally {
        db.close();
      }
    },
    TIMEOUT,
  );
});

describe('a c360 command whose workspace owner does not answer', () => {
  it(
    'fails with WORKSPACE_UNREACHABLE (exit 3), saying who holds it and what to do',
    async () => {
      const dir = join(root, 'unreachable');
      await mkdir(dir);
      // A live owner (this test's process) whose API address answers nothing.
      const secret = 'unreachable-owner-token-4f9a';
      await fakeOwner(dir, {
        pid: process.pid,
        api: { url: `http://127.0.0.1:${await closedPort()}`, token: secret },
      });
      const run = await c360(['--json', 'build', '--workspace', dir]);
      expect(run.code, run.stderr).toBe(3);
      const error = run.stderr
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: string; code?: string; msg: string })
        .find((line) => line.level === 'error');
      expect(error?.code).toBe('WORKSPACE_UNREACHABLE');
      expect(error?.msg).toContain(`(pid ${process.pid} on host ${hostname()}`);
      expect(error?.msg).toMatch(/did not answer at http:\/\/127\.0\.0\.1:\d+/);
      expect(error?.msg).toMatch(/stop it .*and run the command again/);
      expect(run.stderr).not.toContain(secret);
    },
    TIMEOUT,
  );
});
