import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceService } from '../../core/service/workspaceService.ts';
import { KlaviyoClient } from '../../core/sync/klaviyo/client.ts';
import { syncOnService, type SyncOutcome } from '../../core/sync/index.ts';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { rejection } from '../service/serviceFixture.ts';
import { buildBaseWorkspace, cloneWorkspace, fakeEnv, removeDir, SYNC_BASE } from './syncWorkspace.ts';

/**
 * A sync on the workspace service (issue 15): it holds the writer only while it plans and while it records a
 * batch, so other write jobs run while it waits on Klaviyo; its signal ends Retry-After waits at once without
 * aborting calls already sent; and a workspace runs one sync at a time.
 */

let base: string;
const opened: { service: WorkspaceService; dir: string }[] = [];
const fakes: KlaviyoFake[] = [];

beforeAll(async () => {
  base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
}, 180_000);
afterEach(async () => {
  for (const { service, dir } of opened.splice(0)) {
    await service.close();
    await removeDir(dir);
  }
  for (const fake of fakes.splice(0)) await fake.close();
});
afterAll(async () => {
  await removeDir(base);
});

async function openService(): Promise<WorkspaceService> {
  const dir = await cloneWorkspace(base);
  const service = await WorkspaceService.open(dir);
  opened.push({ service, dir });
  return service;
}

async function fakeKlaviyo(options: Parameters<typeof startKlaviyoFake>[0]): Promise<KlaviyoFake> {
  const fake = await startKlaviyoFake(options);
  fakes.push(fake);
  return fake;
}

/** Resolves at the first request to a path matching `pattern` (as it arrives, before it is answered). */
function firstRequest(fake: KlaviyoFake, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const stop = fake.onRequest(({ path }) => {
      if (!pattern.test(path)) return;
      stop();
      resolve();
    });
  });
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const EVENT_BULK = /^\/api\/event-bulk-create-jobs$/;
const PROFILE_BULK = /^\/api\/profile-bulk-import-jobs$/;

function plannedEvents(outcome: SyncOutcome): number {
  const target = outcome.plan.targets.find((t) => t.sync === 'events');
  return target?.sync === 'events' ? target.send : -1;
}

function eventIds(fake: KlaviyoFake, except?: string): string[] {
  return fake.state.events.filter((e) => e.unique_id !== except).map((e) => e.unique_id);
}

