import type { DemoContext } from './context.ts';

/**
 * raw_otto.orders / order_lines: the OTTO Market orders of the shared timeline (a few % of re-buys, see
 * OTTO_REBUY_SHARE in orders.ts). OTTO prices are the shop's list prices; the buyer's email is the one the
 * person uses everywhere, so the identity model finds them. Statuses follow the position items: ANNOUNCED
 * (payment not confirmed yet) for some of the last day's orders, PROCESSABLE until shipped, SENT, RETURNED
 * for a few, cancelled by partner or marketplace.
 */

/** A UUID (version 4 layout) that is a pure function of a kind, the seed and a key. */
function uuidSql(ctx: DemoContext, kind: string, key: string): string {
  const hex = `md5('${kind}:${ctx.seed}:' || ${key})`;
  return `(substr(${hex}, 1, 8) || '-' || substr(${hex}, 9, 4) || '-4' || substr(${hex}, 14, 3) || '-a' || substr(${hex}, 18, 3) || '-' || substr(${hex}, 21, 12))`;
}

/**
 * OTTO sales order ids are UUIDs; the last 12 hex digits are the order key, so tests can trace an order (and
 * its buyer) back to the generator's person (`okey // 128`).
 */
export const ottoOrderIdSql = (ctx: DemoContext, okey: string): string =>
  `(left(${uuidSql(ctx, 'otto', `(${okey})::VARCHAR`)}, 24) || lpad(lower(hex((${okey})::BIGINT)), 12, '0'))`;

export async function generateOtto(ctx: DemoContext): Promise<void> {
  const { db } = ctx;
  const T = ctx.asOfEpoch;
  await db.run(`insert into ${ctx.raw('otto', 'orders')} by name
    with o as (
      select o.okey, o.t, o.is_cancelled, o.shipped_t, tot.items_cents, p.email, p.first_name, p.last_name,
        p.zip, p.city, p.country, u(o.okey, 'otto_status') as ust, u(o.okey, 'otto_refund') as urf,
        tot.items_cents + case when tot.items_cents < 2900 then 495 else 0 end as total_cents
      from demo_orders o join demo_order_totals tot using (okey) join demo_people p using (pid)
      where o.channel = 'otto'
    ), stated as (
      select *,
        case when is_cancelled then case when ust < 0.6 then 'CANCELLED_BY_PARTNER' else 'CANCELLED_BY_MARKETPLACE' end
             when shipped_t >= ${T} then case when t > ${T - 86_400} and ust < 0.4 then 'ANNOUNCED' else 'PROCESSABLE' end
             when urf < 0.01 then 'RETURNED'
             else 'SENT' end as order_status
      from o
    )
    select ${ottoOrderIdSql(ctx, 'okey')} as sales_order_id,
      upper(substr(md5('otto_no:${ctx.seed}:' || okey::VARCHAR), 1, 10)) as order_number,
      ts(t) as order_date, order_status, email as buyer_email, first_name || ' ' || last_name as buyer_name,
      zip as delivery_zip, city as delivery_city, country as delivery_country,
      (total_cents / 100)::DECIMAL(12,2) as total_gross,
      -- A returned position item of a sent order: a fifth to a half of the order comes back.
      case when total_cents <= 0 then null
           when order_status = 'RETURNED' then (total_cents / 100)::DECIMAL(12,2)
           when order_status = 'SENT' and urf < 0.025 then (round(total_cents * (0.2 + 0.3 * u(okey, 'otto_refund_share'))) / 100)::DECIMAL(12,2)
      end as refunded_amount,
      'EUR' as currency
    from stated`);

  await db.run(`insert into ${ctx.raw('otto', 'order_lines')} by name
    select ${ottoOrderIdSql(ctx, 'l.okey')} as sales_order_id,
      ${uuidSql(ctx, 'otto_item', "l.okey::VARCHAR || ':' || l.line_no::VARCHAR")} as position_item_id,
      p.sku, p.title as product_title, l.quantity,
      (l.quantity * l.price_cents / 100)::DECIMAL(12,2) as item_price
    from demo_lines l join demo_products p on p.idx = l.product_idx
    where l.is_otto`);
}
