import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseSegmentDefinition,
  recordSnapshot,
  SegmentEngine,
  type LoadedSegment,
} from '../../core/segments/index.ts';
import { columnBreakdown } from '../../core/segments/columnBreakdown.ts';
import { memberPage } from '../../core/segments/memberPage.ts';
import { simulatePriorityGroup } from '../../core/segments/prioritySimulation.ts';
import { whatIfDiff } from '../../core/segments/whatIf.ts';
import { openFixture, type Fixture } from './fixtureShop.ts';

/**
 * The editor's insights on the hand-made shop (fixtureShop.ts). Every expectation is also computed by plain SQL
 * over dim_customers, written independently of the compiler, and the hand-checked values are in comments.
 */
let fixture: Fixture;
let engine: SegmentEngine;

const segment = (input: Record<string, unknown>): LoadedSegment => parseSegmentDefinition(input);
// saved: ≥ 250 revenue, marketable → c02, c04, c06, c10
const valuable = segment({ name: 'valuable', rules: [{ column: 'lifetime_revenue', op: '>=', value: 250 }] });
// ≥ 4 orders → c04, c06, c10
const loyal = segment({
  name: 'loyal',
  rules: [{ column: 'total_orders', op: '>=', value: 4 }],
  priority_group: 'value',
  priority: 1,
});
// the unsaved edit: 100 … 1000 revenue → c02, c04, c06, c08
const draft = segment({
  name: 'valuable',
  rules: [{ column: 'lifetime_revenue', op: 'between', value: [100, 1000] }],
});
// saved in the priority group after loyal: ≥ 250 revenue and not loyal → c02
const spenders = segment({
  name: 'spenders',
  rules: [{ column: 'lifetime_revenue', op: '>=', value: 250 }],
  priority_group: 'value',
  priority: 2,
});
// its unsaved edit: 100 … 1000 revenue → c02, c04, c06, c08 on its own
const spendersDraft = segment({
  ...spenders.definition,
  rules: [{ column: 'lifetime_revenue', op: 'between', value: [100, 1000] }],
});

beforeAll(async () => {
  fixture = await openFixture();
  engine = await SegmentEngine.open(fixture.db, { segments: [valuable, loyal, spenders] });
  // published earlier with ≥ 400 revenue → c04, c06, c10
  const published = segment({
    ...valuable.definition,
    rules: [{ column: 'lifetime_revenue', op: '>=', value: 400 }],
  });
  await recordSnapshot(fixture.db, engine.set, published);
});
afterAll(async () => fixture.close());

async function ids(where: string): Promise<string[]> {
  const rows = await fixture.db.queryJson(
    `select customer_id from dim_customers where is_marketable and (${where}) order by customer_id`,
  );
  return rows.map((r) => String(r.customer_id));
}
const minus = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));

describe('what-if diff', () => {
  it('counts who enters and leaves against the saved version and the last publish, with samples', async () => {
    const diff = await engine.inspect(draft, 'diff', {}, (db, set) =>
      whatIfDiff(db, set, draft, { sample: 10 }),
    );
    const now = await ids('lifetime_revenue between 100 and 1000');
    const saved = await ids('lifetime_revenue >= 250');
    const published = await ids('lifetime_revenue >= 400');

    expect(diff.saved).toMatchObject({ after: now.length, before: saved.length, sameDefinition: false });
    expect(diff.saved!.entered.sample.map((c) => c.customerId)).toEqual(minus(now, saved)); // c08
    expect(diff.saved!.left.sample.map((c) => c.customerId)).toEqual(minus(saved, now)); // c10
    expect(diff.saved!.entered.count).toBe(1);
    expect(diff.saved!.stayed).toBe(3);
    expect(diff.saved!.entered.sample[0]).toEqual({
      customerId: 'c08',
      email: 'c08@example.com',
      firstName: null,
      lastName: null,
    });

    expect(diff.published!.snapshot.memberCount).toBe(published.length);
    expect(diff.published!.entered.sample.map((c) => c.customerId)).toEqual(minus(now, published)); // c02, c08
    expect(diff.published!.left.sample.map((c) => c.customerId)).toEqual(minus(published, now)); // c10
    expect(diff.published!.stayed).toBe(2);
  });

  it('bounds the samples but not the counts, and is empty for the saved rules themselves', async () => {
    const bounded = await engine.inspect(draft, 'diff', {}, (db, set) =>
      whatIfDiff(db, set, draft, { sample: 1 }),
    );
    expect(bounded.published!.entered).toMatchObject({ count: 2 });
    expect(bounded.published!.entered.sample).toHaveLength(1);

    const same = await engine.inspect(valuable, 'diff', {}, (db, set) => whatIfDiff(db, set, valuable));
    expect(same.saved).toMatchObject({
      sameDefinition: true,
      entered: { count: 0 },
      left: { count: 0 },
      stayed: 4,
    });
  });

  it('has nothing to compare for a segment never saved nor published', async () => {
    const fresh = segment({ name: 'fresh', rules: [{ column: 'total_orders', op: '>=', value: 1 }] });
    const diff = await engine.inspect(fresh, 'diff', {}, (db, set) => whatIfDiff(db, set, fresh));
    expect(diff).toMatchObject({ segment: 'fresh', saved: null, published: null });
  });
});

