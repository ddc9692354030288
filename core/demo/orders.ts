import type { DemoContext } from './context.ts';
import { HISTORY_DAYS } from './context.ts';
import { monthGroupKeySql } from './catalog.ts';
import { slotOf } from './randomSql.ts';

/** Share of re-buys (third order on) placed on the OTTO marketplace: a few % of all orders. */
export const OTTO_REBUY_SHARE = 0.05;

/**
 * The channel-independent order timeline (`demo_orders`), its line items (`demo_lines`), order totals
 * in EUR cents (`demo_order_totals`) and per-person purchase facts (`demo_person_stats`). Shopify,
 * Amazon, OTTO and the carriers all render their rows from these, so they agree with each other.
 *
 * Timing: the first order is the acquisition; order k follows after k re-buy cycles
 * (days_of_supply × quantity × a personal drift) with ±25 % jitter, which keeps orders in sequence
 * without a window function. Seasonal buyers re-buy once a year in their season.
 */
export async function generateOrders(ctx: DemoContext): Promise<number> {
  const { db, dirty: d } = ctx;
  const T = ctx.asOfEpoch;
  await db.run(`create or replace temp table demo_orders as
    with seq as (
      select pid, mode, season_type, acq_day, acq_sod, cycle_days, amazon_pct, first_on_shopify, n_intent, is_swiss,
        primary_idx, primary_price_cents, primary_preg, qty, unnest(range(n_orders)) as k
      from demo_customers where n_orders > 0
    ), dated as (
      select *, pid * 128 + k as okey,
        case when k = 0 then acq_day
             when season_type <> 'regular' then acq_day + round(k * 365 + (u2(pid, k, 'jitter') - 0.5) * 50)::INTEGER
             else acq_day + round(k * cycle_days + (u2(pid, k, 'jitter') - 0.5) * 0.5 * cycle_days)::INTEGER end as day
      from seq
    ), timed as (
      select d.*,
        -- A few re-buys of shop customers go to the OTTO marketplace (after the first two orders, so a 'both'
        -- buyer stays cross-channel); with Shopify and Amazon that makes the concept's "3+ channels" buyers.
        -- Amazon-only people stay there: their OTTO email could never join their relay address.
        case when k >= 2 and mode <> 'amazon' and u2(pid, k, 'otto') < ${OTTO_REBUY_SHARE} then 'otto'
             when mode = 'shopify' then 'shopify' when mode = 'amazon' then 'amazon'
             when k = 0 then case when first_on_shopify then 'shopify' else 'amazon' end
             when k = 1 then case when first_on_shopify then 'amazon' else 'shopify' end
             when u2(pid, k, 'channel') * 100 < amazon_pct then 'amazon' else 'shopify' end as channel,
        ${ctx.startEpoch}::BIGINT + day * 86400
          + case when k = 0 then acq_sod else h.hour * 3600 + floor(u2(pid, k, 'sec') * 3600)::INTEGER end as planned_t,
        u2(pid, k, 'future') as ufu, u2(pid, k, 'ship') as ush, u2(pid, k, 'currency') as ucur
      from dated d join demo_hour_slots h on h.slot = ${slotOf("u2(d.pid, d.k, 'hour')")}
      where day < ${HISTORY_DAYS}
    ), placed as (
      select *,
        -- Dirty: a clock-skewed export stamps a few orders after as_of.
        case when ufu < ${d * 0.05} then ${T}::BIGINT + 3600 + floor(ufu / ${Math.max(d * 0.05, 1e-9)} * 20 * 86400)::BIGINT
             else planned_t end as t,
        t + 7200 + floor(ush * 40 * 3600)::BIGINT as ship_t
      from timed
    )
    select okey, pid, k, channel, t, n_intent, primary_idx, primary_price_cents, primary_preg, qty,
      channel = 'shopify' and u2(pid, k, 'guest') < 0.03 as is_guest,
      t < ${T - 86_400} and u2(pid, k, 'cancel') < case when channel = 'amazon' then 0.025 else 0.02 end as is_cancelled,
      -- Currency code (see demo_rates): Swiss Shopify customers mostly pay in CHF; dirty GBP/PLN/XXX.
      case when channel <> 'shopify' then 0
           when ucur < ${d / 4} then 2 when ucur < ${d / 2} then 3 when ucur < ${d / 2 + d / 20} then 4
           when is_swiss and ucur > 0.15 then 1 else 0 end::TINYINT as currency_code,
      t + 600 + floor(u2(pid, k, 'label') * (ship_t - t - 600))::BIGINT as label_t,
      -- Handed to the carrier 2–42 hours after the order.
      ship_t as shipped_t
    from placed`);

  // Lines: line 0 is the re-bought product, the rest are basket add-ons drawn by calendar month.
  await db.run(`create or replace temp table demo_lines as
    with o as (
      select okey, channel = 'amazon' as is_amazon, channel = 'otto' as is_otto, currency_code, ${monthGroupKeySql('month(ts(t))', 'primary_preg')} as m,
        primary_idx, primary_price_cents, primary_preg, qty, n_intent, u(okey, 'impulse') as ui,
        (case when u(okey, 'extras') < 0.5 then 0 when u(okey, 'extras') < 0.8 then 1 when u(okey, 'extras') < 0.94 then 2 else 3 end)
          -- Loyal customers fill bigger baskets: they make the VIP revenue head.
          + case when n_intent >= 10 then 1 + case when u(okey, 'impulse') < 0.3 then 1 else 0 end else 0 end as extras
      from demo_orders
    ), l as (
      select * exclude (extras), unnest(range(1 + extras)) as line_no from o
    ), drawn as (
      select l.*, ms.product_idx as month_idx, ms.price_cents as month_price, ms.preg = 1 as month_preg,
        -- One-time buyers often came for a single seasonal or first-aid item, not a re-buy product.
        line_no = 0 and not (n_intent = 1 and ui < 0.45) as is_primary,
        u2(l.okey, l.line_no, 'qty') as uq, u2(l.okey, l.line_no, 'bad_qty') as ubq
      from l join demo_month_slots ms on ms.group_key = l.m and ms.slot = ${slotOf("u2(l.okey, l.line_no, 'product')")}
    )
    select okey, line_no, is_amazon, is_otto, currency_code,
      case when is_primary then primary_idx else month_idx end as product_idx,
      case when is_primary then primary_price_cents else month_price end as price_cents,
      case when is_primary then primary_preg else month_preg end as preg,
      case when ubq < ${d * 0.05} then case when ubq < ${d * 0.025} then 0 else -1 end
           when is_primary then qty + case when uq < 0.1 then 1 else 0 end
           when uq < 0.85 then 1 when uq < 0.97 then 2 else 3 end as quantity
    from drawn
    where line_no = 0 or month_idx <> primary_idx`);

  // Amazon's own prices drift a little from the shop's list price (Buy Box, promotions); the drift is
  // a pure function of the line, so order totals and item rows agree without storing it.
  await db.run(`create or replace temp table demo_order_totals as
    select okey, sum(quantity * price_cents)::BIGINT as items_cents, count(*)::INTEGER as n_lines,
      sum(case when is_amazon then ${amazonItemCentsSql('okey', 'line_no', 'quantity', 'price_cents')} end)::BIGINT as amazon_cents
    from demo_lines group by okey`);

  await db.run(`create or replace temp table demo_person_stats as
    with pregnant as (select distinct okey // 128 as pid from demo_lines where preg)
    select o.pid, count(*)::INTEGER as orders, min(o.t) as first_t, max(o.t) as last_t, p.pid is not null as has_pregnancy
    from demo_orders o left join pregnant p using (pid)
    where not o.is_cancelled and o.t < ${T}
    group by o.pid, p.pid`);

  const [row] = await db.queryJs('select count(*)::BIGINT as n from demo_orders');
  return Number(row?.n ?? 0);
}

/** Line total on Amazon in cents. */
export function amazonItemCentsSql(
  okey: string,
  lineNo: string,
  quantity: string,
  priceCents: string,
): string {
  return `round(${quantity} * ${priceCents} * (0.95 + 0.12 * u2(${okey}, ${lineNo}, 'az_price')))`;
}
