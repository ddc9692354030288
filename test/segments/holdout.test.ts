import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSegmentDefinition, recordSnapshot, SegmentEngine } from '../../core/segments/index.ts';
import { openFixture, type Fixture } from './fixtureShop.ts';

/**
 * 20,000 synthetic customers: the holdout is a stable hash of customer_id, so its share must be close. One point
 * is 2.6 to 4 standard deviations of a fair draw of 5–33 % from the 15,000 eligible (the ids are fixed, so the
 * outcome is too): a hash that favours some ids fails.
 */
let fixture: Fixture;
let engine: SegmentEngine;

beforeAll(async () => {
  fixture = await openFixture(`create or replace table dim_customers as
    select 'c_' || left(md5(i::varchar), 16) as customer_id, true as is_marketable, i % 4 as total_orders,
      0 as days_since_last_order, 0 as channels_count, 0.0 as lifetime_revenue, 0 as age
    from range(20000) t(i)`);
  engine = await SegmentEngine.open(fixture.db);
});
afterAll(async () => fixture.close());

describe('the holdout', () => {
  it.each([5, 10, 12.5, 33])(
    'keeps %d % of the eligible customers out, within one point',
    async (percent) => {
      const target = parseSegmentDefinition({
        name: `holdout_${String(percent).replace('.', '_')}`,
        rules: [{ column: 'total_orders', op: '>=', value: 1 }],
        holdout_percent: percent,
      });
      const preview = await engine.preview(target);
      expect(preview.eligible).toBe(15000);
      expect(Math.abs(preview.holdout / preview.eligible - percent / 100)).toBeLessThan(0.01);
      expect(preview.count + preview.holdout).toBe(preview.eligible);
    },
  );

  it('holds out the same customers every time and other customers for another segment', async () => {
    const a = parseSegmentDefinition({
      name: 'a',
      rules: [{ column: 'total_orders', op: '>=', value: 0 }],
      holdout_percent: 10,
    });
    const b = parseSegmentDefinition({
      name: 'b',
      rules: [{ column: 'total_orders', op: '>=', value: 0 }],
      holdout_percent: 10,
    });
    const first = await recordSnapshot(fixture.db, engine.set, a);
    const again = await recordSnapshot(fixture.db, engine.set, a);
    const other = await recordSnapshot(fixture.db, engine.set, b);
    const held = async (id: string) =>
      (
        await fixture.db.queryJson(
          `select customer_id from c360.segment_members where snapshot_id = $1 and is_holdout order by 1`,
          [id],
        )
      ).map((r) => String(r.customer_id));
    const [x, y, z] = [
      await held(first.snapshotId),
      await held(again.snapshotId),
      await held(other.snapshotId),
    ];
    expect(y).toEqual(x);
    const shared = x.filter((id) => new Set(z).has(id)).length;
    expect(shared / x.length).toBeLessThan(0.5);
    expect(again.enteredCount).toBe(0);
  });
});
