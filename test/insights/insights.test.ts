import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/duckdb.ts';
import { QueryCancelledError } from '../../core/db/interrupt.ts';
import {
  customerProfile,
  customerProfileSchema,
  customerSearch,
  customerSearchResultSchema,
  overview,
  overviewSchema,
  type Overview,
} from '../../core/insights/index.ts';
import { CustomerNotFoundError } from '../../core/segments/index.ts';
import { buildInsightsShop, INSIGHTS_SHOP_TIMEOUT_MS, type InsightsShop } from './insightsShop.ts';

/**
 * The Overview, the search and the Customer 360 profile on a built demo shop. Every expected figure is computed
 * here with SQL of its own (per-row time-zone conversion instead of the month calendar, list_contains instead of
 * channel combinations, …), never by calling the function under test.
 */

let shop: InsightsShop;
let db: Database;
let asOf: string;
const ZONE = 'Europe/Berlin';
const localMonth = (expr: string) => `strftime(timezone('${ZONE}', timezone('UTC', ${expr})), '%Y-%m')`;

beforeAll(async () => {
  shop = await buildInsightsShop();
  db = shop.db;
  const [row] = await db.queryJson(
    `select strftime(as_of, '%Y-%m-%d %H:%M:%S') as as_of from c360.build_runs where run_id = $1`,
    [shop.build.runId],
  );
  asOf = String(row?.as_of);
}, INSIGHTS_SHOP_TIMEOUT_MS);

afterAll(async () => {
  await shop?.close();
});

async function rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return db.queryJson(sql, params as never);
}

async function value(sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await rows(sql, params);
  return Number(Object.values(row ?? {})[0] ?? Number.NaN);
}

