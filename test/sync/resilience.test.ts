import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { runCli } from './cliProcess.ts';
import { snapshotFake, type FakeSnapshot } from './fakeSnapshot.ts';
import {
  buildBaseWorkspace,
  cloneWorkspace,
  fakeEnv,
  query,
  removeDir,
  SYNC_BASE,
  syncOnce,
} from './syncWorkspace.ts';

/**
 * Nothing lost, nothing doubled (SPEC §7, §10): a sync killed with SIGKILL at any request, then run
 * again, leaves Klaviyo in exactly the state of an uninterrupted sync, with no duplicate events; with 10 % of
 * requests failing (429, 500, 503, timeouts, dropped connections) the syncs still converge.
 */

let base: string;
let fake: KlaviyoFake;
let reference: FakeSnapshot;
let referenceRequests: number;
/** Two lists keep each run short; the lists path is the same for every segment. */
const SEGMENTS = ['vip_customers', 'winback_candidates'];

beforeAll(async () => {
  base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  fake = await startKlaviyoFake({ rateLimits: { scale: 100 }, jobDelayMs: 20 });
  const dir = await cloneWorkspace(base);
  const outcome = await syncOnce(dir, fake, { approve: true, segments: SEGMENTS });
  expect(outcome.status).toBe('succeeded');
  reference = snapshotFake(fake);
  referenceRequests = fake.state.requests.length;
  await removeDir(dir);
}, 180_000);
afterAll(async () => {
  await fake.close();
  await removeDir(base);
});

function expectSameState(actual: FakeSnapshot): void {
  expect(actual.duplicateEvents).toBe(0);
  expect(Object.keys(actual.profiles).sort()).toEqual(Object.keys(reference.profiles).sort());
  expect(actual.profiles).toEqual(reference.profiles);
  expect(actual.lists).toEqual(reference.lists);
  expect(actual.events).toEqual(reference.events);
}

describe('resilience', () => {
  it('the reference sync is not trivial', () => {
    expect(Object.keys(reference.profiles).length).toBeGreaterThan(200);
    expect(Object.keys(reference.lists).length).toBe(2);
    expect(reference.events.length).toBeGreaterThan(100);
    expect(referenceRequests).toBeGreaterThan(10);
  });

  it('a sync killed at every request of the run, then run again, converges to the exact state', async () => {
    // Polls vary from run to run by a request or two: stay inside the shortest run. One kill per request
    // boundary covers each of them (a random choice of 20 kills among these ~11 points repeated half of them).
    const killPoints = referenceRequests - 3;
    let killed = 0;
    for (let killAt = 1; killAt <= killPoints; killAt++) {
      fake.reset();
      const dir = await cloneWorkspace(base);
      let unsubscribe = () => {};
      const args = ['sync', '--approve', '--json', '-w', dir, '--segment', ...SEGMENTS];
      const result = await runCli(args, fakeEnv(fake), (child) => {
        unsubscribe = fake.onRequest((arrival) => {
          if (arrival.index === killAt) child.kill('SIGKILL');
        });
      });
      unsubscribe();
      // A run shorter than the kill point finished on its own (exit 0); every other run was killed.
      if (result.signal === 'SIGKILL') killed++;
      else expect(result.code, `kill at ${killAt}: ${result.stderr.slice(-800)}`).toBe(0);
      const resumed = await syncOnce(dir, fake, { approve: true, segments: SEGMENTS });
      expect(resumed.status, `kill at ${killAt}: ${resumed.error}`).toBe('succeeded');
      await fake.waitForJobs();
      expectSameState(snapshotFake(fake));
      if (killAt === killPoints) {
        // The rerun after convergence has nothing left to do.
        const again = await syncOnce(dir, fake, { segments: SEGMENTS });
        expect(again.plan.writeCalls).toBe(0);
      }
      await removeDir(dir);
    }
    expect(killPoints).toBeGreaterThanOrEqual(8);
    expect(killed).toBeGreaterThanOrEqual(killPoints - 2);
  }, 300_000);

  it('with 10 % of requests failing (429, 500, 503, timeouts, dropped connections) the sync converges', async () => {
    fake.reset();
    const dir = await cloneWorkspace(base, { klaviyo: { request_timeout_seconds: 1 } });
    fake.setFaults({
      seed: 99,
      throttle429: 0.03,
      error500: 0.02,
      error503: 0.02,
      drop: 0.01,
      dropAfterProcessing: 0.01,
      slow: 0.01,
      slowMs: 1500,
    });
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const outcome = await syncOnce(dir, fake, { approve: true, segments: SEGMENTS });
      runs.push(outcome.status);
      if (outcome.status === 'succeeded') break;
    }
    fake.setFaults(undefined);
    expect(runs.at(-1)).toBe('succeeded');
    const faults = fake.state.counters.faults;
    expect(
      faults.throttle429 + faults.error500 + faults.error503 + faults.drop + faults.dropAfterProcessing,
    ).toBeGreaterThan(0);
    await fake.waitForJobs();
    expectSameState(snapshotFake(fake));
    const runsRecorded = await query(dir, `select count(*) as n from c360.sync_runs`);
    expect(Number(runsRecorded[0]!.n)).toBe(runs.length);
    await removeDir(dir);
  }, 180_000);

  it('profiles a job rejects are stored with their error and retried on the next run', async () => {
    fake.reset();
    const dir = await cloneWorkspace(base);
    fake.setFaults({ seed: 3, jobProfileErrors: 0.1 });
    const first = await syncOnce(dir, fake, { approve: true, syncs: ['profiles'] });
    fake.setFaults(undefined);
    expect(first.status).toBe('partial');
    const failed = first.results[0]!.failed;
    expect(failed).toBeGreaterThan(0);
    const stored = await query(dir, `select count(*) as n from c360.sync_failures where sync = 'profiles'`);
    expect(Number(stored[0]!.n)).toBe(failed);
    const second = await syncOnce(dir, fake, { syncs: ['profiles'] });
    const plan = second.plan.targets[0]!;
    expect(plan.sync === 'profiles' && plan.retrying).toBe(failed);
    expect(second.status).toBe('succeeded');
    expect(second.results[0]!.succeeded).toBe(failed);
    const left = await query(dir, `select count(*) as n from c360.sync_failures`);
    expect(Number(left[0]!.n)).toBe(0);
    const synced = await query(dir, `select email from c360.sync_profile_state order by email`);
    const now = snapshotFake(fake).profiles;
    expect(Object.keys(now).sort()).toEqual(synced.map((r) => String(r.email)));
    for (const email of Object.keys(now)) expect(now[email]).toEqual(reference.profiles[email]);
    await removeDir(dir);
  }, 120_000);
});
