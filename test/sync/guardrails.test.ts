import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { readPlanFile, StalePlanError } from '../../core/sync/index.ts';
import { runCli } from './cliProcess.ts';
import { snapshotFake } from './fakeSnapshot.ts';
import {
  buildBaseWorkspace,
  cloneWorkspace,
  execute,
  fakeEnv,
  query,
  removeDir,
  SYNC_BASE,
  syncOnce,
} from './syncWorkspace.ts';

let base: string;
let fake: KlaviyoFake;
let dir: string;

beforeAll(async () => {
  base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  fake = await startKlaviyoFake({ rateLimits: { scale: 100 }, jobDelayMs: 10 });
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

describe('guardrails block before any write call', () => {
  it('a sensitive segment published for the first time waits for approval, alone; --approve passes', async () => {
    const first = await syncOnce(dir, fake, { syncs: ['lists'] });
    expect(first.plan.guardrails.map((g) => [g.id, g.target])).toEqual([
      ['sensitive_segment', 'pregnancy_journey'],
    ]);
    // Only the sensitive list is held back: the other lists are published.
    expect(first.status).toBe('succeeded');
    expect(first.results.filter((r) => r.blocked).map((r) => [r.target, r.sent])).toEqual([
      ['pregnancy_journey', 0],
    ]);
    expect(first.error).toMatch(
      /Blocked by guardrails[^\n]*\n {2}lists pregnancy_journey: sensitive_segment:/,
    );
    const journey = first.plan.targets.find((t) => t.target === 'pregnancy_journey');
    const lists = snapshotFake(fake).lists;
    expect(journey?.sync === 'lists' && lists[journey.listName]).toBeUndefined();
    expect(Object.keys(lists).length).toBe(first.plan.targets.length - 1);
    const approved = await syncOnce(dir, fake, { syncs: ['lists'], approve: true });
    expect(approved.status).toBe('succeeded');
    expect(approved.results.some((r) => r.blocked)).toBe(false);
    expect(approved.approvals.map((a) => [a.id, a.target, a.planHash])).toEqual([
      ['sensitive_segment', 'pregnancy_journey', approved.plan.hash],
    ]);
    // Approved once for this definition: the next run is not blocked.
    expect((await syncOnce(dir, fake, { syncs: ['lists'] })).status).toBe('succeeded');
  });

  it('removing more than 20 % of a list blocks; the CLI exits 2 and writes nothing, --approve applies', async () => {
    await syncOnce(dir, fake, { syncs: ['lists'], segments: ['winback_candidates'], approve: true });
    await execute(
      dir,
      `update main.dim_customers set days_since_last_order = 1, is_winback_candidate = false, winback_stage = null
      where customer_id in (
      select customer_id from main.dim_customers where days_since_last_order >= 60 order by customer_id
      limit (select (count(*) * 0.4)::int from main.dim_customers where days_since_last_order >= 60))`,
    );
    const writes = fake.writeRequests().length;
    const cli = await runCli(['sync', 'lists', '--segment', 'winback_candidates', '-w', dir], fakeEnv(fake));
    expect(cli.code).toBe(2);
    expect(cli.stdout).toMatch(/BLOCKED by guardrails/);
    expect(cli.stdout).toMatch(/would be removed from "Winback candidates"/);
    expect(fake.writeRequests().length).toBe(writes);
    const approved = await runCli(
      ['sync', 'lists', '--segment', 'winback_candidates', '--approve', '--json', '-w', dir],
      fakeEnv(fake),
    );
    expect(approved.code).toBe(0);
    const outcome = JSON.parse(approved.stdout) as { status: string; runId: string; plan: { hash: string } };
    expect(outcome.status).toBe('succeeded');
    expect(fake.writeRequests().length).toBeGreaterThan(writes);
    // --approve is recorded: which guardrail of which plan, by whom (the OS user) and in which run.
    expect(
      await query(
        dir,
        `select plan_hash, guardrail_id, sync, target, approved_by, run_id from c360.sync_approvals`,
      ),
    ).toEqual([
      {
        plan_hash: outcome.plan.hash,
        guardrail_id: 'list_removal',
        sync: 'lists',
        target: 'winback_candidates',
        approved_by: userInfo().username,
        run_id: outcome.runId,
      },
    ]);
  });

  it('a list that would be emptied and a source with 0 rows block', async () => {
    await syncOnce(dir, fake, { syncs: ['lists', 'events'], segments: ['vip_customers'], approve: true });
    await execute(dir, `update main.dim_customers set customer_value_tier = 'low'`);
    await execute(dir, `delete from main.events_shipments`);
    const outcome = await syncOnce(dir, fake, { syncs: ['lists', 'events'], segments: ['vip_customers'] });
    expect(outcome.status).toBe('blocked');
    expect(outcome.plan.guardrails.map((g) => g.id).sort()).toEqual(['empty_source', 'list_emptied']);
  });

  it('more than half of the synced profiles changing blocks', async () => {
    await syncOnce(dir, fake, { syncs: ['profiles'] });
    await execute(dir, `update main.dim_customers set lifetime_revenue = lifetime_revenue + 1`);
    const outcome = await syncOnce(dir, fake, { syncs: ['profiles'] });
    expect(outcome.status).toBe('blocked');
    expect(outcome.plan.guardrails[0]?.id).toBe('profiles_changing');
    expect(outcome.plan.guardrails[0]?.message).toMatch(/synced profiles would change/);
  });

  it('thresholds are configurable', async () => {
    await removeDir(dir);
    dir = await cloneWorkspace(base, { guardrails: { max_profiles_changed_percent: 100 } });
    await syncOnce(dir, fake, { syncs: ['profiles'] });
    await execute(dir, `update main.dim_customers set lifetime_revenue = lifetime_revenue + 1`);
    expect((await syncOnce(dir, fake, { syncs: ['profiles'] })).status).toBe('succeeded');
  });
});

describe('health data follows the tags of the model docs', () => {
  it('an unmarked pregnancy segment is blocked; once approved it publishes only consenting customers', async () => {
    // What a new user writes: no sensitive: true, no consent_column.
    await writeFile(
      join(dir, 'segments', 'pregnancy_buyers.yaml'),
      'name: pregnancy_buyers\ndescription: Bought pregnancy products.\nrules:\n' +
        "  - column: has_bought_pregnancy_products\n    op: '='\n    value: true\n",
    );
    const cli = await runCli(['sync', 'lists', '--segment', 'pregnancy_buyers', '-w', dir], fakeEnv(fake));
    expect(cli.code).toBe(2);
    expect(cli.stdout).toMatch(/BLOCKED by guardrails/);
    expect(cli.stdout).toMatch(
      /pregnancy_buyers is a sensitive \(health\) segment \(reads has_bought_pregnancy_products\) published for the first time: only customers with pregnancy_opt_in = true are members/,
    );
    expect(fake.writeRequests()).toHaveLength(0);

    const approved = await syncOnce(dir, fake, {
      syncs: ['lists'],
      segments: ['pregnancy_buyers'],
      approve: true,
    });
    expect(approved.status).toBe('succeeded');
    const buyers = await query<{ email: string; opt_in: boolean }>(
      dir,
      `select distinct lower(email) as email, pregnancy_opt_in as opt_in from main.dim_customers
       where is_marketable and has_bought_pregnancy_products and email is not null`,
    );
    const consenting = buyers.filter((b) => b.opt_in).map((b) => b.email);
    expect(consenting.length).toBeGreaterThan(0);
    expect(buyers.length).toBeGreaterThan(consenting.length); // buyers without the opt-in exist
    expect(snapshotFake(fake).lists['pregnancy_buyers']).toEqual([...new Set(consenting)].sort());
    // Approved for this definition: the next run is not blocked.
    expect((await syncOnce(dir, fake, { syncs: ['lists'], segments: ['pregnancy_buyers'] })).status).toBe(
      'succeeded',
    );
  });

  it('a segment "in" a sensitive segment is sensitive too: its first publish waits for approval', async () => {
    await writeFile(
      join(dir, 'segments', 'pregnancy_repeat.yaml'),
      'name: pregnancy_repeat\ndescription: Repeat buyers among the pregnancy journey.\nrules:\n' +
        '  - segment: pregnancy_journey\n' +
        "  - column: total_orders\n    op: '>='\n    value: 2\n",
    );
    const plan = await syncOnce(dir, fake, {
      syncs: ['lists'],
      segments: ['pregnancy_repeat'],
      dryRun: true,
    });
    const target = plan.plan.targets.find((t) => t.target === 'pregnancy_repeat');
    expect(target).toMatchObject({ sync: 'lists', sensitive: true });
    expect(plan.plan.guardrails.map((g) => [g.id, g.target])).toEqual([
      ['sensitive_segment', 'pregnancy_repeat'],
    ]);
  });

  it('Preferred Categories carries the pregnancy category only for profiles with the opt-in', async () => {
    const outcome = await syncOnce(dir, fake, { syncs: ['profiles'] });
    expect(outcome.status).toBe('succeeded');
    const rows = await query<{ email: string; opt_in: boolean; categories: string[] }>(
      dir,
      `select lower(email) as email, pregnancy_opt_in as opt_in, preferred_categories as categories
       from main.dim_customers
       where is_marketable and not is_relay_email and list_contains(preferred_categories, 'Schwangerschaft')`,
    );
    const profiles = snapshotFake(fake).profiles;
    const withConsent = rows.filter((r) => r.opt_in);
    const without = rows.filter((r) => !r.opt_in);
    expect(withConsent.length).toBeGreaterThan(0);
    expect(without.length).toBeGreaterThan(0);
    for (const r of withConsent)
      expect(profiles[r.email]?.properties['Preferred Categories']).toEqual(r.categories);
    for (const r of without)
      expect(profiles[r.email]?.properties['Preferred Categories']).toEqual(
        r.categories.filter((c) => c !== 'Schwangerschaft'),
      );
  });
});

describe('plans', () => {
  it('a saved plan applies exactly; a stale plan is refused with a clear message', async () => {
    const file = join(dir, 'plan.json');
    const dry = await syncOnce(dir, fake, { syncs: ['profiles'], dryRun: true, planOut: file });
    expect(dry.status).toBe('planned');
    // A dry run with a key only asks which account the key belongs to.
    expect(fake.state.requests.map((r) => r.endpoint)).toEqual(['get_accounts']);
    const plan = await readPlanFile(file);
    expect(plan.hash).toBe(dry.plan.hash);
    const applied = await syncOnce(dir, fake, { syncs: ['profiles'], plan });
    expect(applied.status).toBe('succeeded');
    expect(applied.plan.hash).toBe(plan.hash);

    const second = join(dir, 'plan2.json');
    await syncOnce(dir, fake, { syncs: ['profiles'], dryRun: true, planOut: second });
    await execute(
      dir,
      `update main.dim_customers set lifecycle_stage = 'churned' where customer_id = (
      select min(customer_id) from main.dim_customers where is_marketable and not is_relay_email)`,
    );
    const stale = await readPlanFile(second);
    const writes = fake.writeRequests().length;
    await expect(syncOnce(dir, fake, { plan: stale })).rejects.toThrow(StalePlanError);
    await expect(syncOnce(dir, fake, { plan: stale })).rejects.toThrow(
      /is stale.*\n.*saved 0 create, 0 update, now 0 create, 1 update/,
    );
    expect(fake.writeRequests().length).toBe(writes);
    const cli = await runCli(['sync', '--plan', second, '-w', dir], fakeEnv(fake));
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/stale/);
  });

  it('without an API key the sync only plans, with a note', async () => {
    const cli = await runCli(['sync', '-w', dir], { KLAVIYO_API_KEY: '', KLAVIYO_BASE_URL: fake.url });
    expect(cli.code).toBe(0);
    expect(cli.stderr).toMatch(/KLAVIYO_API_KEY is not set: showing the plan only/);
    expect(cli.stdout).toMatch(/Sync plan [0-9a-f]{16}/);
    expect(cli.stdout).toContain('Klaviyo account: none (no API key: plan only)');
    expect(cli.stdout).toMatch(/profiles\s+│\s+dim_customers/);
    expect(fake.state.requests).toHaveLength(0);
  });
});