describe('overview', () => {
  let result: Overview;
  beforeAll(async () => {
    result = await overview(db, {});
  });

  it('parses with its schema and names the published build', () => {
    expect(overviewSchema.parse(result)).toEqual(result);
    expect(result.asOf).toBe(`${asOf.replace(' ', 'T')}.000Z`);
    expect(result.freshness.lastBuild).toMatchObject({ runId: shop.build.runId, status: 'published' });
    expect(result.shopTimeZone).toBe(ZONE);
  });

  it('KPI cards equal SQL over the published tables', async () => {
    const asOfSql = `cast('${asOf}' as timestamp)`;
    const revenue = await value(
      `select sum(revenue_eur) from int_orders__attributed
       where is_valid_order and ordered_at > ${asOfSql} - interval 1 year and ordered_at <= ${asOfSql}`,
    );
    const orders = await value(
      `select count(*) from int_orders__attributed
       where is_valid_order and ordered_at > ${asOfSql} - interval 1 year and ordered_at <= ${asOfSql}`,
    );
    const buyers = await value('select count(*) from dim_customers where total_orders > 0');
    const active = await value(
      `select count(*) from dim_customers where total_orders > 0 and days_since_last_order <= 60`,
    );
    expect(result.kpis).toEqual({
      customers: await value('select count(*) from dim_customers'),
      buyers,
      marketable: await value('select count(*) from dim_customers where is_marketable'),
      revenueLast12Months: expect.closeTo(revenue, 2),
      ordersLast12Months: orders,
      averageOrderValue: expect.closeTo(revenue / orders, 2),
      activeCustomers: active,
      activeShare: expect.closeTo(active / buyers, 10),
    });
    expect(buyers).toBeGreaterThan(0);
    expect(active).toBeGreaterThan(0);
  });

  it('lifecycle, value tiers, RFM cells and engagement bins equal SQL counts', async () => {
    for (const { stage, customers } of result.lifecycle)
      expect(customers, stage).toBe(
        await value('select count(*) from dim_customers where lifecycle_stage = $1', [stage]),
      );
    for (const { tier, customers, revenue } of result.valueTiers) {
      expect(customers, tier).toBe(
        await value('select count(*) from dim_customers where customer_value_tier = $1', [tier]),
      );
      expect(revenue).toBeCloseTo(
        await value(
          'select coalesce(sum(lifetime_revenue), 0) from dim_customers where customer_value_tier = $1',
          [tier],
        ),
        2,
      );
    }
    const cells = await rows(
      `select recency_score as r, frequency_score as f, count(*) as n from dim_customers
       where recency_score is not null group by all`,
    );
    expect(result.rfm).toHaveLength(25);
    for (const cell of result.rfm) {
      const expected = cells.find((c) => Number(c.r) === cell.recency && Number(c.f) === cell.frequency);
      expect(cell.customers, `${cell.recency}×${cell.frequency}`).toBe(Number(expected?.n ?? 0));
    }
    expect(result.rfm.reduce((s, c) => s + c.customers, 0)).toBe(result.kpis.buyers);
    for (const bin of result.engagement)
      expect(bin.customers, `${bin.from}–${bin.to}`).toBe(
        await value('select count(*) from dim_customers where engagement_score between $1 and $2', [
          bin.from,
          bin.to,
        ]),
      );
  });

  it('channel totals and every pair overlap equal SQL over dim_customers.channels', async () => {
    const channels = (await rows('select distinct unnest(channels) as c from dim_customers')).map((r) =>
      String(r.c),
    );
    expect(result.channels.totals.map((t) => t.channel).sort()).toEqual([...channels].sort());
    for (const total of result.channels.totals) {
      expect(total.customers).toBe(
        await value('select count(*) from dim_customers where list_contains(channels, $1)', [total.channel]),
      );
      expect(total.only).toBe(
        await value('select count(*) from dim_customers where channels = [$1]', [total.channel]),
      );
    }
    expect(result.channels.overlaps).toHaveLength((channels.length * (channels.length - 1)) / 2);
    for (const pair of result.channels.overlaps)
      expect(pair.customers, `${pair.a}+${pair.b}`).toBe(
        await value(
          'select count(*) from dim_customers where list_contains(channels, $1) and list_contains(channels, $2)',
          [pair.a, pair.b],
        ),
      );
    expect(result.channels.overlaps.some((p) => p.customers > 0)).toBe(true);
  });

  it('revenue by month equals SQL with per-order time-zone conversion', async () => {
    expect(result.revenueByMonth).toHaveLength(24);
    expect(result.revenueByMonth.at(-1)?.month).toBe(
      String((await rows(`select ${localMonth(`cast('${asOf}' as timestamp)`)} as m`))[0]?.m),
    );
    const expected = await rows(
      `select ${localMonth('ordered_at')} as month, sum(revenue_eur) as revenue, count(*) as orders
       from int_orders__attributed where is_valid_order and ordered_at <= cast($1 as timestamp) group by 1`,
      [asOf],
    );
    for (const month of result.revenueByMonth) {
      const row = expected.find((e) => e.month === month.month);
      expect(month.orders, month.month).toBe(Number(row?.orders ?? 0));
      expect(month.revenue, month.month).toBeCloseTo(Number(row?.revenue ?? 0), 2);
    }
    expect(result.revenueByMonth.filter((m) => m.orders > 0).length).toBeGreaterThan(12);
  });

  it('first-order cohort retention equals SQL over each buyer and order', async () => {
    const expected = await rows(
      `with buyers as (
         select customer_id, ${localMonth('first_order_at')} as cohort from dim_customers where total_orders > 0
       ),
       months as (
         select distinct customer_id, ${localMonth('ordered_at')} as month from int_orders__attributed
         where is_valid_order and ordered_at <= cast($1 as timestamp)
       )
       select cohort, month, count(*) as n from buyers join months using (customer_id)
       where month > cohort group by all`,
      [asOf],
    );
    expect(result.cohorts.length).toBeGreaterThan(12);
    expect(result.cohorts.length).toBeLessThanOrEqual(24);
    for (const cohort of result.cohorts) {
      expect(cohort.customers, cohort.month).toBe(
        await value(
          `select count(*) from dim_customers where total_orders > 0 and ${localMonth('first_order_at')} = $1`,
          [cohort.month],
        ),
      );
      for (const cell of cohort.retention) {
        const [year, month] = cohort.month.split('-').map(Number) as [number, number];
        const later = new Date(Date.UTC(year, month - 1 + cell.monthsSinceFirstOrder, 1));
        const laterMonth = later.toISOString().slice(0, 7);
        const row = expected.find((e) => e.cohort === cohort.month && e.month === laterMonth);
        expect(cell.customers, `${cohort.month}+${cell.monthsSinceFirstOrder}`).toBe(Number(row?.n ?? 0));
        expect(cell.share).toBeCloseTo(cell.customers / cohort.customers, 12);
      }
    }
    // the newest cohort has no later month yet; the oldest one has 23
    expect(result.cohorts.at(-1)?.retention).toHaveLength(0);
    expect(result.cohorts.some((c) => c.retention.some((r) => r.customers > 0))).toBe(true);
  });

  it('stops with a QueryCancelledError when its signal has aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(overview(db, {}, controller.signal)).rejects.toBeInstanceOf(QueryCancelledError);
  });
});