describe('column breakdown', () => {
  it('lists the top values of a text column with the rest as other and the empty apart', async () => {
    const result = await engine.inspect(draft, 'breakdown', {}, (db, set) =>
      columnBreakdown(db, set, draft, 'gender', { top: 1 }),
    );
    // c02 male, c04 null, c06 female, c08 female
    const rows = await fixture.db.queryJson(
      `select gender, count(*) as n from dim_customers where is_marketable and lifetime_revenue between 100 and 1000
       group by gender order by n desc, gender`,
    );
    expect(result).toMatchObject({ shape: 'top', members: 4, empty: 1, other: 1 });
    expect(result.buckets).toEqual([{ value: rows[0]!.gender, count: Number(rows[0]!.n) }]);
  });

  it('counts a list column once per element', async () => {
    const result = await engine.inspect(draft, 'breakdown', {}, (db, set) =>
      columnBreakdown(db, set, draft, 'preferred_categories', { top: 10 }),
    );
    const rows = await fixture.db.queryJson(
      `select c, count(*) as n from (select unnest(preferred_categories) as c from dim_customers
       where is_marketable and lifetime_revenue between 100 and 1000) group by c`,
    );
    expect(result.buckets.reduce((a, b) => a + b.count, 0)).toBe(rows.reduce((a, r) => a + Number(r.n), 0));
    expect(result.buckets[0]).toEqual({ value: 'Immun', count: 2 }); // c02, c04
  });

  it('bins whole numbers into whole ranges and dates into days', async () => {
    const orders = await engine.inspect(draft, 'breakdown', {}, (db, set) =>
      columnBreakdown(db, set, draft, 'total_orders', { bins: 2 }),
    );
    // c02 3, c04 5, c06 4, c08 2 orders → range 2…5 in two bins of width 2: [2, 3] c02 c08, [4, 5] c04 c06
    expect(orders.buckets).toEqual([
      { value: 2, to: 3, count: 2 },
      { value: 4, to: 5, count: 2 },
    ]);
    const last = await engine.inspect(draft, 'breakdown', {}, (db, set) =>
      columnBreakdown(db, set, draft, 'next_replenishment_date', { bins: 3 }),
    );
    // c02 2026-06-25, c08 2026-07-14, c04 and c06 none
    expect(last).toMatchObject({ shape: 'bins', members: 4, empty: 2 });
    expect(last.buckets[0]).toMatchObject({ value: '2026-06-25', count: 1 });
    expect(last.buckets.at(-1)).toMatchObject({ to: '2026-07-14', count: 1 });
  });

  it('refuses a column that does not exist, saying which', async () => {
    await expect(
      engine.inspect(draft, 'breakdown', {}, (db, set) => columnBreakdown(db, set, draft, 'shoe_size')),
    ).rejects.toThrow(/'shoe_size' is not a column of dim_customers/);
  });
});

describe('priority simulation', () => {
  it('shows who each segment of the group would take and whom it loses to a segment before it', async () => {
    const sim = await engine.inspect(spendersDraft, 'priority', {}, (db, set) =>
      simulatePriorityGroup(db, set, spendersDraft),
    );
    const loyalIds = await ids('total_orders >= 4');
    const draftIds = await ids('lifetime_revenue between 100 and 1000');
    expect(sim).toMatchObject({ group: 'value' });
    expect(sim!.segments.map((s) => s.segment)).toEqual(['loyal', 'spenders']);
    expect(sim!.segments[0]).toMatchObject({
      wouldBe: loyalIds.length,
      claimed: loyalIds.length,
      lostTo: [],
    });
    expect(sim!.segments[1]).toMatchObject({
      isDraft: true,
      wouldBe: draftIds.length, // c02 c04 c06 c08
      claimed: minus(draftIds, loyalIds).length, // c02 c08
      lostTo: [{ segment: 'loyal', count: draftIds.filter((x) => loyalIds.includes(x)).length }],
    });
    expect(sim!.claimedByGroup).toBe(new Set([...loyalIds, ...draftIds]).size);
  });

  it('is null for a segment outside any group', async () => {
    const plain = segment({ name: 'plain', rules: [{ column: 'total_orders', op: '>=', value: 1 }] });
    expect(
      await engine.inspect(plain, 'priority', {}, (db, set) => simulatePriorityGroup(db, set, plain)),
    ).toBeNull();
  });
});

describe('member page', () => {
  it('pages the members in id order with their total and the columns the rules read', async () => {
    const all = await ids('lifetime_revenue between 100 and 1000 and total_orders >= 1');
    const edit = segment({
      name: 'buyers',
      rules: [
        { column: 'lifetime_revenue', op: 'between', value: [100, 1000] },
        { column: 'total_orders', op: '>=', value: 1 },
      ],
    });
    const page = await engine.inspect(edit, 'members', {}, (db, set) =>
      memberPage(db, set, edit, { offset: 1, limit: 2 }),
    );
    expect(page.total).toBe(all.length);
    expect(page.rows.map((r) => r.customerId)).toEqual(all.slice(1, 3));
    expect(page.columns).toEqual(['lifetime_revenue', 'total_orders']);
    expect(page.rows[0]!.values).toEqual({ lifetime_revenue: 900, total_orders: 5 }); // c04
    const past = await engine.inspect(edit, 'members', {}, (db, set) =>
      memberPage(db, set, edit, { offset: 50 }),
    );
    expect(past).toMatchObject({ total: all.length, rows: [] });
  });
});
