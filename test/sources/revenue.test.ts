/**
 * Revenue reconciled against the raw tables: on a generated shop, every order's revenue is recomputed
 * straight from raw_* with the rules of sql/DEFINITIONS.md ("Order metrics": net of refunds, unpaid orders
 * left out) and compared with the models, per order and in total.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { generateDemoShop } from '../../core/demo/index.ts';
import { runBuild, type BuildResult } from '../../core/models/index.ts';

const AS_OF = '2026-06-30';
let dir = '';
let db: Database;
let build: BuildResult;

/**
 * One row per raw order of every channel (exact re-landed copies collapsed) with the revenue it should
 * contribute, or null when it is no valid order. Written from the definitions, not from the models.
 */
const RAW_REVENUE = `
  with rates as (select upper(trim(currency)) as currency, eur_per_unit from exchange_rates),
  shopify as (
    select distinct 'shopify' as channel, id::VARCHAR as order_id, created_at as ordered_at,
      cancelled_at is null and lower(financial_status) not in ('refunded', 'voided', 'pending', 'authorized') as is_valid,
      upper(trim(currency)) as currency, total_price as total, coalesce(total_refunded, 0) as refunded
    from raw_shopify.orders
  ),
  amazon as (
    select distinct 'amazon', amazon_order_id, purchase_date,
      order_status not in ('Canceled', 'Pending', 'PendingAvailability')
        and not (coalesce(refunded_amount, 0) >= order_total and order_total > 0),
      currency, order_total, coalesce(refunded_amount, 0)
    from raw_amazon.orders
  ),
  otto as (
    select distinct 'otto', sales_order_id, order_date,
      order_status in ('PROCESSABLE', 'SENT'), currency, total_gross, coalesce(refunded_amount, 0)
    from raw_otto.orders
  ),
  orders as (select * from shopify union all select * from amazon union all select * from otto)
  select channel, order_id, is_valid,
    case when rates.eur_per_unit is null then 0
         else greatest(round(total * rates.eur_per_unit, 2) - round(greatest(refunded, 0) * rates.eur_per_unit, 2), 0)
    end as revenue
  from orders left join rates using (currency)
  where ordered_at <= timestamp '${AS_OF}'`;

async function scalar(sql: string): Promise<number> {
  const [row] = await db.queryJs(sql);
  return Number(Object.values(row ?? {})[0]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c360-revenue-'));
  db = await openDatabase(join(dir, 'workspace.duckdb'));
  await generateDemoShop(db, { customers: 5_000, seed: 3, asOf: AS_OF });
  build = await runBuild(db, { vars: { as_of: AS_OF }, runTests: false, keepIntermediate: true });
}, 300_000);

afterAll(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('revenue reconciled with the raw tables of a generated shop', () => {
  it('builds', () => {
    expect(build.models.filter((m) => m.status !== 'success')).toEqual([]);
  });

  it('has partially refunded and not yet paid orders to reconcile', async () => {
    expect(
      await scalar(`select count(*) from raw_shopify.orders where financial_status = 'partially_refunded'`),
    ).toBeGreaterThan(20);
    expect(
      await scalar(
        `select count(*) from raw_amazon.orders where refunded_amount > 0 and order_status = 'Shipped'`,
      ),
    ).toBeGreaterThan(5);
    expect(
      await scalar(`select count(*) from raw_shopify.orders
        where financial_status = 'pending' and created_at <= timestamp '${AS_OF}'`),
    ).toBeGreaterThan(0);
  });

  it('gives every valid raw order exactly its net revenue, and counts no other order', async () => {
    const mismatches = await db.queryJs(`
      with raw as (${RAW_REVENUE})
      select raw.channel, raw.order_id, raw.is_valid, raw.revenue, unioned.revenue_eur
      from raw
      full join int_orders__unioned as unioned using (channel, order_id)
      left join int_orders__attributed as attributed using (channel, order_id)
      where (raw.is_valid and attributed.order_id is not null
               and (unioned.revenue_eur is null or abs(unioned.revenue_eur - raw.revenue) > 0.001))
         or (not raw.is_valid and unioned.order_id is not null)
         or raw.order_id is null
      limit 5`);
    expect(mismatches).toEqual([]);
  });

  it('sums to the lifetime revenue of dim_customers (all valid raw orders but the unattributed ones)', async () => {
    const raw = await scalar(`
      with raw as (${RAW_REVENUE})
      select sum(revenue)::DOUBLE from raw
      where is_valid and (channel, order_id) in (select channel, order_id from int_orders__attributed)`);
    const unattributed = await scalar(`
      with raw as (${RAW_REVENUE})
      select count(*) from raw
      where is_valid and (channel, order_id) not in (select channel, order_id from int_orders__attributed)`);
    const marts = await scalar(`select sum(lifetime_revenue)::DOUBLE from dim_customers`);
    expect(Math.abs(marts - raw)).toBeLessThan(0.01);
    expect(unattributed).toBeLessThan(20);
  });

  it('counts a partially refunded order at its total minus the refund', async () => {
    const [row] = await db.queryJs(`
      select o.total_price::DOUBLE as total, o.total_refunded::DOUBLE as refunded, u.revenue_eur::DOUBLE as revenue
      from raw_shopify.orders o join int_orders__unioned u on u.order_id = o.id::VARCHAR and u.channel = 'shopify'
      where o.financial_status = 'partially_refunded' and o.currency = 'EUR' and o.total_refunded > 0
      order by o.id limit 1`);
    expect(row).toBeDefined();
    expect(row?.revenue).toBeCloseTo(Number(row?.total) - Number(row?.refunded), 2);
    expect(Number(row?.refunded)).toBeLessThan(Number(row?.total));
  });
});