describe('customer search', () => {
  let customer: Record<string, unknown>;
  beforeAll(async () => {
    [customer] = (await rows(
      `select customer_id, email, first_name, last_name from dim_customers
       where email is not null and first_name is not null and last_name is not null and total_orders > 0
       order by customer_id limit 1`,
    )) as [Record<string, unknown>];
  });

  it('finds a customer by their email, typed in any case, and ranks the exact match first', async () => {
    const email = String(customer.email);
    const result = await customerSearch(db, { query: email.toUpperCase() });
    expect(customerSearchResultSchema.parse(result)).toEqual(result);
    expect(result.hits[0]).toMatchObject({ customerId: customer.customer_id, matchedOn: 'email' });
    const prefix = email.slice(0, email.indexOf('@'));
    const byPrefix = await customerSearch(db, { query: prefix, limit: 50 });
    expect(byPrefix.total).toBe(
      await value(
        `select count(*) from dim_customers where left(lower(email), length($1)) = $1
           or left(strip_accents(lower(first_name)), length($1)) = strip_accents($1)
           or left(strip_accents(lower(last_name)), length($1)) = strip_accents($1)`,
        [prefix.toLowerCase()],
      ),
    );
    expect(byPrefix.hits.map((h) => h.customerId)).toContain(customer.customer_id);
  });

  it('finds a customer by a prefix of their full name, and every hit matches it', async () => {
    const full = `${String(customer.first_name)} ${String(customer.last_name)}`;
    const query = full.slice(0, String(customer.first_name).length + 3);
    const result = await customerSearch(db, { query, limit: 50 });
    const expected = await value(
      `select count(*) from dim_customers
       where left(strip_accents(lower(first_name || ' ' || last_name)), length($1)) = strip_accents(lower($1))
          or left(strip_accents(lower(last_name || ' ' || first_name)), length($1)) = strip_accents(lower($1))`,
      [query],
    );
    expect(result.total).toBe(expected);
    expect(expected).toBeLessThanOrEqual(50);
    expect(result.hits.map((h) => h.customerId)).toContain(customer.customer_id);
    for (const hit of result.hits) expect(hit.matchedOn).toBe('name');
  });

  it('ignores accents: "muller" finds Müller', async () => {
    const [umlaut] = await rows(
      `select customer_id, last_name from dim_customers where last_name like '%ü%' order by customer_id limit 1`,
    );
    expect(umlaut).toBeDefined();
    const plain = String(umlaut?.last_name).replace(/ü/g, 'u');
    const result = await customerSearch(db, { query: plain, limit: 50 });
    expect(result.total).toBeGreaterThan(0);
    expect(result.hits.some((h) => h.lastName === umlaut?.last_name)).toBe(true);
  });

  it('finds a customer by id, and by an id prefix', async () => {
    const id = String(customer.customer_id);
    const exact = await customerSearch(db, { query: id });
    expect(exact).toMatchObject({ total: 1, totalCapped: false });
    expect(exact.hits[0]).toMatchObject({ customerId: id, matchedOn: 'customer_id' });
    const prefix = await customerSearch(db, { query: id.slice(0, 3), limit: 5 });
    expect(prefix.hits).toHaveLength(5);
    expect(prefix.total).toBe(
      await value('select count(*) from dim_customers where left(customer_id, 3) = $1', [id.slice(0, 3)]),
    );
  });

  it('returns nothing for a text nobody matches, and refuses an empty text', async () => {
    expect(await customerSearch(db, { query: 'zzqxj-nobody' })).toMatchObject({ total: 0, hits: [] });
    await expect(customerSearch(db, { query: '   ' })).rejects.toThrow(/type part of an email/);
  });
});

