import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { emptyTally, SyncCancelledError, type ApplyContext } from '../../core/sync/applyContext.ts';
import { applyProfiles } from '../../core/sync/applyProfiles.ts';
import { syncConfigSchema } from '../../core/sync/config.ts';
import { KlaviyoClient } from '../../core/sync/klaviyo/client.ts';
import { pause } from '../../core/sync/klaviyo/pause.ts';
import { planProfiles } from '../../core/sync/profilePlan.ts';
import { DbQueue, ensureSyncTables } from '../../core/sync/state.ts';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';

/**
 * The publish path as a pipeline (bench/sync.bench.ts measures it at 1M): bulk jobs overlap, each is asked
 * for its status once it can be done, a cancelled apply stops at once and the next one resumes its jobs
 * without sending a profile twice, and a rerun's plan diffs against the state by hash while still naming
 * what changed, what was cleared and what left the source.
 */

const PROFILES = 25_000;
let db: Database;
let fake: KlaviyoFake;

const config = syncConfigSchema.parse({
  profiles: {
    model: 'people',
    attributes: { first_name: 'first_name' },
    properties: { Orders: 'orders', Note: 'note' },
  },
  // Long enough that a job's first status read comes after the next jobs went out, on a busy machine too.
  klaviyo: { poll_interval_ms: 1000, rate_limit_scale: 100 },
});

function context(controller = new AbortController()): ApplyContext {
  const isCancelled = () => controller.signal.aborted;
  return {
    q: new DbQueue(db),
    client: new KlaviyoClient({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      rateLimitScale: 100,
      signal: controller.signal,
    }),
    runId: 'run-test',
    config,
    buildRunId: null,
    progress: () => {},
    isCancelled,
    sleep: async (ms) => {
      if (!(await pause(ms, controller.signal)) || isCancelled()) throw new SyncCancelledError();
    },
    tally: emptyTally(),
  };
}

const count = async (sql: string): Promise<number> => Number((await db.queryJson(sql))[0]?.n);
const bulkPosts = () =>
  fake.state.requests.filter((r) => r.method === 'POST' && r.path === '/api/profile-bulk-import-jobs');
const statusReads = () =>
  fake.state.requests.filter(
    (r) => r.method === 'GET' && /^\/api\/profile-bulk-import-jobs\/[^/]+$/.test(r.path),
  );

