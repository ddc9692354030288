import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { generateDemoShop } from '../../core/demo/index.ts';
import { runBuild, type BuildResult } from '../../core/models/index.ts';

/**
 * Property tests: invariants that must hold on any generated shop, checked on a dirty 20k-customer demo.
 * Each query counts violations, so a failure prints how many rows break the rule.
 */
let dir: string;
let db: Database;
let build: BuildResult;
const AS_OF = '2026-06-30';

async function count(sql: string): Promise<number> {
  const [row] = await db.queryJs(`select count(*)::bigint as n from (${sql})`);
  return Number(row?.n ?? -1);
}

async function scalar(sql: string): Promise<number> {
  const [row] = await db.queryJs(sql);
  return Number(Object.values(row ?? {})[0]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-generated-'));
  db = await openDatabase(join(dir, 'workspace.duckdb'));
  await generateDemoShop(db, { customers: 20_000, seed: 7, asOf: AS_OF, dirtyShare: 0.05 });
  build = await runBuild(db, { vars: { as_of: AS_OF } });
});

afterAll(async () => {
  db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the models on a generated dirty shop', () => {
  it('build without a failing model or data test', () => {
    const problems = [
      ...build.models.filter((m) => m.status !== 'success').map((m) => `${m.name}: ${m.error}`),
      ...build.tests.filter((t) => t.status !== 'pass').map((t) => `${t.model} ${t.name}: ${t.message}`),
    ];
    expect(problems).toEqual([]);
    expect(build.published).toBe(true);
  });

  it('give every buyer exactly the lifecycle stage its days since last order implies', async () => {
    const violations = await count(`
      select * from dim_customers
      where lifecycle_stage is distinct from case
        when total_orders = 0 then 'prospect'
        when total_orders = 1 and days_since_last_order <= 30 then 'new'
        when days_since_last_order <= 60 then 'active'
        when days_since_last_order <= 120 then 'at_risk'
        when days_since_last_order <= 210 then 'lapsing'
        else 'churned' end`);
    expect(violations).toBe(0);
    expect(await count(`select distinct lifecycle_stage from dim_customers`)).toBe(6);
  });

  it('partition buyers into value tiers in the documented proportions', async () => {
    const buyers = await scalar(`select count(*) from dim_customers where total_orders > 0`);
    const tiers = Object.fromEntries(
      (
        await db.queryJs(
          `select customer_value_tier as t, count(*)::integer as n from dim_customers group by 1`,
        )
      ).map((r) => [r.t, r.n]),
    );
    const vip = Math.ceil(buyers * 0.05);
    const high = Math.ceil(buyers * 0.2) - vip;
    const medium = Math.ceil(buyers * 0.5) - vip - high;
    expect(tiers).toEqual({
      vip,
      high,
      medium,
      low: buyers - vip - high - medium,
      no_purchase: (await scalar(`select count(*) from dim_customers`)) - buyers,
    });
    expect(await scalar(`select count(*) from dim_customers where vip_tier = 'platinum'`)).toBe(
      Math.ceil(buyers * 0.01),
    );
    expect(await count(`select * from dim_customers where is_vip <> (customer_value_tier = 'vip')`)).toBe(0);
  });

  it('rank vips by revenue: no non-vip buyer out-earns a vip', async () => {
    const violations = await scalar(`
      select count(*) from dim_customers
      where customer_value_tier <> 'vip' and total_orders > 0
        and lifetime_revenue > (select min(lifetime_revenue) from dim_customers where customer_value_tier = 'vip')`);
    expect(violations).toBe(0);
  });

  it('never make a relay address, an invalid or a missing email marketable', async () => {
    expect(
      await count(
        `select * from dim_customers where is_marketable and (email is null or email like '%@marketplace.amazon.%')`,
      ),
    ).toBe(0);
    expect(
      await count(
        `select * from dim_customers where is_marketable and not regexp_matches(email, '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$')`,
      ),
    ).toBe(0);
    expect(
      await count(`select * from dim_customers where is_marketable and (not email_consent or is_suppressed)`),
    ).toBe(0);
    expect(await scalar(`select count(*) from dim_customers where is_marketable`)).toBeGreaterThan(1000);
  });

  it('give RFM scores from 1 to 5 whose concatenation is the rfm_segment', async () => {
    expect(
      await count(`select * from dim_customers where total_orders > 0 and (
        recency_score not between 1 and 5 or frequency_score not between 1 and 5 or monetary_score not between 1 and 5
        or rfm_segment <> cast(recency_score as varchar) || cast(frequency_score as varchar) || cast(monetary_score as varchar))`),
    ).toBe(0);
    expect(
      await count(`select * from dim_customers where total_orders = 0 and rfm_segment is not null`),
    ).toBe(0);
    // The most recent buyers score 5 on recency.
    const recentRecency = await scalar(
      `select min(recency_score) from dim_customers where total_orders > 0 and days_since_last_order = (select min(days_since_last_order) from dim_customers where total_orders > 0)`,
    );
    expect(recentRecency).toBe(5);
  });

  it('stage winback candidates consistently with their days since last order', async () => {
    expect(
      await count(`select * from dim_customers where winback_stage is distinct from case
        when total_orders = 0 or days_since_last_order < 60 then null
        when days_since_last_order <= 90 then 'early'
        when days_since_last_order <= 120 then 'mid'
        when days_since_last_order <= 210 then 'late'
        else 'final' end
        or is_winback_candidate <> (winback_stage is not null)`),
    ).toBe(0);
  });

  it('recommend an action exactly for high-value customers at risk', async () => {
    expect(
      await count(
        `select * from dim_customers where is_high_value_at_risk <> (recommended_action is not null)`,
      ),
    ).toBe(0);
    expect(
      await count(
        `select * from dim_customers where is_high_value_at_risk and customer_value_tier not in ('vip', 'high')`,
      ),
    ).toBe(0);
    expect(
      await count(
        `select * from dim_customers where recommended_action = 'resolve_support_first' and not has_unresolved_ticket`,
      ),
    ).toBe(0);
    expect(await scalar(`select count(*) from dim_customers where is_high_value_at_risk`)).toBeGreaterThan(0);
  });

  it('keep scores and rates in their ranges', async () => {
    expect(
      await count(`select * from dim_customers where engagement_score not between 0 and 100 or cross_sell_score not between 0 and 100
        or click_rate_90d not between 0 and 1 or delivery_success_rate not between 0 and 1 or csat_score not between 0 and 1
        or p_alive not between 0 and 1 or predicted_clv_12m < 0 or lifetime_revenue < 0 or days_since_last_order < 0`),
    ).toBe(0);
  });

  it('predict a higher chance of being alive for recent repeat buyers than for churned ones', async () => {
    const active = await scalar(
      `select avg(p_alive) from dim_customers where total_orders >= 3 and lifecycle_stage = 'active'`,
    );
    const churned = await scalar(
      `select avg(p_alive) from dim_customers where total_orders >= 3 and lifecycle_stage = 'churned'`,
    );
    expect(active).toBeGreaterThan(churned);
  });

  it('share buyers across channels realistically and count channels consistently', async () => {
    expect(
      await count(
        `select * from dim_customers where channels_count <> len(channels) or is_cross_channel <> (channels_count >= 2)`,
      ),
    ).toBe(0);
    const crossShare = await scalar(
      `select avg(case when is_cross_channel then 1 else 0 end) from dim_customers where total_orders > 0`,
    );
    expect(crossShare).toBeGreaterThan(0.05);
    expect(crossShare).toBeLessThan(0.4);
  });

  it('keep the revenue of every valid order in EUR, net of refunds, across identity merges', async () => {
    const fromRaw = await scalar(`
      with shopify as (
        select distinct id, total_price - coalesce(total_refunded, 0) as total_price, currency from raw_shopify.orders
        where cancelled_at is null
          and coalesce(financial_status, '') not in ('refunded', 'voided', 'pending', 'authorized')
          and created_at <= timestamp '${AS_OF} 00:00:00'
      ), amazon as (
        select distinct amazon_order_id, order_total - coalesce(refunded_amount, 0) as order_total, currency
        from raw_amazon.orders
        where order_status not in ('Canceled', 'Pending', 'PendingAvailability')
          and purchase_date <= timestamp '${AS_OF} 00:00:00'
      ), otto as (
        select distinct sales_order_id, total_gross - coalesce(refunded_amount, 0) as total_gross, currency
        from raw_otto.orders
        where order_status in ('PROCESSABLE', 'SENT') and order_date <= timestamp '${AS_OF} 00:00:00'
      ), rates as (select * from exchange_rates)
      select coalesce((select sum(total_price * eur_per_unit) from shopify join rates using (currency)), 0)
           + coalesce((select sum(order_total * eur_per_unit) from amazon join rates using (currency)), 0)
           + coalesce((select sum(total_gross * eur_per_unit) from otto join rates using (currency)), 0)`);
    const inMart = await scalar(`select sum(lifetime_revenue) from dim_customers`);
    expect(inMart).toBeGreaterThan(0);
    expect(Math.abs(inMart - fromRaw) / fromRaw).toBeLessThan(0.005);
  });

  it('put only marketable customers in segments, and pregnancy only with opt-in', async () => {
    const segments = (
      await db.queryJs(
        `select table_name from duckdb_tables() where schema_name = 'main' and table_name like 'seg\\_%' escape '\\'`,
      )
    ).map((r) => String(r.table_name));
    expect(segments.length).toBeGreaterThanOrEqual(10);
    for (const segment of segments) {
      const outside = await count(
        `select s.customer_id from ${segment} s left join dim_customers d using (customer_id) where d.customer_id is null or not d.is_marketable`,
      );
      expect({ segment, outside }).toEqual({ segment, outside: 0 });
    }
    expect(
      await count(
        `select s.customer_id from seg_pregnancy_journey s join dim_customers d using (customer_id) where not d.pregnancy_opt_in`,
      ),
    ).toBe(0);
  });

  it('emit shipment events with unique ids and never to relay addresses', async () => {
    expect(await scalar(`select count(*) from events_shipments`)).toBeGreaterThan(0);
    expect(await count(`select event_id from events_shipments group by event_id having count(*) > 1`)).toBe(
      0,
    );
    expect(
      await count(
        `select * from events_shipments where email is null or email like '%@marketplace.amazon.%'`,
      ),
    ).toBe(0);
    expect(
      await count(
        `select * from events_shipments where event_name not in ('Package Shipped', 'Package Delivered', 'Delivery Failed', 'Delivery Delayed')`,
      ),
    ).toBe(0);
  });

  it('count the dirty rows it cleaned or dropped, by reason', async () => {
    const reasons = (
      await db.queryJs(`select distinct reason from data_quality_issues where row_count > 0`)
    ).map((r) => String(r.reason));
    for (const reason of ['invalid_email', 'future_timestamp', 'unknown_currency', 'duplicate_row'])
      expect(reasons).toContain(reason);
  });
});
