import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runSync } from '../../core/sync/index.ts';
import { openWorkspace } from '../../core/workspace/index.ts';
import { DEFAULT_API_KEY, startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { runCli } from './cliProcess.ts';
import {
  buildBaseWorkspace,
  cloneWorkspace,
  execute,
  fakeEnv,
  query,
  removeDir,
  SYNC_BASE,
  syncOnce,
  type TestConfig,
  writeTestConfig,
} from './syncWorkspace.ts';

/**
 * Issue 16 "Klaviyo preflight" and "Stale data": a plan says who is eligible, how much of Klaviyo's daily list
 * creation budget is left and which rows are over Klaviyo's limits; publishing stale data needs approval; a key
 * without a scope is named from the first 403.
 */

/** A key that may do everything a sync does except create lists. */
const NO_LIST_WRITE_KEY = 'pk_no_lists_write_0a1b2c3d4e5f';

let base: string;
let fake: KlaviyoFake;
let dir: string;

beforeAll(async () => {
  base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  // Built again with the templates saved, as a user's workspace is: seg_ tables and segment sizes exist.
  await writeTestConfig(base);
  const build = await runCli(['build', '--workspace', base], {});
  if (build.code !== 0) throw new Error(`build failed: ${build.stderr}`);
  fake = await startKlaviyoFake({
    rateLimits: { scale: 100 },
    jobDelayMs: 10,
    apiKeys: [DEFAULT_API_KEY, NO_LIST_WRITE_KEY],
    keyScopes: {
      [NO_LIST_WRITE_KEY]: ['accounts:read', 'profiles:read', 'profiles:write', 'lists:read', 'events:write'],
    },
  });
}, 180_000);
afterAll(async () => {
  await fake.close();
  await removeDir(base);
});
beforeEach(async () => {
  fake.reset();
  dir = await cloneWorkspace(base);
});
afterEach(async () => removeDir(dir));

async function reconfigure(config: TestConfig): Promise<void> {
  await removeDir(dir);
  dir = await cloneWorkspace(base, config);
}

/** A build that failed after the one the workspace published (what a broken nightly build leaves). */
const FAILED_BUILD = `insert into c360.build_runs (run_id, started_at, finished_at, as_of, ok, published, status)
  values ('build-failed-1', current_timestamp::timestamp, current_timestamp::timestamp, timestamp '2026-06-30', false, false, 'failed')`;
/** The published build finished 40 hours ago. */
const OLD_DATA = `update c360.build_runs set started_at = started_at - interval 40 hour,
  finished_at = finished_at - interval 40 hour`;

describe('stale data is a guardrail', () => {
  it('fresh data trips nothing', async () => {
    const outcome = await syncOnce(dir, undefined, { dryRun: true });
    expect(outcome.plan.guardrails.filter((g) => g.id === 'stale_data')).toEqual([]);
    expect(outcome.plan.preflight?.build?.published?.ageHours).toBeLessThan(1);
  });

  it('after a failed build every target that sends waits for approval, and the message says how to rebuild', async () => {
    await execute(dir, FAILED_BUILD);
    const blocked = await syncOnce(dir, fake, { syncs: ['profiles', 'events'] });
    const stale = blocked.plan.guardrails.filter((g) => g.id === 'stale_data');
    expect(stale.map((g) => `${g.sync} ${g.target}`)).toEqual([
      'profiles dim_customers',
      'events events_shipments',
    ]);
    expect(stale[0]!.message).toMatch(/the last build build-failed-1 failed/);
    expect(stale[0]!.message).toMatch(/published data is from build/);
    expect(stale[0]!.message).toContain('c360 build');
    expect(blocked.status).toBe('blocked');
    expect(fake.state.requests.filter((r) => r.method !== 'GET')).toEqual([]);

    // Approving one target applies it; the other keeps waiting.
    const approved = await syncOnce(dir, fake, {
      syncs: ['profiles', 'events'],
      approvals: [{ id: 'stale_data', sync: 'profiles', target: 'dim_customers' }],
    });
    expect(approved.results.map((r) => [r.target, r.blocked === null])).toEqual([
      ['dim_customers', true],
      ['events_shipments', false],
    ]);
    expect(approved.results[0]!.succeeded).toBeGreaterThan(0);
    expect(
      await query(dir, `select guardrail_id, target from c360.sync_approvals order by approved_at`),
    ).toEqual([{ guardrail_id: 'stale_data', target: 'dim_customers' }]);
  });

  it('data older than max_data_age_hours trips it; the age is configurable and 0 turns it off', async () => {
    await execute(dir, OLD_DATA);
    const old = await syncOnce(dir, undefined, { syncs: ['profiles'], dryRun: true });
    expect(old.plan.guardrails.map((g) => g.id)).toEqual(['stale_data']);
    expect(old.plan.guardrails[0]!.message).toMatch(
      /older than 36 h \(sync\.guardrails\.max_data_age_hours\)/,
    );
    expect(old.plan.preflight?.build?.published?.ageHours).toBeGreaterThan(39.9);

    await reconfigure({ guardrails: { max_data_age_hours: 48 } });
    await execute(dir, OLD_DATA);
    expect((await syncOnce(dir, undefined, { syncs: ['profiles'], dryRun: true })).plan.guardrails).toEqual(
      [],
    );

    await reconfigure({ guardrails: { max_data_age_hours: 0, block_after_failed_build: false } });
    await execute(dir, OLD_DATA);
    await execute(dir, FAILED_BUILD);
    expect((await syncOnce(dir, undefined, { syncs: ['profiles'], dryRun: true })).plan.guardrails).toEqual(
      [],
    );
  });
});

describe('Klaviyo preflight in the plan', () => {
  it('counts who is eligible per list and for profiles, checked against the build and the source', async () => {
    const { plan } = await syncOnce(dir, undefined, { dryRun: true });
    const preflight = plan.preflight!;
    const profiles = plan.targets.find((t) => t.sync === 'profiles')!;
    if (profiles.sync !== 'profiles') throw new Error('no profiles target');
    const [source] = await query<{ n: number; marketable: number }>(
      dir,
      `select count(*)::integer as n, count(*) filter (where is_marketable)::integer as marketable
       from main.dim_customers`,
    );
    expect(preflight.eligible.profiles).toEqual({
      sourceRows: source!.n,
      eligible: profiles.create + profiles.update + profiles.unchanged,
      notMarketable: (profiles.skipped.not_marketable ?? 0) + (profiles.skipped.relay_address ?? 0),
    });
    // Only marketable customers are eligible; the rest are counted, by reason.
    expect(preflight.eligible.profiles!.eligible).toBeLessThanOrEqual(source!.marketable);
    const skipped = Object.values(profiles.skipped).reduce((sum: number, n) => sum + (n ?? 0), 0);
    expect(preflight.eligible.profiles!.eligible + skipped).toBe(source!.n);
    expect(source!.n - source!.marketable).toBeGreaterThan(0);

    const sizes = await query<{ segment: string; matched: number }>(
      dir,
      `select segment, matched::integer as matched from c360.segment_sizes
       where build_run_id = '${plan.buildRunId}' order by segment`,
    );
    expect(preflight.eligible.lists.length).toBe(sizes.length);
    for (const list of preflight.eligible.lists) {
      const [onList] = await query<{ n: number }>(
        dir,
        `select count(distinct email)::integer as n from main.seg_${list.segment} where email is not null`,
      );
      expect(list.members, list.segment).toBe(onList!.n);
      expect(list.matched, list.segment).toBe(sizes.find((s) => s.segment === list.segment)!.matched);
      expect(list.notEligible, list.segment).toBe(list.matched! - list.members - list.heldOut);
    }
    // Some segment keeps customers out for consent or marketability.
    expect(preflight.eligible.lists.some((l) => (l.notEligible ?? 0) > 0)).toBe(true);
  });

  it('counts list creations against the daily budget from c360’s own creates, and warns before it runs out', async () => {
    const first = (await syncOnce(dir, undefined, { syncs: ['lists'], dryRun: true })).plan.preflight!;
    const segments = first.eligible.lists.length;
    expect(first.listCreations).toMatchObject({
      planned: segments,
      usedLast24h: 0,
      dailyLimit: 150,
      left: 150,
    });
    expect(first.warnings).toEqual([]);

    const applied = await syncOnce(dir, fake, { syncs: ['lists'], approve: true });
    expect(applied.status).toBe('succeeded');
    const created = fake.state.requests.filter((r) => r.method === 'POST' && r.path === '/api/lists').length;
    expect(created).toBe(segments);
    const after = (await syncOnce(dir, undefined, { syncs: ['lists'], dryRun: true })).plan.preflight!;
    expect(after.listCreations).toMatchObject({ planned: 0, usedLast24h: created, left: 150 - created });

    // Another run earlier today (recorded by c360) used most of the budget: a plan needing more says so.
    await reconfigure({});
    await execute(
      dir,
      `insert into c360.sync_runs values ('earlier', current_timestamp::timestamp - interval 2 hour,
      current_timestamp::timestamp, 'succeeded', 'lists', 'x', false, '{"apiCalls":{"listCreate":145}}', null)`,
    );
    const tight = (await syncOnce(dir, undefined, { syncs: ['lists'], dryRun: true })).plan.preflight!;
    expect(tight.listCreations).toMatchObject({ usedLast24h: 145, left: 5 });
    expect(tight.warnings.join('\n')).toMatch(
      new RegExp(
        `creates ${segments} Klaviyo lists, but only 5 of Klaviyo's 150 list creations a day are left`,
      ),
    );
  });

  it('counts profiles over Klaviyo’s 100 KB and names them in a warning', async () => {
    await reconfigure({ profiles: { properties: { Notes: 'notes_big' } } });
    await execute(dir, `alter table main.dim_customers add column notes_big varchar`);
    await execute(
      dir,
      `update main.dim_customers set notes_big = repeat('x', 110000) where customer_id in
      (select customer_id from main.dim_customers where is_marketable order by customer_id limit 3)`,
    );
    const { plan } = await syncOnce(dir, undefined, { syncs: ['profiles'], dryRun: true });
    expect(plan.preflight!.overLimits.profilesTooLarge).toBe(3);
    expect(plan.preflight!.warnings.join('\n')).toMatch(/3 profiles are larger than Klaviyo's 100 KB/);
  });

  it('is shown by `c360 sync --dry-run`', async () => {
    const result = await runCli(['sync', 'lists', '--dry-run', '--workspace', dir], { KLAVIYO_API_KEY: '' });
    expect(result.stdout).toContain('Klaviyo preflight:');
    expect(result.stdout).toMatch(/list creations: \d+ in this plan; 150 of Klaviyo's 150 a day left/);
    expect(result.stdout).toMatch(/list \w+: [\d,]+ on the list of [\d,]+ matched by its rules/);
  });
});

describe('a missing write scope is named from the first 403', () => {
  it('names the scope the refused endpoint needs, in the run and on the CLI', async () => {
    const env = { ...fakeEnv(fake), KLAVIYO_API_KEY: NO_LIST_WRITE_KEY };
    const ws = await openWorkspace(dir);
    let error: string | null;
    try {
      const outcome = await runSync(
        { db: ws.db, config: ws.config.sync, dir: ws.dir, projectDir: ws.projectDir },
        { syncs: ['lists'], segments: ['vip_customers'], approve: true },
        { env },
      );
      expect(outcome.status).toBe('failed');
      error = outcome.error;
    } finally {
      ws.close();
    }
    expect(error).toContain('Klaviyo refused POST /api/lists (403 permission_denied)');
    expect(error).toContain('POST /api/lists needs lists:write');
    expect(error).not.toContain(NO_LIST_WRITE_KEY);

    const cli = await runCli(
      ['sync', 'lists', '--segment', 'vip_customers', '--approve', '--workspace', dir],
      env,
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout + cli.stderr).toContain('POST /api/lists needs lists:write');
  });
});
