import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { runSync, showRun, type SyncOutcome } from '../../core/sync/index.ts';
import { openWorkspace } from '../../core/workspace/index.ts';
import { runCli } from './cliProcess.ts';
import { switchableProxy } from './switchableProxy.ts';
import {
  buildBaseWorkspace,
  cloneWorkspace,
  fakeEnv,
  query,
  removeDir,
  SYNC_BASE,
  syncOnce,
  type TestConfig,
} from './syncWorkspace.ts';

/**
 * Publishing never lies (issue 16): a lost create answer makes no second list; an unreachable Klaviyo fails
 * within seconds and leaves nothing "in flight"; the run record holds what Klaviyo acknowledged even when the
 * apply stops on a fault or a cancellation.
 */

let base: string;
let fake: KlaviyoFake;

beforeAll(async () => {
  base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  fake = await startKlaviyoFake({ rateLimits: { scale: 100 }, jobDelayMs: 10 });
}, 180_000);
afterAll(async () => {
  await fake.close();
  await removeDir(base);
});

async function syncWith(
  dir: string,
  env: NodeJS.ProcessEnv,
  syncs: ('profiles' | 'lists' | 'events')[],
  signal?: AbortSignal,
): Promise<SyncOutcome> {
  const ws = await openWorkspace(dir);
  try {
    return await runSync(
      { db: ws.db, config: ws.config.sync, dir: ws.dir, projectDir: ws.projectDir },
      { syncs, approve: true },
      { env, ...(signal ? { signal } : {}) },
    );
  } finally {
    ws.close();
  }
}

