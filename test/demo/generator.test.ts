import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAW_TABLES, rawSchemaName } from '../../core/sources/rawTables.ts';
import { createDemoDatabase, rawTableChecksums, scalar, type DemoDatabase } from './demoDatabase.ts';

const AS_OF = '2025-06-30';
const CUSTOMERS = 5_000;

describe('generateDemoShop', () => {
  let shop: DemoDatabase;
  let twin: DemoDatabase;
  let other: DemoDatabase;

  beforeAll(async () => {
    shop = await createDemoDatabase({ customers: CUSTOMERS, seed: 42, asOf: AS_OF });
    twin = await createDemoDatabase({ customers: CUSTOMERS, seed: 42, asOf: AS_OF });
    other = await createDemoDatabase({ customers: CUSTOMERS, seed: 7, asOf: AS_OF });
  });
  afterAll(() => {
    shop?.dispose();
    twin?.dispose();
    other?.dispose();
  });

  const q = (sql: string): Promise<number> => scalar(shop.db, sql);

  it('produces identical tables for the same seed and options', async () => {
    expect(await rawTableChecksums(twin.db)).toEqual(await rawTableChecksums(shop.db));
  });

  it('produces different data for a different seed', async () => {
    const a = await rawTableChecksums(shop.db);
    const b = await rawTableChecksums(other.db);
    for (const key of Object.keys(a)) expect(b[key], key).not.toEqual(a[key]);
  });

  it('creates every raw table with exactly the columns and types of RAW_TABLES', async () => {
    for (const table of RAW_TABLES) {
      const columns = await shop.db.queryJs(
        `select column_name, data_type from information_schema.columns
         where table_schema = '${rawSchemaName(table.source)}' and table_name = '${table.table}' order by ordinal_position`,
      );
      expect(columns, `${table.source}.${table.table}`).toEqual(
        table.columns.map((c) => ({ column_name: c.name, data_type: c.type })),
      );
    }
  });

  it('reports the row count of every raw table and the time of every stage', async () => {
    expect(shop.summary.tables).toHaveLength(RAW_TABLES.length);
    for (const t of shop.summary.tables) {
      expect(t.rows, `${t.schema}.${t.table}`).toBe(await q(`select count(*) from ${t.schema}."${t.table}"`));
      expect(t.rows).toBeGreaterThan(0);
    }
    expect(shop.summary.stages.map((s) => s.stage)).toEqual(
      expect.arrayContaining(['people', 'orders', 'shopify', 'amazon', 'shipments', 'klaviyo', 'zendesk']),
    );
    expect(shop.summary).toMatchObject({ asOf: AS_OF, seed: 42, customers: CUSTOMERS });
  });

  it('places about four orders per customer across both channels', async () => {
    const orders = await q(
      `select (select count(distinct id) from raw_shopify.orders) + (select count(*) from raw_amazon.orders)`,
    );
    expect(orders / CUSTOMERS).toBeGreaterThan(3);
    expect(orders / CUSTOMERS).toBeLessThan(5);
    const linesPerOrder = await q(`select count(*) / count(distinct order_id) from raw_shopify.order_lines`);
    expect(linesPerOrder).toBeGreaterThan(1.3);
    expect(linesPerOrder).toBeLessThan(3);
  });

  it('has a long tail of one-time buyers and a VIP head with a third of the revenue', async () => {
    const oneTime = await q(`with c as (select customer_id, count(*) n from raw_shopify.orders
      where customer_id is not null group by 1) select avg((n = 1)::INTEGER) from c`);
    expect(oneTime).toBeGreaterThan(0.3);
    expect(oneTime).toBeLessThan(0.6);
    const top5 = await q(`with r as (select coalesce(customer_id::VARCHAR, email) as who, sum(total_price) rev
        from raw_shopify.orders where cancelled_at is null group by 1),
      k as (select rev, row_number() over (order by rev desc) rn, count(*) over () n from r)
      select sum(rev) filter (where rn <= n * 0.05) / sum(rev) from k`);
    expect(top5).toBeGreaterThan(0.25);
    expect(top5).toBeLessThan(0.45);
  });

  it('lets 15–20 % of buyers buy on both channels, matchable by name and postal code', async () => {
    const share = await q(`with s as (
        select lower(first_name || ' ' || last_name) as nm, default_address_zip as zip, count(*) as n
        from raw_shopify.customers where id % 10 = 0 group by all),
      a as (select distinct buyer_email, regexp_replace(lower(trim(buyer_name)), '\\s+', ' ', 'g') as nm, ship_postal_code as zip
        from raw_amazon.orders),
      buyers as (select count(distinct customer_id) + (select count(distinct buyer_email) from raw_amazon.orders) as n
        from raw_shopify.orders where customer_id is not null)
      select count(distinct a.buyer_email) / (select n from buyers) from a join s using (nm, zip) where s.n = 1`);
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.24);
    const ambiguous =
      await q(`select count(*) from (select lower(first_name || ' ' || last_name), default_address_zip
      from raw_shopify.customers where id % 10 = 0 group by all having count(*) > 1)`);
    expect(ambiguous).toBeGreaterThan(0);
  });

  it('uses stable relay addresses only in Amazon orders', async () => {
    expect(
      await q(`select avg((buyer_email like '%@marketplace.amazon.de')::INTEGER) from raw_amazon.orders`),
    ).toBe(1);
    const leaked = await q(`select count(*) from (
      select email from raw_shopify.customers union all select email from raw_shopify.orders
      union all select email from raw_klaviyo.profiles union all select email from raw_zendesk.users)
      where email like '%marketplace.amazon%'`);
    expect(leaked).toBe(0);
    expect(
      await q(
        `select count(*) from raw_amazon.orders where not regexp_matches(amazon_order_id, '^\\d{3}-\\d{7}-\\d{7}$')`,
      ),
    ).toBe(0);
    const statuses = await shop.db.queryJs(
      `select order_status as s, count(*) as n from raw_amazon.orders group by 1 order by n desc`,
    );
    expect(statuses[0]?.s).toBe('Shipped');
    expect(statuses.map((r) => r.s)).toContain('Canceled');
    expect(await q(`select count(*) from raw_amazon.orders where sales_channel <> 'Amazon.de'`)).toBe(0);
    // A repeat Amazon buyer keeps one relay address: buyers with several orders exist.
    expect(
      await q(
        `select count(*) from (select buyer_email from raw_amazon.orders group by 1 having count(*) > 1)`,
      ),
    ).toBeGreaterThan(0);
  });

  it('keeps references between tables intact', async () => {
    expect(
      await q(`select count(*) from raw_shipments.shipments s where not exists (
      select 1 from raw_shopify.orders o where o.id::VARCHAR = s.order_id and s.channel = 'shopify')
      and not exists (select 1 from raw_amazon.orders a where a.amazon_order_id = s.order_id and s.channel = 'amazon')
      and not exists (select 1 from raw_otto.orders t where t.sales_order_id = s.order_id and s.channel = 'otto')`),
    ).toBe(0);
    expect(
      await q(`select count(*) from raw_shipments.shipment_events e
      where not exists (select 1 from raw_shipments.shipments s where s.tracking_number = e.tracking_number)`),
    ).toBe(0);
    expect(
      await q(`select count(*) from raw_klaviyo.events e
      where not exists (select 1 from raw_klaviyo.profiles p where p.id = e.profile_id)`),
    ).toBe(0);
    expect(
      await q(`select count(*) from raw_klaviyo.list_memberships m
      where not exists (select 1 from raw_klaviyo.profiles p where p.id = m.profile_id)
         or not exists (select 1 from raw_klaviyo.lists l where l.id = m.list_id)`),
    ).toBe(0);
    expect(
      await q(`select count(*) from raw_zendesk.tickets t
      where not exists (select 1 from raw_zendesk.users u where u.id = t.requester_id)`),
    ).toBe(0);
    expect(
      await q(`select count(*) from raw_shopify.order_lines l
      where not exists (select 1 from raw_shopify.orders o where o.id = l.order_id)`),
    ).toBe(0);
    expect(
      await q(`select count(*) from raw_amazon.order_items i
      where not exists (select 1 from raw_amazon.orders o where o.amazon_order_id = i.amazon_order_id)`),
    ).toBe(0);
    expect(
      await q(`select count(*) from raw_otto.order_lines l
      where not exists (select 1 from raw_otto.orders o where o.sales_order_id = l.sales_order_id)`),
    ).toBe(0);
  });

  it('ships every non-cancelled order once, mostly with DHL', async () => {
    const unshipped = await q(`select count(*) from raw_shopify.orders o where cancelled_at is null
      and created_at < timestamp '${AS_OF}' - interval 2 day
      and not exists (select 1 from raw_shipments.shipments s where s.order_id = o.id::VARCHAR)`);
    expect(unshipped).toBe(0);
    expect(await q(`select count(*) - count(distinct order_id) from raw_shipments.shipments`)).toBe(0);
    const dhl = await q(`select avg((carrier = 'DHL')::INTEGER) from raw_shipments.shipments`);
    expect(dhl).toBeGreaterThan(0.55);
    expect(dhl).toBeLessThan(0.75);
    expect(
      await q(
        `select count(*) from raw_shipments.shipments where carrier = 'DPD' and not regexp_matches(tracking_number, '^\\d{14}$')`,
      ),
    ).toBe(0);
    expect(
      await q(
        `select count(*) from raw_shipments.shipments where carrier = 'DHL' and not regexp_matches(tracking_number, '^\\d{12,20}$')`,
      ),
    ).toBe(0);
  });

  it('gives each carrier its own delivery time and problem rate (DHL fastest, Hermes slowest)', async () => {
    const rows = await shop.db.queryJs(`select carrier,
        avg(epoch(delivered_at - shipped_at) / 86400) filter (where status = 'delivered') as days,
        avg((status in ('failed', 'returned'))::INTEGER) as failed,
        count(*) as n
      from raw_shipments.shipments group by carrier`);
    const by = new Map(
      rows.map((r) => [String(r.carrier), { days: Number(r.days), failed: Number(r.failed) }]),
    );
    expect([...by.keys()].sort()).toEqual(['DHL', 'DPD', 'GLS', 'Hermes']);
    const dhl = by.get('DHL')!;
    const hermes = by.get('Hermes')!;
    expect(dhl.days).toBeGreaterThan(1);
    expect(dhl.days).toBeLessThan(by.get('DPD')!.days);
    expect(by.get('GLS')!.days).toBeGreaterThan(dhl.days);
    expect(hermes.days).toBeGreaterThan(dhl.days + 0.5);
    expect(hermes.days).toBeLessThan(3.5);
    expect(hermes.failed).toBeGreaterThan(1.5 * dhl.failed);
  });

  it('keeps each shipment status equal to its latest tracking event', async () => {
    const mismatched = await q(`with latest as (
        select tracking_number, arg_max(event_type, event_at) as last_event from raw_shipments.shipment_events group by 1)
      select count(*) from raw_shipments.shipments s join latest l using (tracking_number) where s.status <> l.last_event`);
    expect(mismatched).toBe(0);
    const rates = await shop.db
      .queryJs(`select avg((status = 'failed')::INTEGER) as failed, avg((status = 'returned')::INTEGER) as returned,
      avg((status = 'in_transit')::INTEGER) as in_transit, count(*) filter (where delivered_at < shipped_at) as backwards
      from raw_shipments.shipments`);
    expect(Number(rates[0]?.failed)).toBeGreaterThan(0.005);
    expect(Number(rates[0]?.failed)).toBeLessThan(0.03);
    expect(Number(rates[0]?.returned)).toBeGreaterThan(0.003);
    expect(Number(rates[0]?.in_transit)).toBeGreaterThan(0);
    expect(Number(rates[0]?.backwards)).toBe(0);
    const recentInTransit = await q(`select count(*) from raw_shipments.shipments
      where status = 'in_transit' and shipped_at < timestamp '${AS_OF}' - interval 8 day`);
    expect(recentInTransit).toBe(0);
  });

  it('sells cold-season products in winter and advent calendars only in October and November', async () => {
    const coldShare = async (month: number): Promise<number> =>
      q(`select avg((category in ('Erkältung', 'Immun'))::INTEGER) from raw_shopify.order_lines l
         join raw_shopify.orders o on o.id = l.order_id where month(o.created_at) = ${month}`);
    expect(await coldShare(12)).toBeGreaterThan(3 * (await coldShare(7)));
    const adventMonths = await shop.db
      .queryJs(`select distinct month(o.created_at) as m from raw_shopify.order_lines l
      join raw_shopify.orders o on o.id = l.order_id where l.title like '%Adventskalender%' and o.created_at < timestamp '${AS_OF}'`);
    expect(adventMonths.map((r) => Number(r.m)).sort()).toEqual([10, 11]);
  });

  it('gives Klaviyo a realistic email funnel and a share of prospects who never buy', async () => {
    const funnel = await shop.db.queryJs(`select
      count(*) filter (where metric = 'Opened Email') / count(*) filter (where metric = 'Received Email') as open_rate,
      count(*) filter (where metric = 'Clicked Email') / count(*) filter (where metric = 'Received Email') as click_rate,
      count(*) filter (where metric = 'Opened Email' and properties like '%"machine_open": true%')
        / count(*) filter (where metric = 'Opened Email') as machine_share,
      count(*) filter (where campaign_id is null and flow_id is null and metric like '%Email') as unattributed,
      min(datetime) as first_event
      from raw_klaviyo.events`);
    const f = funnel[0] ?? {};
    expect(Number(f.open_rate)).toBeGreaterThan(0.28);
    expect(Number(f.open_rate)).toBeLessThan(0.42);
    expect(Number(f.click_rate)).toBeGreaterThan(0.015);
    expect(Number(f.click_rate)).toBeLessThan(0.05);
    expect(Number(f.machine_share)).toBeGreaterThan(0.3);
    expect(Number(f.machine_share)).toBeLessThan(0.5);
    expect(Number(f.unattributed)).toBe(0);
    expect((f.first_event as Date).getTime()).toBeGreaterThanOrEqual(
      Date.parse(`${AS_OF}T00:00:00Z`) - 181 * 86_400_000,
    );
    const prospects = await q(`select avg((lower(trim(p.email)) not in (
        select lower(trim(email)) from raw_shopify.customers where email is not null))::INTEGER)
      from raw_klaviyo.profiles p`);
    expect(prospects).toBeGreaterThan(0.12);
    expect(prospects).toBeLessThan(0.3);
    const gender = await shop.db
      .queryJs(`select json_extract_string(properties, '$.gender') as g, count(*) as n
      from raw_klaviyo.profiles where g is not null group by 1 order by n desc`);
    expect(gender.map((r) => r.g)).toEqual(['female', 'male', 'diverse']);
    const birthdayKnown = await q(
      `select avg((json_extract_string(properties, '$.birthday') is not null)::INTEGER) from raw_klaviyo.profiles`,
    );
    expect(birthdayKnown).toBeGreaterThan(0.2);
    expect(birthdayKnown).toBeLessThan(0.6);
    const pregnancy = await q(`select count(*) from raw_klaviyo.profiles
      where json_extract(properties, '$.pregnancy_opt_in')::BOOLEAN and json_extract_string(properties, '$.gender') <> 'female'`);
    expect(pregnancy).toBe(0);
    expect(
      await q(
        `select count(*) from raw_klaviyo.profiles where json_extract(properties, '$.pregnancy_opt_in')::BOOLEAN`,
      ),
    ).toBeGreaterThan(0);
  });

  it('solves most Zendesk tickets within hours to days', async () => {
    const stats = await shop.db
      .queryJs(`select avg((status in ('solved', 'closed'))::INTEGER) as solved_share,
      median(epoch(solved_at - created_at) / 3600) as median_hours, count(*) filter (where solved_at < created_at) as backwards,
      count(*) filter (where subject = 'Wo bleibt meine Bestellung?') as wismo
      from raw_zendesk.tickets`);
    const s = stats[0] ?? {};
    expect(Number(s.solved_share)).toBeGreaterThan(0.8);
    expect(Number(s.median_hours)).toBeGreaterThan(2);
    expect(Number(s.median_hours)).toBeLessThan(72);
    expect(Number(s.backwards)).toBe(0);
    expect(Number(s.wismo)).toBeGreaterThan(0);
    const values = await shop.db
      .queryJs(`select list(distinct status order by status) as status, list(distinct priority order by priority) as priority,
      list(distinct channel order by channel) as channel, list(distinct satisfaction_rating order by satisfaction_rating) as rating
      from raw_zendesk.tickets`);
    expect(values[0]).toEqual({
      status: ['closed', 'hold', 'new', 'open', 'pending', 'solved'],
      priority: ['high', 'low', 'normal', 'urgent'],
      channel: ['chat', 'email', 'phone', 'web'],
      rating: ['bad', 'good', 'offered', 'unoffered'],
    });
    const customers =
      await q(`select avg((lower(trim(u.email)) in (select lower(trim(email)) from raw_shopify.customers
      where email is not null))::INTEGER) from raw_zendesk.users u`);
    expect(customers).toBeGreaterThan(0.5);
    expect(customers).toBeLessThan(0.98);
  });

  it('uses German names, postal codes and phone numbers with a few Austrian and Swiss customers', async () => {
    const countries = await shop.db.queryJs(`select default_address_country as c, count(*) as n
      from raw_shopify.customers group by 1 order by n desc`);
    expect(countries.map((r) => r.c)).toEqual(['DE', 'AT', 'CH']);
    expect(
      await q(`select count(*) from raw_shopify.customers where default_address_country = 'DE'
      and not regexp_matches(default_address_zip, '^\\d{5}$')`),
    ).toBe(0);
    expect(
      await q(`select count(*) from raw_shopify.customers where phone is not null
      and not regexp_matches(phone, '^\\+(49|43|41)\\d{8,12}$')`),
    ).toBe(0);
    expect(
      await q(`select count(*) from raw_shopify.customers where last_name in ('Müller', 'Schmidt')`),
    ).toBeGreaterThan(0);
  });

  it('builds a small shop in a few seconds', () => {
    // Generous bound: a shared CI machine may be busy; 5,000 customers take ~2 s on an idle one.
    expect(shop.summary.totalSeconds).toBeLessThan(30);
  });
});