describe('customer 360 profile', () => {
  let customerId: string;
  beforeAll(async () => {
    // a customer with several sources, orders on two channels, shipments and Klaviyo events
    const [row] = await rows(
      `select customer_id from dim_customers
       where len(source_ids) >= 2 and channels_count >= 2 and shipments_count > 0
       order by total_orders desc, customer_id limit 1`,
    );
    customerId = String(row?.customer_id);
  });

  it('shows the customer with all their orders, lines, shipments, events and tickets as in SQL', async () => {
    const profile = await customerProfile(db, { customerId }, undefined, { segments: shop.segments });
    expect(customerProfileSchema.parse(profile)).toEqual(profile);
    expect(profile.identity.customerId).toBe(customerId);

    const orders = await value('select count(*) from int_orders__attributed where customer_id = $1', [
      customerId,
    ]);
    expect(profile.orders.total).toBe(orders);
    expect(profile.orders.items).toHaveLength(Math.min(orders, 50));
    expect(profile.orders.more).toBe(Math.max(0, orders - 50));
    expect(new Set(profile.orders.items.map((o) => o.channel)).size).toBeGreaterThanOrEqual(2);
    const times = profile.orders.items.map((o) => o.orderedAt);
    expect(times).toEqual([...times].sort().reverse());
    if (orders <= 50) {
      const units = await value(
        'select sum(quantity) from int_order_lines__enriched where customer_id = $1',
        [customerId],
      );
      const shown = profile.orders.items.flatMap((o) => o.lines).reduce((s, l) => s + l.quantity, 0);
      expect(shown).toBe(units);
    }
    for (const order of profile.orders.items)
      if (order.isValid) expect(order.lines.length).toBeGreaterThan(0);

    expect(profile.identity.sources).toHaveLength(
      await value('select count(*) from int_customer__identity_resolved where customer_id = $1', [
        customerId,
      ]),
    );
    expect(profile.identity.sourceIds.length).toBeGreaterThanOrEqual(2);

    expect(profile.shipments.total).toBe(
      await value(
        `select count(*) from stg_shipments s join int_orders__attributed o using (order_id, channel)
         where o.customer_id = $1`,
        [customerId],
      ),
    );
    expect(profile.shipments.items.every((s) => s.events.length > 0 || s.shippedAt === null)).toBe(true);

    const events = await value(
      `select count(*) from stg_klaviyo__events e join int_customer__identity_resolved i
         on i.source = 'klaviyo_profile' and i.source_record_id = e.klaviyo_profile_id
       where i.customer_id = $1 and e.occurred_at <= cast($2 as timestamp)`,
      [customerId, asOf],
    );
    expect(profile.email.totals.reduce((s, t) => s + t.events, 0)).toBe(events);
    expect(profile.email.recent.length + profile.email.more).toBe(events);

    expect(profile.tickets.total).toBe(
      await value('select tickets_total from dim_customers where customer_id = $1', [customerId]),
    );
  });

  it('lists every saved segment with why, and membership agrees with the built seg_ tables', async () => {
    const profile = await customerProfile(db, { customerId }, undefined, { segments: shop.segments });
    expect(profile.segments.map((s) => s.segment)).toEqual(
      shop.segments.segments.map((s) => s.definition.name).sort(),
    );
    for (const membership of profile.segments) {
      const inTable = await value(`select count(*) from "seg_${membership.segment}" where customer_id = $1`, [
        customerId,
      ]);
      expect(membership.member, membership.segment).toBe(inTable === 1);
      expect(membership.failedStep === null).toBe(membership.member);
      expect(membership.steps.length).toBeGreaterThan(0);
    }
  });

  it('rejects an unknown id with CustomerNotFoundError, without echoing an email', async () => {
    await expect(customerProfile(db, { customerId: 'c_0000000000000000' })).rejects.toBeInstanceOf(
      CustomerNotFoundError,
    );
    const error = await customerProfile(db, { customerId: 'someone@example.com' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustomerNotFoundError);
    expect(String((error as Error).message)).not.toContain('someone@example.com');
    expect(String((error as Error).message)).toMatch(/Search by email, name or id/);
  });
});
