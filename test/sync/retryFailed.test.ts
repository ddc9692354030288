import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { listRuns, NothingToRetryError, showRun, type SyncPlan } from '../../core/sync/index.ts';
import { openWorkspace } from '../../core/workspace/index.ts';
import { runCli } from './cliProcess.ts';
import {
  buildBaseWorkspace,
  SYNC_BASE,
  cloneWorkspace,
  query,
  removeDir,
  syncOnce,
  type TestConfig,
} from './syncWorkspace.ts';

/**
 * "Retry failed rows" against the Klaviyo contract server: a retry plan holds the rows the run rejected that are
 * still failing, and nothing else — not the rows that changed since, not the rows a later run delivered.
 */

let base: string;
let fake: KlaviyoFake;

/** Profiles carry a phone number from a test column: the fake rejects one that is not E.164. */
const CONFIG: TestConfig = {
  profiles: { attributes: { first_name: 'first_name', phone_number: 'test_phone' } },
  lists: { segments: ['vip_customers'] },
};

beforeAll(async () => {
  base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  fake = await startKlaviyoFake({ rateLimits: { scale: 100 }, jobDelayMs: 5 });
}, 180_000);
afterAll(async () => {
  await fake.close();
  await removeDir(base);
});

async function sql(dir: string, statements: string[]): Promise<void> {
  const ws = await openWorkspace(dir);
  try {
    for (const statement of statements) await ws.db.run(statement);
  } finally {
    ws.close();
  }
}

/** Profiles sent in import jobs created after `since` jobs: [without a list, with a list]. */
function jobRowsSince(since: Set<string>): { profiles: number; listMembers: number } {
  let profiles = 0;
  let listMembers = 0;
  for (const job of fake.state.importJobs.values()) {
    if (since.has(job.id)) continue;
    if (job.list_id === null) profiles += job.total_count;
    else listMembers += job.total_count;
  }
  return { profiles, listMembers };
}

const jobIds = () => new Set(fake.state.importJobs.keys());

/** The first `n` customers a profiles sync sends (marketable, valid email), by customer id. */
const SENDABLE = `select customer_id from main.dim_customers
  where is_marketable and not coalesce(is_relay_email, false) and email like '%@%.%' order by customer_id`;