/** A port nothing listens on: bound once by this process, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const FAST: TestConfig = { klaviyo: { max_attempts: 2 } };

describe('list creation is idempotent', () => {
  it('creates answered by a dropped connection (processed by Klaviyo) leave one list per segment', async () => {
    fake.reset();
    fake.setFaults({ dropAnswers: { method: 'POST', path: '^/api/lists$', count: 3 } });
    const dir = await cloneWorkspace(base);
    try {
      const outcome = await syncOnce(dir, fake, { syncs: ['lists'], approve: true });
      const lost = fake.state.requests.filter((r) => r.fault === 'dropAfterProcessing');
      expect(lost.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill('POST /api/lists'));
      expect(outcome.status, outcome.error ?? '').toBe('succeeded');
      const planned = outcome.plan.targets.flatMap((t) => (t.sync === 'lists' ? [t.listName] : []));
      expect(planned.length).toBeGreaterThan(3);
      const names = [...fake.state.lists.values()].map((l) => l.name).sort();
      expect(names).toEqual([...planned].sort());
      // The lists recorded are the ones Klaviyo holds, members included.
      const recorded = await query<{ segment: string; list_id: string }>(
        dir,
        'select segment, list_id from c360.sync_lists',
      );
      for (const r of recorded) expect(fake.state.lists.has(r.list_id)).toBe(true);
      // A second run finds every list by name: no create at all.
      fake.setFaults(undefined);
      const before = fake.state.requests.length;
      await syncOnce(dir, fake, { syncs: ['lists'], approve: true });
      const creates = fake.state.requests
        .slice(before)
        .filter((r) => r.method === 'POST' && r.path === '/api/lists');
      expect(creates).toEqual([]);
      expect(fake.state.lists.size).toBe(planned.length);
    } finally {
      fake.setFaults(undefined);
      await removeDir(dir);
    }
  });
});

describe('an unreachable Klaviyo fails fast and sends nothing twice', () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['an unresolvable host', async () => 'http://c360-no-such-host.invalid', /c360-no-such-host\.invalid/],
    ['a closed port', async () => `http://127.0.0.1:${await closedPort()}`, /127\.0\.0\.1:\d+.*ECONNREFUSED/],
  ];
  it.each(cases)(
    'c360 sync against %s exits 1 within seconds, naming the host and what to check',
    async (_, url, host) => {
      const dir = await cloneWorkspace(base);
      try {
        const started = Date.now();
        const result = await runCli(['sync', '--approve', '-w', dir], {
          KLAVIYO_API_KEY: fake.apiKey,
          KLAVIYO_BASE_URL: await url(),
        });
        const seconds = (Date.now() - started) / 1000;
        const output = result.stdout + result.stderr;
        expect(result.code, output).toBe(1);
        expect(output).toMatch(/Klaviyo cannot be reached at/);
        expect(output).toMatch(host);
        expect(output).toMatch(/KLAVIYO_BASE_URL/);
        // Three attempts 0.5 s and 1 s apart (the message says how long they took), not minutes of backoff;
        // the wall-clock bound is loose for a loaded machine, where the CLI's start alone takes seconds.
        const tried = /(\d+) attempts in ([\d.]+) s/.exec(output);
        expect(tried?.[1]).toBe('3');
        expect(Number(tried?.[2])).toBeLessThan(5);
        expect(seconds).toBeLessThan(60);
      } finally {
        await removeDir(dir);
      }
    },
  );

  it('events whose requests never left are not "in flight": the next run sends them in bulk, not one by one', async () => {
    fake.reset();
    const dir = await cloneWorkspace(base, FAST);
    // Klaviyo answers the account read, then the network goes away before the first event request.
    const proxy = await switchableProxy(fake.port, { downAfterFirstResponse: true });
    try {
      const failed = await syncWith(dir, { KLAVIYO_API_KEY: fake.apiKey, KLAVIYO_BASE_URL: proxy.url }, [
        'events',
      ]);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/Klaviyo cannot be reached at 127\.0\.0\.1:\d+.*ECONNREFUSED/);
      expect(failed.error).toMatch(/Check the network .*KLAVIYO_BASE_URL/);
      expect(failed.results[0]).toMatchObject({ sync: 'events', sent: 0, succeeded: 0 });
      const [inflight] = await query<{ n: bigint }>(
        dir,
        'select count(*) as n from c360.sync_event_inflight',
      );
      expect(Number(inflight!.n)).toBe(0);
      expect(fake.state.requests.filter((r) => r.path !== '/api/accounts')).toEqual([]);

      const before = fake.state.requests.length;
      const again = await syncWith(dir, fakeEnv(fake), ['events']);
      expect(again.status, again.error ?? '').toBe('succeeded');
      const plan = again.plan.targets[0]!;
      if (plan.sync !== 'events') throw new Error('events plan expected');
      expect(plan.send).toBeGreaterThan(0);
      const sent = fake.state.requests.slice(before).filter((r) => r.method === 'POST');
      expect(sent.filter((r) => r.path === '/api/events')).toEqual([]);
      expect(sent.filter((r) => r.path === '/api/event-bulk-create-jobs').length).toBe(
        Math.ceil(plan.send / 1000),
      );
      expect(again.results[0]).toMatchObject({ sent: plan.send, succeeded: plan.send });
    } finally {
      await proxy.close();
      await removeDir(dir);
    }
  });
});

describe('run records say exactly what Klaviyo acknowledged', () => {
  it('an events apply stopped by a fault records the events Klaviyo accepted before it', async () => {
    fake.reset();
    const dir = await cloneWorkspace(base, FAST);
    // The first bulk answer is lost (so the events go one by one), then Klaviyo fails every call.
    fake.setFaults({ dropAnswers: { method: 'POST', path: '^/api/event-bulk-create-jobs$', count: 1 } });
    let singles = 0;
    const stop = fake.onRequest(({ method, path }) => {
      if (method === 'POST' && path === '/api/events' && ++singles === 30) fake.setFaults({ error503: 1 });
    });
    try {
      const outcome = await syncWith(dir, fakeEnv(fake), ['events']);
      expect(outcome.status).toBe('failed');
      const [confirmed] = await query<{ n: bigint }>(
        dir,
        `select count(*) as n from c360.sync_event_state where run_id = '${outcome.runId}'`,
      );
      const accepted = Number(confirmed!.n);
      expect(accepted).toBeGreaterThanOrEqual(25);
      const result = outcome.results.find((r) => r.sync === 'events')!;
      expect(result.succeeded).toBe(accepted);
      expect(result.sent).toBeGreaterThanOrEqual(accepted);
      const [row] = await query(
        dir,
        `select sent, succeeded from c360.sync_run_targets where run_id = '${outcome.runId}' and sync = 'events'`,
      );
      expect([Number(row!.sent), Number(row!.succeeded)]).toEqual([result.sent, accepted]);
    } finally {
      stop();
      fake.setFaults(undefined);
      await removeDir(dir);
    }
  });

  it('a list apply cancelled midway records the members it had sent', async () => {
    fake.reset();
    const dir = await cloneWorkspace(base);
    const controller = new AbortController();
    // Cancel while the first list's import job is on its way: its answer still arrives and is recorded.
    const stop = fake.onRequest(({ method, path }) => {
      if (method === 'POST' && path === '/api/profile-bulk-import-jobs') controller.abort();
    });
    try {
      const outcome = await syncWith(dir, fakeEnv(fake), ['lists'], controller.signal);
      expect(outcome.status).toBe('cancelled');
      const cancelled = outcome.results.at(-1)!;
      expect(cancelled.sync).toBe('lists');
      const [pending] = await query<{ n: bigint }>(
        dir,
        `select count(*) as n from c360.sync_job_rows r join c360.sync_import_jobs j using (job_id)
         where j.run_id = '${outcome.runId}'`,
      );
      expect(Number(pending!.n)).toBeGreaterThan(0);
      expect(cancelled.sent).toBe(Number(pending!.n) + cancelled.succeeded);
    } finally {
      stop();
      await removeDir(dir);
    }
  });
});

describe('c360 runs show pages the rejected rows', () => {
  it('shows 50 rows and says how many more; --all lists every one, a page is read by offset', async () => {
    fake.reset();
    const dir = await cloneWorkspace(base);
    // Klaviyo rejects a share of the profiles in each import job (a transient error per profile).
    fake.setFaults({ seed: 3, jobProfileErrors: 0.3 });
    try {
      const outcome = await syncOnce(dir, fake, { syncs: ['profiles'] });
      fake.setFaults(undefined);
      const total = outcome.results[0]!.failed;
      expect(total).toBeGreaterThan(60);
      const keys = (
        await query<{ item_key: string }>(
          dir,
          `select item_key from c360.sync_run_errors where run_id = '${outcome.runId}' order by sync, target, item_key`,
        )
      ).map((r) => r.item_key);
      expect(keys.length).toBe(total);
      const env = fakeEnv(fake);
      const first = await runCli(['runs', 'show', outcome.runId!, '-w', dir], env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain(`Rejected rows 1–50 of ${total}:`);
      expect(first.stdout).toContain(
        `${total - 50} more rejected rows: c360 runs show ${outcome.runId} --all (or --offset 50 for the next page)`,
      );
      expect(first.stdout).toContain(keys[49]);
      expect(first.stdout).not.toContain(keys[50]);
      expect(first.stdout).toMatch(/Requests sent: .*POST \/api\/profile-bulk-import-jobs 1\b/);

      const all = await runCli(['runs', 'show', outcome.runId!, '--all', '-w', dir], env);
      expect(all.stdout).toContain(`Rejected rows (${total}):`);
      for (const key of keys) expect(all.stdout).toContain(key);
      expect(all.stdout).not.toMatch(/more rejected row/);

      // The page the Runs page and `--offset 40 --limit 10` ask for.
      const ws = await openWorkspace(dir, { readOnly: true });
      const json = await showRun(ws.db, outcome.runId!, { offset: 40, limit: 10 }).finally(() => ws.close());
      expect(json.errorsTotal).toBe(total);
      expect(json.errors.map((e) => e.key)).toEqual(keys.slice(40, 50));
    } finally {
      fake.setFaults(undefined);
      await removeDir(dir);
    }
  });
});
