import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { openWorkspace } from '../../core/workspace/index.ts';
import { snapshotFake } from './fakeSnapshot.ts';
import {
  buildBaseWorkspace,
  cloneWorkspace,
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
  fake = await startKlaviyoFake({ rateLimits: { scale: 100 }, jobDelayMs: 20 });
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

async function marketableProfiles(): Promise<Map<string, Record<string, unknown>>> {
  const rows = await query(
    dir,
    `select lower(email) as email, round(lifetime_revenue::double, 2) as ltv, lifecycle_stage, total_orders, is_vip,
       strftime(last_order_at::timestamp, '%Y-%m-%dT%H:%M:%SZ') as last_order,
       -- Health values only with consent (sql/DEFINITIONS.md "Health data").
       case when pregnancy_opt_in then preferred_categories
         else list_filter(preferred_categories, x -> x <> 'Schwangerschaft') end as preferred_categories
     from main.dim_customers where is_marketable and email is not null and not is_relay_email`,
  );
  return new Map(rows.map((r) => [String(r.email), r]));
}

describe('sync to Klaviyo, end to end with the SDK against the contract server', () => {
  it('a first sync creates every marketable profile with its mapped properties, the lists and the events', async () => {
    const outcome = await syncOnce(dir, fake, { approve: true });
    expect(outcome.status).toBe('succeeded');
    const expected = await marketableProfiles();
    const state = snapshotFake(fake);
    expect(Object.keys(state.profiles).sort()).toEqual(expect.arrayContaining([...expected.keys()].sort()));
    for (const [email, row] of [...expected].slice(0, 200)) {
      const p = state.profiles[email]!;
      expect(p.properties.LTV).toBeCloseTo(Number(row.ltv), 2);
      expect(p.properties['Lifecycle Stage']).toBe(row.lifecycle_stage);
      expect(p.properties['Total Orders']).toBe(Number(row.total_orders));
      expect(p.properties['Is VIP']).toBe(row.is_vip);
      expect(p.properties['Last Order Date'] ?? null).toBe(row.last_order ?? null);
      expect(p.properties['Preferred Categories'] ?? null).toEqual(row.preferred_categories ?? null);
    }
    // No relay address or non-consented customer reached Klaviyo through the profile sync.
    const relay = await query(
      dir,
      `select lower(email) as email from main.dim_customers where is_relay_email`,
    );
    for (const r of relay) expect(state.profiles[String(r.email)]).toBeUndefined();
    // Lists: one per segment, members = the segment's members at the publish snapshot.
    const snapshots = await query(
      dir,
      `select s.segment, list(lower(c.email) order by lower(c.email)) as emails from c360.segment_snapshots s
       join c360.segment_members m using (snapshot_id) join main.dim_customers c using (customer_id)
       where not m.is_holdout group by s.segment`,
    );
    const lists = await query(dir, `select segment, list_name from c360.sync_lists`);
    expect(lists.length).toBe(12);
    for (const l of lists) {
      const members = snapshots.find((s) => s.segment === l.segment)?.emails as string[] | undefined;
      expect(state.lists[String(l.list_name)]).toEqual([...new Set(members ?? [])].sort());
    }
    const events = await query(dir, `select count(*) as n from main.events_shipments`);
    expect(state.events.length).toBe(Number(events[0]!.n));
    expect(state.duplicateEvents).toBe(0);
    expect(outcome.results.every((r) => r.failed === 0)).toBe(true);
  });

  it('a second run with no changes makes zero write calls', async () => {
    await syncOnce(dir, fake, { approve: true });
    const writes = fake.writeRequests().length;
    const second = await syncOnce(dir, fake);
    expect(second.status).toBe('succeeded');
    expect(second.plan.writeCalls).toBe(0);
    expect(fake.writeRequests().length).toBe(writes);
  });

  it('one changed property sends exactly one profile', async () => {
    await syncOnce(dir, fake, { approve: true });
    const [target] = await query(
      dir,
      `select customer_id, lower(email) as email from main.dim_customers where is_marketable and not is_relay_email order by customer_id limit 1`,
    );
    const ws = await openWorkspace(dir);
    await ws.db.run(`update main.dim_customers set lifecycle_stage = 'churned' where customer_id = $1`, [
      String(target!.customer_id),
    ]);
    ws.close();
    const before = fake.state.requests.length;
    const outcome = await syncOnce(dir, fake, { syncs: ['profiles'] });
    const profilesPlan = outcome.plan.targets[0]!;
    expect(profilesPlan.sync === 'profiles' && profilesPlan.update).toBe(1);
    const imports = fake.state.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.path === '/api/profile-bulk-import-jobs');
    expect(imports.length).toBe(1);
    const job = [...fake.state.importJobs.values()].at(-1)!;
    expect(job.total_count).toBe(1);
    expect(fake.profileByEmail(String(target!.email))?.properties['Lifecycle Stage']).toBe('churned');
  });

  it('a property that became empty is cleared with a single-profile upsert', async () => {
    await syncOnce(dir, fake, { approve: true });
    const [target] = await query(
      dir,
      `select customer_id, lower(email) as email from main.dim_customers
       where is_marketable and not is_relay_email and winback_stage is not null order by customer_id limit 1`,
    );
    const email = String(target!.email);
    expect(fake.profileByEmail(email)?.properties['Winback Stage']).not.toBeNull();
    const ws = await openWorkspace(dir);
    await ws.db.run(`update main.dim_customers set winback_stage = null where customer_id = $1`, [
      String(target!.customer_id),
    ]);
    ws.close();
    const outcome = await syncOnce(dir, fake, { syncs: ['profiles'] });
    const plan = outcome.plan.targets[0]!;
    expect(plan.sync === 'profiles' && plan.clears).toBe(1);
    expect(fake.profileByEmail(email)?.properties['Winback Stage'] ?? null).toBeNull();
    expect(fake.writeRequests().filter((r) => r.path === '/api/profile-import').length).toBe(1);
  });

  it('segment membership changes give exactly the adds and removes, and never touch members added by others', async () => {
    await syncOnce(dir, fake, { approve: true, syncs: ['lists'] });
    const [list] = await query(
      dir,
      `select list_name, list_id from c360.sync_lists where segment = 'winback_candidates'`,
    );
    const name = String(list!.list_name);
    const membersBefore = fake.listMemberEmails(name);
    // Someone adds a profile to the list by hand in Klaviyo.
    const outsider = [...fake.state.profiles.values()].find(
      (p) => p.email && !membersBefore.includes(p.email),
    )!;
    fake.state.lists.get(String(list!.list_id))!.members.add(outsider.id);
    // Two members leave the segment: their last order becomes recent (the template reads the winback flag).
    const leaving = membersBefore.slice(0, 2);
    const ws = await openWorkspace(dir);
    await ws.db.run(
      `update main.dim_customers set days_since_last_order = 5, is_winback_candidate = false, winback_stage = null
       where lower(email) in ($1, $2)`,
      leaving,
    );
    ws.close();
    const outcome = await syncOnce(dir, fake, {
      syncs: ['lists'],
      segments: ['winback_candidates'],
      approve: true,
    });
    const plan = outcome.plan.targets[0]!;
    expect(plan.sync === 'lists' && [plan.add, plan.remove]).toEqual([0, 2]);
    const after = fake.listMemberEmails(name);
    for (const e of leaving) expect(after).not.toContain(e);
    expect(after).toContain(outsider.email);
    expect(after.length).toBe(membersBefore.length - 2 + 1);
    expect(plan.sync === 'lists' && plan.previousMembers).toBe(membersBefore.length);
  });
});
