import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/duckdb.ts';
import type { BuildResult } from '../../core/models/index.ts';
import { buildGeneratedShop, GENERATED_SHOP_TIMEOUT_MS, type GeneratedShop } from './generatedShopSetup.ts';

/**
 * Property tests: invariants that must hold on any generated shop, checked on a dirty 20k-customer demo.
 * Each query counts violations, so a failure prints how many rows break the rule.
 */
let shop: GeneratedShop | undefined;
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
  shop = await buildGeneratedShop({ customers: 20_000, seed: 7, asOf: AS_OF, dirtyShare: 0.05 });
  ({ db, build } = shop);
}, GENERATED_SHOP_TIMEOUT_MS);

afterAll(async () => {
  await shop?.close();
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

  it('stage winback candidates from the lifecycle bounds up to the horizon, then archive them', async () => {
    expect(
      await count(`select * from dim_customers where winback_stage is distinct from case
        when total_orders = 0 or days_since_last_order <= 60 then null
        when days_since_last_order <= 90 then 'early'
        when days_since_last_order <= 120 then 'mid'
        when days_since_last_order <= 210 then 'late'
        when days_since_last_order <= 365 then 'final'
        else 'archived' end
        or is_winback_candidate <> coalesce(winback_stage <> 'archived', false)`),
    ).toBe(0);
    // No one gets winback mails while still active (the old rules overlapped at day 60).
    expect(
      await count(
        `select * from dim_customers where is_winback_candidate and lifecycle_stage in ('new', 'active')`,
      ),
    ).toBe(0);
    // Three years of history: many buyers lie beyond the horizon, and none of them is on the winback list.
    expect(
      await scalar(
        `select count(*) from dim_customers where winback_stage = 'archived' and not is_winback_candidate`,
      ),
    ).toBeGreaterThan(100);
    expect(
      await scalar(`select max(days_since_last_order) from dim_customers where is_winback_candidate`),
    ).toBeLessThanOrEqual(365);
  });

  it('type each buyer by the kinds of products bought, a bundle counted as its contents', async () => {
    // Recomputed from the lines and the two seeds, independently of int_products__bundles_expanded.
    const bought = `
      with units as (
        select l.customer_id, coalesce(c.component_product_id, l.product_id) as product_id
        from int_order_lines__enriched l left join bundle_components c on c.bundle_product_id = l.product_id
        where l.product_id is not null
      )
      select units.customer_id, p.product_id, p.product_type, p.category, p.refill_product_id
      from units join products p using (product_id)`;
    expect(
      await count(`
        with kinds as (
          select customer_id,
            bool_or(product_type in ('consumable', 'refill')) as used_up,
            bool_or(product_type in ('one_time', 'device')) as lasting
          from (${bought}) group by customer_id
        )
        select * from dim_customers d left join kinds k using (customer_id)
        where d.total_orders > 0 and d.product_type is distinct from case
          when k.used_up and k.lasting then 'mixed' when k.used_up then 'consumable' when k.lasting then 'one_time' end`),
    ).toBe(0);
    expect(
      await count(`select distinct product_type from dim_customers where product_type is not null`),
    ).toBe(3);
    // Every category inside a bought bundle is among the buyer's categories; pregnancy and sleep bundles
    // make pregnancy and sleep buyers.
    expect(
      await count(`
        select * from (${bought}) b join dim_customers d using (customer_id)
        where not list_contains(d.bought_categories, b.category)
          or (b.category = 'Schwangerschaft' and not d.has_bought_pregnancy_products)
          or (b.category = 'Schlaf' and not d.has_bought_sleep_products)`),
    ).toBe(0);
    // "Bundles" is left only to buyers of a catalogue product of that category that is not expanded (advent calendars).
    expect(
      await count(`
        select * from dim_customers d
        where list_contains(d.bought_categories, 'Bundles')
          and not exists (select 1 from int_order_lines__enriched l join products p using (product_id)
                          where l.customer_id = d.customer_id and p.category = 'Bundles'
                            and p.product_id not in (select bundle_product_id from bundle_components))`),
    ).toBe(0);
  });

  it('flag exactly the buyers of a device who never bought its refill', async () => {
    const flagged = `
      with lines as (select distinct customer_id, product_id from int_order_lines__enriched where product_id is not null)
      select distinct d.customer_id from lines d join products p on p.product_id = d.product_id
      where p.product_type = 'device'
        and not exists (select 1 from lines r where r.customer_id = d.customer_id and r.product_id = p.refill_product_id)`;
    expect(
      await count(`select customer_id from dim_customers
        where has_device_without_refill <> (customer_id in (${flagged}))`),
    ).toBe(0);
    expect(
      await scalar(`select count(*) from dim_customers where has_device_without_refill`),
    ).toBeGreaterThan(0);
  });

  it('sell pregnancy products mostly to women of childbearing age, to few buyers', async () => {
    const [row] = await db.queryJs(`
      select
        avg(case when has_bought_pregnancy_products then 1.0 else 0 end) as buyer_share,
        avg(case when gender = 'female' and age between 20 and 45 then 1.0 else 0 end)
          filter (where has_bought_pregnancy_products and gender is not null and age is not null) as plausible_share,
        avg(case when gender = 'male' then 1.0 else 0 end)
          filter (where has_bought_pregnancy_products and gender is not null) as male_share,
        count(*) filter (where has_bought_pregnancy_products and age >= 50) as aged_50_plus
      from dim_customers where total_orders > 0`);
    expect(Number(row?.buyer_share)).toBeLessThan(0.15);
    expect(Number(row?.buyer_share)).toBeGreaterThan(0.02);
    expect(Number(row?.plausible_share)).toBeGreaterThan(0.85);
    expect(Number(row?.male_share)).toBeLessThan(0.1);
    expect(Number(row?.aged_50_plus)).toBeLessThan(20);
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

  it('lower the mean p_alive at every lifecycle stage further from the last order', async () => {
    const rows = await db.queryJs(`select lifecycle_stage as stage, avg(p_alive) as p from dim_customers
      where total_orders > 0 group by 1`);
    const mean = Object.fromEntries(rows.map((r) => [r.stage, Number(r.p)]));
    const recent = Math.min(mean.new as number, mean.active as number);
    expect(recent).toBeGreaterThan(mean.at_risk as number);
    expect(mean.at_risk).toBeGreaterThan(mean.lapsing as number);
    expect(mean.lapsing).toBeGreaterThan(mean.churned as number);
  });

  it('give one-time buyers who never came back a low p_alive, below that of recent one-time buyers', async () => {
    const longGone = await scalar(
      `select median(p_alive) from dim_customers where total_orders = 1 and days_since_last_order > 700`,
    );
    const recent = await scalar(
      `select median(p_alive) from dim_customers where total_orders = 1 and days_since_last_order <= 60`,
    );
    expect(longGone).toBeLessThan(0.3);
    expect(longGone).toBeLessThan(recent);
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