beforeAll(async () => {
  fake = await startKlaviyoFake({ rateLimits: { scale: 100 }, jobDelayMs: 20 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  db?.close();
  db = await openDatabase(':memory:');
  await ensureSyncTables(db);
  await db.run(`create table people as
    select printf('c%05d', i) as customer_id, printf('p%05d@example.com', i) as email, true as is_marketable,
      'Name ' || i as first_name, (i % 7)::integer as orders, case when i % 3 = 0 then null else 'note ' || i end as note
    from range(${PROFILES}) r(i)`);
  fake.reset();
});

describe('bulk jobs as a pipeline', () => {
  it('sends the next job while the previous one processes, reads each status once and records exactly what was sent', async () => {
    const plan = await planProfiles(db, config.profiles);
    expect(plan.create).toBe(PROFILES);
    const ctx = context();
    const counts = await applyProfiles(ctx, plan);

    expect(counts).toEqual({ sent: PROFILES, succeeded: PROFILES, failed: 0 });
    const posts = bulkPosts();
    expect(posts).toHaveLength(3);
    const reads = statusReads();
    // The fake finishes a job in 20 ms, within the first poll interval: one status read per job.
    expect(reads).toHaveLength(3);
    // Overlap: the second and third jobs went out before the first job was asked for its status.
    expect(posts[2]!.index).toBeLessThan(reads[0]!.index);
    expect(fake.state.profiles.size).toBe(PROFILES);
    expect(await count(`select count(*) as n from c360.sync_profile_state`)).toBe(PROFILES);
    expect(
      await count(`select count(*) as n from c360.sync_profile_state s
        join c360_plan_profiles p on p.email = s.email and p.payload_hash = s.payload_hash and p.payload = s.payload`),
    ).toBe(PROFILES);
    expect(await count(`select count(*) as n from c360.sync_import_jobs`)).toBe(0);
  });

  it('a cancelled apply stops at once; the next apply resumes its job and sends no profile twice', async () => {
    const controller = new AbortController();
    const ctx = context(controller);
    let cancelledAt = 0;
    ctx.progress = (event) => {
      if (event.message?.includes('submitted') && !controller.signal.aborted) {
        cancelledAt = performance.now();
        controller.abort();
      }
    };
    const first = applyProfiles(ctx, await planProfiles(db, config.profiles));
    await expect(first).rejects.toBeInstanceOf(SyncCancelledError);
    // Nothing new was sent, and the apply did not wait for the job in flight: its status was never read.
    expect(bulkPosts()).toHaveLength(1);
    expect(statusReads()).toHaveLength(0);
    expect(performance.now() - cancelledAt).toBeLessThan(10_000);
    expect(ctx.tally).toEqual({ sent: 10_000, succeeded: 0, failed: 0 });
    // The accepted job is recorded, to be finished by the next run rather than sent again.
    expect(await count(`select count(*) as n from c360.sync_job_rows`)).toBe(10_000);

    const resumed = context();
    const counts = await applyProfiles(resumed, await planProfiles(db, config.profiles));
    expect(counts).toEqual({ sent: PROFILES - 10_000, succeeded: PROFILES, failed: 0 });
    const jobs = [...fake.state.importJobs.values()];
    expect(jobs.reduce((sum, j) => sum + j.total_count, 0)).toBe(PROFILES);
    expect(fake.state.profiles.size).toBe(PROFILES);
    expect(await count(`select count(*) as n from c360.sync_profile_state`)).toBe(PROFILES);
    expect(await count(`select count(*) as n from c360.sync_import_jobs`)).toBe(0);
  });
});

describe('a rerun plan diffs by hash', () => {
  it('names the changed, cleared and gone profiles with from → to samples; clears go singly', async () => {
    await applyProfiles(context(), await planProfiles(db, config.profiles));
    // 250 changed orders, 5 notes cleared, 10 rows gone from the source.
    await db.run(`update people set orders = orders + 100 where customer_id between 'c10000' and 'c10249'`);
    await db.run(
      `update people set note = null where customer_id in ('c20000', 'c20002', 'c20003', 'c20005', 'c20006')`,
    );
    await db.run(`delete from people where customer_id between 'c24990' and 'c24999'`);

    const plan = await planProfiles(db, config.profiles);
    expect(plan).toMatchObject({
      create: 0,
      update: 255,
      clears: 5,
      unchanged: PROFILES - 10 - 255,
      previouslySynced: PROFILES,
      goneFromSource: 10,
    });
    expect(plan.samples.update[0]).toEqual({
      email: 'p10000@example.com',
      changes: [{ key: 'properties.Orders', from: 10_000 % 7, to: (10_000 % 7) + 100 }],
    });
    // Unchanged rows keep no payload in the plan table: only what is sent is carried.
    expect(await count(`select count(*) as n from c360_plan_profiles where payload is not null`)).toBe(255);

    const posts = bulkPosts().length;
    const noteBefore = [...fake.state.profiles.values()].find((p) => p.email === 'p20000@example.com')
      ?.properties.Note;
    expect(noteBefore).toBe('note 20000');
    const counts = await applyProfiles(context(), plan);
    expect(counts).toEqual({ sent: 255, succeeded: 255, failed: 0 });
    expect(bulkPosts()).toHaveLength(posts + 1);
    expect(fake.state.requests.filter((r) => r.path === '/api/profile-import')).toHaveLength(5);
    const cleared = [...fake.state.profiles.values()].find((p) => p.email === 'p20000@example.com');
    expect(cleared?.properties.Note ?? null).toBeNull();
    const again = await planProfiles(db, config.profiles);
    expect(again.create + again.update).toBe(0);
  });
});
