import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PlanRequestMismatchError,
  readPlanFile,
  StalePlanError,
  type SyncOutcome,
} from '../../core/sync/index.ts';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
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

/**
 * Publishing must never lie (issue 16): a segment that cannot be compiled fails its list loudly, a plan applies
 * only to the sync it was made for, a guardrail holds back only its own target, and approvals are recorded.
 */

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

/** What a new user writes: a typo in a column name. */
const TYPO_SEGMENT =
  'name: lapsed_buyers\ndescription: Bought, then stopped.\nrules:\n' +
  "  - column: days_since_last_ordr\n    op: '>='\n    value: 90\n";

const blockedTargets = (o: SyncOutcome) =>
  o.results.filter((r) => r.blocked).map((r) => `${r.sync} ${r.target}`);

describe('a saved segment that cannot be compiled fails its list sync loudly', () => {
  it('is a failed target in the plan, the outcome and the run record; the other lists sync', async () => {
    await writeFile(join(dir, 'segments', 'lapsed_buyers.yaml'), TYPO_SEGMENT);
    // YAML that does not parse names no segment: it goes by its file's name.
    await writeFile(join(dir, 'segments', 'half_saved.yaml'), 'name: half_saved\nrules: [\n');
    const outcome = await syncOnce(dir, fake, { syncs: ['lists'], approve: true });
    expect(outcome.status).toBe('failed');
    const broken = outcome.plan.targets.filter((t) => t.sync === 'lists' && t.broken);
    expect(broken.map((t) => t.target)).toEqual(['half_saved', 'lapsed_buyers']);
    const lapsed = broken.find((t) => t.target === 'lapsed_buyers');
    expect(lapsed?.sync === 'lists' && lapsed.broken).toMatch(/days_since_last_ordr/);
    expect(outcome.error).toMatch(/lists lapsed_buyers: the saved segment lapsed_buyers cannot be compiled/);
    expect(outcome.error).toMatch(/lists half_saved: .*\n.*not valid YAML/);
    expect(outcome.error).toMatch(/c360 segments validate/);
    // The other lists were published.
    const published = outcome.plan.targets.filter((t) => t.sync === 'lists' && !t.broken && !t.refused);
    expect(published.length).toBeGreaterThan(5);
    expect(Object.keys(snapshotFake(fake).lists).sort()).toEqual(
      published.map((t) => (t.sync === 'lists' ? t.listName : '')).sort(),
    );
    const [run] = await query<{ status: string; error: string }>(
      dir,
      `select status, error from c360.sync_runs where run_id = '${outcome.runId}'`,
    );
    expect(run?.status).toBe('failed');
    expect(run?.error).toMatch(/lapsed_buyers cannot be compiled/);
    const targets = await query<{ target: string }>(
      dir,
      `select target from c360.sync_run_targets where run_id = '${outcome.runId}' and sync = 'lists'`,
    );
    expect(targets.map((t) => t.target)).toEqual(expect.arrayContaining(['lapsed_buyers', 'half_saved']));
  });

  it('the CLI names it and exits 1, in a dry run too; --segment picks it like any other', async () => {
    await writeFile(join(dir, 'segments', 'lapsed_buyers.yaml'), TYPO_SEGMENT);
    const dry = await runCli(['sync', 'lists', '--dry-run', '-w', dir], fakeEnv(fake));
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stdout).toMatch(/lapsed_buyers\s+│\s+FAILS: cannot be compiled/);
    expect(dry.stdout).toMatch(/Problems \(these lists are not synced/);
    expect(dry.stdout).toMatch(/✗ lists lapsed_buyers: .*\n.*days_since_last_ordr/);
    const run = await runCli(
      ['sync', 'lists', '--segment', 'lapsed_buyers', 'vip_customers', '-w', dir],
      fakeEnv(fake),
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/Run \S+: FAILED/);
    expect(run.stdout).toMatch(/lists lapsed_buyers: the saved segment lapsed_buyers cannot be compiled/);
    expect(Object.keys(snapshotFake(fake).lists)).toHaveLength(1);
  }, 60_000);
});

describe('a plan applies only to the sync it was made for', () => {
  it('refuses another sync or other segments, naming both; without a kind it applies as made', async () => {
    const file = join(dir, 'profiles-plan.json');
    await syncOnce(dir, fake, { syncs: ['profiles'], dryRun: true, planOut: file });
    const plan = await readPlanFile(file);
    const refused = syncOnce(dir, fake, { syncs: ['lists'], plan });
    await expect(refused).rejects.toThrow(PlanRequestMismatchError);
    await expect(refused).rejects.toThrow(
      /made for `c360 sync profiles`, but this run asks for `c360 sync lists`.*Nothing was sent.*`c360 sync --plan FILE`/s,
    );
    const listsPlan = join(dir, 'lists-plan.json');
    await syncOnce(dir, fake, {
      syncs: ['lists'],
      segments: ['vip_customers'],
      dryRun: true,
      planOut: listsPlan,
    });
    await expect(
      syncOnce(dir, fake, {
        syncs: ['lists'],
        segments: ['winback_candidates'],
        plan: await readPlanFile(listsPlan),
      }),
    ).rejects.toThrow(/made for `c360 sync lists --segment vip_customers`/);
    expect(fake.writeRequests()).toHaveLength(0);

    const cli = await runCli(['sync', 'lists', '--plan', file, '-w', dir], fakeEnv(fake));
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/made for `c360 sync profiles`, but this run asks for `c360 sync lists`/);
    expect(fake.writeRequests()).toHaveLength(0);

    const asMade = await runCli(['--json', 'sync', '--plan', file, '-w', dir], fakeEnv(fake));
    expect(asMade.code, asMade.stderr).toBe(0);
    const outcome = JSON.parse(asMade.stdout) as SyncOutcome;
    expect(outcome.plan.hash).toBe(plan.hash);
    expect(outcome.results.map((r) => r.sync)).toEqual(['profiles']);
  }, 90_000);
});