describe('c360 sync --retry-failed', () => {
  it('sends only the failed profiles and list members of the run, not the rows that changed since', async () => {
    fake.reset();
    const dir = await cloneWorkspace(base, CONFIG);
    await sql(dir, [`alter table main.dim_customers add column test_phone varchar`]);
    // Transient row errors (temporarily_unavailable) in every bulk import job: profiles and list members.
    fake.setFaults({ seed: 7, jobProfileErrors: 0.08 });
    const first = await syncOnce(dir, fake, { syncs: ['profiles', 'lists'], approve: true });
    fake.setFaults(undefined);
    const failed = (sync: string) =>
      first.results.filter((r) => r.sync === sync).reduce((n, r) => n + r.failed, 0);
    expect(first.status).toBe('partial');
    expect(failed('profiles')).toBeGreaterThan(0);
    expect(failed('lists')).toBeGreaterThan(0);

    // Since then 60 delivered customers changed: a full plan would send them; a retry must not.
    await sql(dir, [
      `update main.dim_customers set lifetime_revenue = lifetime_revenue + 1
       where lower(trim(email)) in (select email from c360.sync_profile_state order by email limit 60)`,
    ]);
    const preview = await syncOnce(dir, fake, {
      syncs: ['profiles', 'lists'],
      retryFailed: {},
      dryRun: true,
    });
    expect(preview.plan.request.retryFailed).toEqual({ runId: first.runId });
    const profiles = preview.plan.targets.find((t) => t.sync === 'profiles');
    const list = preview.plan.targets.find((t) => t.sync === 'lists');
    if (profiles?.sync !== 'profiles' || list?.sync !== 'lists') throw new Error('both targets expected');
    expect(profiles.create + profiles.update).toBe(failed('profiles'));
    expect(list.add).toBe(failed('lists'));
    expect(list.remove).toBe(0);

    const before = jobIds();
    const retry = await syncOnce(dir, fake, { syncs: ['profiles', 'lists'], retryFailed: {}, approve: true });
    expect(retry.status, retry.error ?? '').toBe('succeeded');
    // What went out: exactly the failed rows (a retry that re-planned everything would send 60+ more).
    expect(jobRowsSince(before)).toEqual({ profiles: failed('profiles'), listMembers: failed('lists') });
    const ws = await openWorkspace(dir);
    const [record] = await listRuns(ws.db, 1);
    const detail = await showRun(ws.db, retry.runId!).finally(() => ws.close());
    expect(record).toMatchObject({ runId: retry.runId, retryOf: first.runId });
    // The run record says what was sent per endpoint: calls, answers by status, bytes and time, no payloads.
    const jobs = detail.requests.find((r) => r.key === 'bulkImport');
    expect(jobs).toMatchObject({
      endpoint: 'POST /api/profile-bulk-import-jobs',
      statuses: { '202': jobs?.calls },
    });
    expect(jobs!.sentBytes).toBeGreaterThan(100 * failed('profiles'));
    expect(jobs!.receivedBytes).toBeGreaterThan(0);
    expect(JSON.stringify(detail.requests)).not.toMatch(/@|pk_/);

    // The 60 changed customers are still to send; the retried rows are not.
    const after = await syncOnce(dir, fake, { syncs: ['profiles', 'lists'], dryRun: true });
    const rest = after.plan.targets.find((t) => t.sync === 'profiles');
    if (rest?.sync !== 'profiles') throw new Error('profiles plan expected');
    expect(rest.update).toBe(60);
    expect(rest.retrying).toBe(0);
    await removeDir(dir);
  }, 120_000);

  it('sends rows fixed since, rejects rows still invalid again, never resends rows delivered since', async () => {
    fake.reset();
    const dir = await cloneWorkspace(base, CONFIG);
    const ids = (
      await query<{ customer_id: string }>(
        base,
        `${SENDABLE.replace('order by customer_id', 'order by customer_id desc')} limit 6`,
      )
    ).map((r) => `'${r.customer_id}'`);
    const [a, b, c] = ids;
    await sql(dir, [
      `alter table main.dim_customers add column test_phone varchar`,
      `update main.dim_customers set test_phone = '12345' where customer_id in (${ids.join(', ')})`,
    ]);
    const first = await syncOnce(dir, fake, { syncs: ['profiles'] });
    expect(first.results[0]!.failed).toBe(6);

    // A is fixed and delivered by an ordinary run (which tries the other five again, as every run does).
    await sql(dir, [`update main.dim_customers set test_phone = '+4915112345671' where customer_id = ${a}`]);
    const second = await syncOnce(dir, fake, { syncs: ['profiles'] });
    expect(second.results[0]).toMatchObject({ succeeded: 1, failed: 5 });
    // B and C are fixed afterwards; three stay invalid.
    await sql(dir, [
      `update main.dim_customers set test_phone = '+4915112345672' where customer_id = ${b}`,
      `update main.dim_customers set test_phone = '+4915112345673' where customer_id = ${c}`,
    ]);

    const plan = (
      await syncOnce(dir, fake, { syncs: ['profiles'], retryFailed: { runId: first.runId! }, dryRun: true })
    ).plan;
    const other = (
      await syncOnce(dir, fake, { syncs: ['profiles'], retryFailed: { runId: second.runId! }, dryRun: true })
    ).plan;
    const counts = (p: SyncPlan) => {
      const t = p.targets[0]!;
      return t.sync === 'profiles' ? t.create + t.update : -1;
    };
    expect(counts(plan)).toBe(5);
    expect(counts(other)).toBe(5);
    // The same rows, but a retry of another run: the hash binds the run.
    expect(plan.hash).not.toBe(other.hash);
    expect(plan.request.retryFailed).toEqual({ runId: first.runId });

    // The reviewed plan is applied as it was made.
    const before = jobIds();
    const retry = await syncOnce(dir, fake, { plan });
    expect(jobRowsSince(before).profiles).toBe(5);
    expect(retry.results[0]).toMatchObject({ succeeded: 2, failed: 3 });
    const [emailB] = await query<{ email: string }>(
      dir,
      `select lower(email) as email from main.dim_customers where customer_id = ${b}`,
    );
    expect(fake.profileByEmail(emailB!.email)?.phone_number).toBe('+4915112345672');
    const rejected = await query<{ n: number; phone: number }>(
      dir,
      `select count(*)::integer as n, count(*) filter (where error like '%phone%')::integer as phone
       from c360.sync_run_errors where run_id = '${retry.runId}'`,
    );
    expect(rejected[0]).toEqual({ n: 3, phone: 3 });

    // The CLI's plan names the run it retries.
    const shown = await runCli(
      ['sync', 'profiles', '--retry-failed', first.runId!, '--dry-run', '-w', dir],
      {},
    );
    expect(shown.stdout).toContain(`Retry of run ${first.runId}`);
    await removeDir(dir);
  }, 120_000);

  it('an events retry plans only the failed events that are still failing', async () => {
    const dir = await cloneWorkspace(base, CONFIG);
    const events = await query<{ event_id: string }>(
      base,
      `select event_id from main.events_shipments where event_id is not null order by event_id limit 3`,
    );
    const [e1, e2, e3] = events.map((e) => `'${e.event_id}'`);
    // Run r-events rejected three events; the third was delivered by a later run (no longer failing).
    await sql(dir, [
      `alter table main.dim_customers add column test_phone varchar`,
      `insert into c360.sync_runs values ('r-events', now()::timestamp, now()::timestamp, 'partial', 'events', 'h', false, null, null)`,
      ...[e1, e2, e3].map(
        (id) =>
          `insert into c360.sync_run_errors values ('r-events', 'events', 'events_shipments', ${id}, 'invalid', 'bad')`,
      ),
      ...[e1, e2].map(
        (id) =>
          `insert into c360.sync_failures values ('events', 'events_shipments', ${id}, 'invalid', 'bad', 1, now()::timestamp, now()::timestamp, 'r-events')`,
      ),
    ]);
    const plan = (await syncOnce(dir, undefined, { retryFailed: { runId: 'r-events' }, dryRun: true })).plan;
    // Only the events target: the run rejected no profile and no list member.
    expect(plan.targets.map((t) => t.sync)).toEqual(['events']);
    const target = plan.targets[0]!;
    if (target.sync !== 'events') throw new Error('events plan expected');
    expect(target.send).toBe(2);
    expect(target.sourceRows).toBe(2);
    expect(plan.guardrails.filter((g) => g.id === 'empty_source')).toEqual([]);
    await removeDir(dir);
  }, 60_000);

  it('says so when there is nothing to retry', async () => {
    const dir = await cloneWorkspace(base, CONFIG);
    await sql(dir, [`alter table main.dim_customers add column test_phone varchar`]);
    await expect(
      syncOnce(dir, undefined, { syncs: ['profiles'], retryFailed: {}, dryRun: true }),
    ).rejects.toThrow(NothingToRetryError);
    const cli = await runCli(['sync', '--retry-failed', '--dry-run', '-w', dir], {});
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/nothing to retry/);
    await removeDir(dir);
  }, 60_000);
});