describe('a sync on the workspace service', () => {
  it('lets a build queued while the sync waits out a Retry-After run before the sync finishes', async () => {
    const service = await openService();
    const fake = await fakeKlaviyo({ rateLimits: 'off', jobDelayMs: 20 });
    // Every event request is throttled (Retry-After: 1) until the test lets them through.
    fake.setFaults({ throttle429: 1, paths: EVENT_BULK });
    const throttled = firstRequest(fake, EVENT_BULK);
    let syncDone = false;
    const sync = syncOnService(
      service,
      { syncs: ['profiles', 'events'], approve: true },
      { env: fakeEnv(fake) },
    ).finally(() => (syncDone = true));
    await throttled;
    // Today's design would let it through only after the faults stop: a hard stop keeps that case short.
    const letThrough = setTimeout(() => fake.setFaults(undefined), 4000);
    const built = await service.write('build', async ({ db }) => {
      await db.run('create or replace table main.built_meanwhile as select 1 as n');
      // What the sync recorded so far is committed: its run and the profiles Klaviyo confirmed.
      const [run] = await db.queryJson(`select status from c360.sync_runs`);
      const [profiles] = await db.queryJson(`select count(*) as n from c360.sync_profile_state`);
      return { run: run?.status, profiles: Number(profiles?.n), syncDone };
    });
    clearTimeout(letThrough);
    expect(built).toEqual({ run: 'running', profiles: expect.any(Number) as number, syncDone: false });
    expect(built.profiles).toBeGreaterThan(100);
    fake.setFaults(undefined);
    const outcome = await sync;
    expect(outcome.status, outcome.error ?? '').toBe('succeeded');
    expect(outcome.results.find((r) => r.sync === 'events')?.throttled).toBeGreaterThan(0);
    const events = eventIds(fake);
    expect(events.length).toBe(plannedEvents(outcome));
    expect(new Set(events).size).toBe(events.length);
  }, 60_000);

  it('refuses a second sync of the workspace while one runs, and says what to do', async () => {
    const service = await openService();
    const fake = await fakeKlaviyo({ rateLimits: 'off', jobDelayMs: 20 });
    fake.setFaults({ throttle429: 1, paths: EVENT_BULK });
    const throttled = firstRequest(fake, EVENT_BULK);
    const first = syncOnService(service, { syncs: ['events'], approve: true }, { env: fakeEnv(fake) });
    await throttled;
    const second = await rejection(
      syncOnService(service, { syncs: ['events'], dryRun: true }, { env: fakeEnv(fake) }),
    );
    expect(second.code).toBe('SYNC_RUNNING');
    expect(second.message).toMatch(/already running.*Wait for it to finish.*cancel it/s);
    expect(service.currentTask('sync')).toBeDefined();
    fake.setFaults(undefined);
    expect((await first).status).toBe('succeeded');
    // Once the first one ended, a sync starts again (and finds nothing left to send).
    const again = await syncOnService(service, { syncs: ['events'] }, { env: fakeEnv(fake) });
    expect(again.plan.writeCalls).toBe(0);
  }, 60_000);

  it('a sync cancelled during a Retry-After wait stops at once; the next run sends each event once', async () => {
    const service = await openService();
    // Klaviyo's limits cut to 1 bulk event request a minute: the sync's first request is answered 429 with a
    // Retry-After of about a minute once this test has used the minute's request.
    const fake = await fakeKlaviyo({ rateLimits: { scale: 0.005 }, jobDelayMs: 20 });
    const warmup = 'warmup-event';
    await new KlaviyoClient({ apiKey: fake.apiKey, baseUrl: fake.url }).bulkCreateEvents([
      {
        profile: { email: 'warmup@example.com' },
        events: [{ uniqueId: warmup, metric: 'Warmup', time: new Date(), properties: {}, backfill: false }],
      },
    ]);
    const controller = new AbortController();
    const sync = syncOnService(
      service,
      { syncs: ['events'], approve: true },
      { env: fakeEnv(fake), signal: controller.signal },
    );
    await until(() => fake.state.requests.some((r) => EVENT_BULK.test(r.path) && r.status === 429));
    const [throttle] = fake.state.requests.filter((r) => r.status === 429);
    expect(throttle).toBeDefined();
    await new Promise((r) => setTimeout(r, 200)); // the client is in its Retry-After wait now
    const abortedAt = Date.now();
    controller.abort(new Error('cancelled by the test'));
    const cancelled: SyncOutcome = await sync;
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error).toMatch(/cancelled/);
    // The throttled request was the sync's only one; after the cancel it started none.
    const eventRequests = fake.state.requests.filter((r) => EVENT_BULK.test(r.path));
    expect(eventRequests.map((r) => r.status)).toEqual([202, 429]);
    // Nothing was accepted, nothing is left in flight, and the run record says cancelled.
    expect(eventIds(fake, warmup)).toEqual([]);
    const [state] = await service.read((db) =>
      db.queryJson(
        `select (select count(*)::integer from c360.sync_event_state) as confirmed,
           (select count(*)::integer from c360.sync_event_inflight) as inflight,
           (select status from c360.sync_runs where run_id = $1) as status`,
        [cancelled.runId],
      ),
    );
    expect(state).toEqual({ confirmed: 0, inflight: 0, status: 'cancelled' });

    fake.reset(); // a new minute for the limiter (the events Klaviyo holds are checked above)
    const resumed = await syncOnService(
      service,
      { syncs: ['events'], approve: true },
      { env: fakeEnv(fake) },
    );
    expect(resumed.status, resumed.error ?? '').toBe('succeeded');
    const events = eventIds(fake);
    expect(events.length).toBe(plannedEvents(resumed));
    expect(new Set(events).size).toBe(events.length);
    expect(events.length).toBeGreaterThan(10);
    // The account read that starts every keyed sync is cut to 1 a minute too: a new minute for it.
    fake.reset();
    const again = await syncOnService(service, { syncs: ['events'] }, { env: fakeEnv(fake) });
    expect(again.plan.writeCalls).toBe(0);
  }, 120_000);

  it('a call in flight when the sync is cancelled finishes and is recorded; the next run resumes it', async () => {
    const service = await openService();
    const fake = await fakeKlaviyo({ rateLimits: 'off', jobDelayMs: 20 });
    // The import job request takes 1.5 s: the test cancels while it is on its way.
    fake.setFaults({ slow: 1, slowMs: 1500, paths: PROFILE_BULK });
    const sent = firstRequest(fake, PROFILE_BULK);
    const controller = new AbortController();
    const sync = syncOnService(
      service,
      { syncs: ['profiles'], approve: true },
      { env: fakeEnv(fake), signal: controller.signal },
    );
    await sent;
    controller.abort(new Error('cancelled by the test'));
    const cancelled = await sync;
    expect(cancelled.status).toBe('cancelled');
    // The job Klaviyo accepted is recorded as pending, and nothing was called after the cancel (the account
    // read comes first in every keyed sync).
    expect(fake.state.importJobs.size).toBe(1);
    expect(fake.state.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/accounts',
      'POST /api/profile-bulk-import-jobs',
    ]);
    const [jobs] = await service.read((db) =>
      db.queryJson(`select count(*)::integer as jobs, (select count(*)::integer from c360.sync_job_rows) as rows
        from c360.sync_import_jobs`),
    );
    expect(jobs?.jobs).toBe(1);
    expect(Number(jobs?.rows)).toBeGreaterThan(100);

    fake.setFaults(undefined);
    const resumed = await syncOnService(
      service,
      { syncs: ['profiles'], approve: true },
      { env: fakeEnv(fake) },
    );
    expect(resumed.status, resumed.error ?? '').toBe('succeeded');
    // The resumed run finished the pending job instead of sending its profiles again.
    const imports = fake.state.requests.filter((r) => r.method === 'POST' && PROFILE_BULK.test(r.path));
    expect(imports).toHaveLength(1);
    const [confirmed] = await service.read((db) =>
      db.queryJson(`select count(*)::integer as n from c360.sync_profile_state`),
    );
    expect(confirmed?.n).toBe(Number(jobs?.rows));
    expect(fake.state.profiles.size).toBe(Number(jobs?.rows));
  }, 60_000);
});