describe('a guardrail blocks only its own target', () => {
  it('profiles, events and the other lists apply; the run says what was blocked and how to approve', async () => {
    const cli = await runCli(['--json', 'sync', '-w', dir], fakeEnv(fake));
    // Exit 2: something waits for approval, although the rest was applied.
    expect(cli.code, cli.stderr).toBe(2);
    const outcome = JSON.parse(cli.stdout) as SyncOutcome;
    expect(outcome.status).toBe('succeeded');
    expect(blockedTargets(outcome)).toEqual(['lists pregnancy_journey']);
    expect(outcome.results.find((r) => r.target === 'pregnancy_journey')?.blocked).toMatch(
      /^sensitive_segment: pregnancy_journey is a sensitive \(health\) segment/,
    );
    expect(outcome.error).toMatch(/Blocked by guardrails, not written \(the other targets were applied\)/);
    expect(outcome.error).toMatch(/c360 sync --approve/);
    const snapshot = snapshotFake(fake);
    expect(Object.keys(snapshot.profiles).length).toBeGreaterThan(0);
    expect(snapshot.events.length).toBeGreaterThan(0);
    expect(Object.keys(snapshot.lists).length).toBe(
      outcome.plan.targets.filter((t) => t.sync === 'lists').length - 1,
    );
    const [run] = await query<{ status: string; error: string }>(
      dir,
      `select status, error from c360.sync_runs where run_id = '${outcome.runId}'`,
    );
    expect(run?.status).toBe('succeeded');
    expect(run?.error).toMatch(/lists pregnancy_journey: sensitive_segment/);
  }, 90_000);

  it('blocked is the status only when every target was blocked', async () => {
    const outcome = await syncOnce(dir, fake, { syncs: ['lists'], segments: ['pregnancy_journey'] });
    expect(outcome.status).toBe('blocked');
    expect(blockedTargets(outcome)).toEqual(['lists pregnancy_journey']);
    expect(outcome.error).toMatch(/^Blocked by guardrails, not written:\n/);
    // How to approve names the sync that was run.
    expect(outcome.error).toContain('`c360 sync lists --segment pregnancy_journey --approve`');
    expect(fake.writeRequests()).toHaveLength(0);
  });
});

describe('approvals', () => {
  const journey = { id: 'sensitive_segment', sync: 'lists', target: 'pregnancy_journey' } as const;

  it('approve only the guardrails named; each is recorded with the plan hash, the OS user and the run', async () => {
    const other = await syncOnce(dir, fake, {
      syncs: ['lists'],
      segments: ['pregnancy_journey', 'vip_customers'],
      approvals: [{ ...journey, target: 'vip_customers' }],
    });
    // An approval of a guardrail the plan does not trip approves nothing.
    expect(blockedTargets(other)).toEqual(['lists pregnancy_journey']);
    expect(other.approvals).toEqual([]);

    const approved = await syncOnce(dir, fake, {
      syncs: ['lists'],
      segments: ['pregnancy_journey'],
      approvals: [journey],
    });
    expect(approved.status).toBe('succeeded');
    expect(blockedTargets(approved)).toEqual([]);
    expect(approved.approvals).toEqual([
      {
        ...journey,
        planHash: approved.plan.hash,
        approvedBy: userInfo().username,
        approvedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown as string,
      },
    ]);
    const rows = await query(
      dir,
      `select plan_hash, guardrail_id, sync, target, approved_by, run_id,
         strftime(approved_at, '%Y-%m-%dT%H:%M:%S') as at from c360.sync_approvals`,
    );
    expect(rows).toEqual([
      {
        plan_hash: approved.plan.hash,
        guardrail_id: 'sensitive_segment',
        sync: 'lists',
        target: 'pregnancy_journey',
        approved_by: userInfo().username,
        run_id: approved.runId,
        at: approved.approvals[0]?.approvedAt.slice(0, 19),
      },
    ]);
  });

  it('bind to the reviewed plan: a stale plan cannot be approved', async () => {
    const file = join(dir, 'plan.json');
    await syncOnce(dir, fake, {
      syncs: ['lists'],
      segments: ['pregnancy_journey'],
      dryRun: true,
      planOut: file,
    });
    const plan = await readPlanFile(file);
    expect(plan.guardrails.map((g) => g.id)).toEqual(['sensitive_segment']);
    // Consent changes between review and apply: the reviewed member list is not what would be sent now.
    await execute(
      dir,
      `update main.dim_customers set pregnancy_opt_in = not pregnancy_opt_in where has_bought_pregnancy_products`,
    );
    await expect(syncOnce(dir, fake, { plan, approvals: [journey] })).rejects.toThrow(StalePlanError);
    await expect(syncOnce(dir, fake, { plan, approve: true })).rejects.toThrow(/is stale/);
    expect(fake.writeRequests()).toHaveLength(0);
    expect(await query(dir, `select * from c360.sync_approvals`)).toEqual([]);

    await syncOnce(dir, fake, {
      syncs: ['lists'],
      segments: ['pregnancy_journey'],
      dryRun: true,
      planOut: file,
    });
    const fresh = await readPlanFile(file);
    const applied = await syncOnce(dir, fake, { plan: fresh, approvals: [journey] });
    expect(applied.status).toBe('succeeded');
    expect(applied.approvals.map((a) => a.planHash)).toEqual([fresh.hash]);
  });
});
