import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { bigqueryDialect, dialectFor, resolveAsOf, runBuild } from '../../core/models/index.ts';
import {
  amazonOrder,
  insertRaw,
  orderLine,
  shipment,
  shopifyCustomer,
  shopifyOrder,
  utcText,
} from './tinyShop.ts';

let dir: string;
let db: Database;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-reference-time-'));
  db = await openDatabase(join(dir, 'workspace.duckdb'));
});

afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

async function customerRow(email: string): Promise<Record<string, unknown>> {
  const rows = await db.queryJson(
    `select total_orders::integer as total_orders, days_since_last_order::integer as days_since_last_order,
       lifecycle_stage from main.dim_customers where email = $1`,
    [email],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('reference time (as_of)', () => {
  it('defaults to the instant the build starts, not to midnight', () => {
    expect(resolveAsOf({}, new Date('2026-12-02T13:45:12.345Z'))).toBe('2026-12-02 13:45:12');
    // An explicit date still means its 00:00 UTC (the demo passes --as-of).
    expect(resolveAsOf({ as_of: '2026-11-30' })).toBe('2026-11-30 00:00:00');
  });

  it('puts an order and a parcel scan from an hour ago into the marts of a build without as_of', async () => {
    const now = Date.now();
    const hourAgo = utcText(new Date(now - 3600_000));
    const scanAgo = utcText(new Date(now - 1800_000));
    await insertRaw(db, 'raw_shopify.customers', [shopifyCustomer(1, 'eva@example.de', 'Eva', 'Klein')]);
    await insertRaw(db, 'raw_shopify.orders', [shopifyOrder(5001, 1, hourAgo)]);
    await insertRaw(db, 'raw_shopify.order_lines', [orderLine(5001)]);
    await insertRaw(db, 'raw_amazon.orders', [amazonOrder('302-0000001-0000001', '2025-03-01 10:00:00')]);
    await insertRaw(db, 'raw_shipments.shipments', [shipment(5001, 'DHL', '003404341234567890', hourAgo)]);
    await insertRaw(db, 'raw_shipments.shipment_events', [
      { tracking_number: '003404341234567890', event_type: 'shipped', event_at: scanAgo, detail: null },
    ]);
    const build = await runBuild(db);
    expect(build.models.filter((m) => m.status !== 'success')).toEqual([]);
    expect(build.tests.filter((t) => t.status !== 'pass')).toEqual([]);
    expect(build.asOf > scanAgo).toBe(true);
    const customer = await customerRow('eva@example.de');
    expect(customer.total_orders).toBe(1);
    expect(customer.lifecycle_stage).toBe('new');
    const events = await db.queryJson(`select event_name, tracking_number from main.events_shipments`);
    expect(events).toEqual([{ event_name: 'Package Shipped', tracking_number: '003404341234567890' }]);
  });

  it('counts days on the shop’s calendar: 23:30 UTC is already the next day in Berlin', async () => {
    await insertRaw(db, 'raw_shopify.customers', [shopifyCustomer(1, 'eva@example.de', 'Eva', 'Klein')]);
    // 30 Nov 23:30 UTC = 1 Dec 00:30 in Berlin; as_of 1 Dec 00:30 UTC = 1 Dec 01:30 in Berlin.
    await insertRaw(db, 'raw_shopify.orders', [shopifyOrder(5001, 1, '2026-11-30 23:30:00')]);
    const asOf = '2026-12-01 00:30:00';
    await runBuild(db, { vars: { as_of: asOf }, select: ['+dim_customers'], runTests: false });
    expect((await customerRow('eva@example.de')).days_since_last_order).toBe(0);
    await runBuild(db, {
      vars: { as_of: asOf, shop_time_zone: 'UTC' },
      select: ['+dim_customers'],
      runTests: false,
    });
    expect((await customerRow('eva@example.de')).days_since_last_order).toBe(1);
  });

  it('rejects an unknown time zone before building anything', async () => {
    await expect(runBuild(db, { vars: { shop_time_zone: 'Europe/Atlantis' } })).rejects.toThrow(
      /shop_time_zone = 'Europe\/Atlantis' is not a time zone; use an IANA name/,
    );
  });
});

describe('time zone macros', () => {
  it('compute local dates in DuckDB independent of the session time zone', async () => {
    const duck = dialectFor('duckdb', 'Europe/Berlin');
    await db.run(`set TimeZone = 'America/New_York'`);
    const late = `timestamp '2026-11-30 23:30:00'`;
    const [row] = await db.queryJson(
      `select ${duck.local_date(late)}::varchar as local_day,
         ${duck.days_between(late, `timestamp '2026-12-01 00:30:00'`)}::integer as days,
         ${duck.date_trunc_month(`timestamp '2026-10-31 23:30:00'`)}::varchar as month,
         ${dialectFor('duckdb', 'UTC').days_between(late, `timestamp '2026-12-01 00:30:00'`)}::integer as utc_days`,
    );
    expect(row).toEqual({ local_day: '2026-12-01', days: 0, month: '2026-11-01', utc_days: 1 });
  });

  it('render the same calendar for BigQuery', () => {
    expect(bigqueryDialect.local_date('a')).toBe("date(cast(a as timestamp), 'Europe/Berlin')");
    expect(bigqueryDialect.days_between('a', 'b')).toBe(
      "date_diff(date(cast(b as timestamp), 'Europe/Berlin'), date(cast(a as timestamp), 'Europe/Berlin'), day)",
    );
    expect(dialectFor('bigquery', 'Europe/Vienna').date_trunc_month('a')).toBe(
      "date_trunc(date(cast(a as timestamp), 'Europe/Vienna'), month)",
    );
  });
});
