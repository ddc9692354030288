import type { DemoContext } from './context.ts';
import { amazonOrderIdSql, amazonRelayEmailSql } from './identifiers.ts';
import { amazonItemCentsSql } from './orders.ts';

/**
 * raw_amazon.orders / order_items (SP-API shape). Amazon never reveals the buyer's email: each buyer
 * has one relay address for all orders. Buyers who also shop on Shopify give Amazon the same name
 * (spelled with other case or spacing) and ship to their Shopify default postal code, which is the
 * only deterministic link the identity model can use.
 */
export async function generateAmazon(ctx: DemoContext): Promise<void> {
  const { db } = ctx;
  const T = ctx.asOfEpoch;
  await db.run(`insert into ${ctx.raw('amazon', 'orders')} by name
    with a as (
      select o.okey, o.pid, o.t, o.is_cancelled, o.shipped_t, coalesce(t.amazon_cents, 0) as cents, t.n_lines,
        p.first_name, p.last_name, p.zip, p.city, p.country,
        u(o.okey, 'az_name') as un, u(o.okey, 'az_status') as ust, u(o.okey, 'az_ship') as ush,
        u(o.okey, 'az_refund') as urf
      from demo_orders o join demo_people p using (pid) join demo_order_totals t using (okey)
      where o.channel = 'amazon'
    ), totaled as (
      select *, cents + case when cents < 2900 and ush < 0.3 then 399 else 0 end as total_cents,
        not is_cancelled and shipped_t < ${T} as is_shipped
      from a
    )
    select ${amazonOrderIdSql(ctx, 'okey')} as amazon_order_id, ts(t) as purchase_date,
      case when is_cancelled then 'Canceled'
           when shipped_t < ${T} then case when n_lines > 1 and ust < 0.004 then 'PartiallyShipped' else 'Shipped' end
           when ust < 0.7 then 'Unshipped' when ust < 0.95 then 'Pending' else 'PendingAvailability' end as order_status,
      ${amazonRelayEmailSql(ctx, 'pid')} as buyer_email,
      -- Same person, Amazon spelling: mostly exact, sometimes other case or stray spaces.
      case when un < 0.70 then first_name || ' ' || last_name
           when un < 0.80 then lower(first_name || ' ' || last_name)
           when un < 0.87 then upper(first_name || ' ' || last_name)
           when un < 0.94 then first_name || '  ' || last_name
           else ' ' || first_name || ' ' || last_name || ' ' end as buyer_name,
      zip as ship_postal_code, city as ship_city, country as ship_country,
      (total_cents / 100)::DECIMAL(12,2) as order_total,
      'EUR' as currency, 'Amazon.de' as sales_channel,
      -- Finances API refunds of shipped orders: a return of the whole order (0.5 %) or of part of it (1 %).
      case when is_shipped and total_cents > 0 and urf < 0.005 then (total_cents / 100)::DECIMAL(12,2)
           when is_shipped and total_cents > 0 and urf < 0.015
             then (round(total_cents * (0.2 + 0.4 * u(okey, 'az_refund_share'))) / 100)::DECIMAL(12,2)
      end as refunded_amount
    from totaled`);

  // Listing titles come from the catalogue once (40 rows), not per item.
  await db.run(`insert into ${ctx.raw('amazon', 'order_items')} by name
    with listing as (select idx, asin, sku, title || ' – ' || form || ', ' || category as listing_title from demo_products)
    select ${amazonOrderIdSql(ctx, 'l.okey')} as amazon_order_id, p.asin, p.sku as seller_sku, p.listing_title as title,
      l.quantity, (${amazonItemCentsSql('l.okey', 'l.line_no', 'l.quantity', 'l.price_cents')} / 100)::DECIMAL(12,2) as item_price
    from demo_lines l join listing p on p.idx = l.product_idx
    where l.is_amazon`);
}
