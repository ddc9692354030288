import type { DemoContext } from './context.ts';
import { shopifyCustomerIdSql, shopifyLineIdSql, shopifyOrderIdSql } from './identifiers.ts';
import { caseVariantSql, gmailVariantSql, invalidEmailSql } from './people.ts';

/**
 * raw_shopify.customers / orders / order_lines from the shared timeline. Shopify sees every customer
 * whose mode is not Amazon-only, plus the dirty cases: duplicate accounts of the same person, re-landed
 * rows, odd emails and foreign or unknown currencies (see the dirty-data table in index.ts).
 */

/** Shopify consent from the same draw Klaviyo uses, so both sources mostly agree. */
export const CONSENT_DRAW = "u(pid, 'consent')";

const isGmail = (domain: string): string => `(${domain} in ('gmail.com', 'googlemail.com'))`;

/** The second account of a duplicated customer: another Gmail spelling, or the same email in other case. */
function duplicateEmailSql(email: string): string {
  return `(case when ${isGmail('domain')} then ${gmailVariantSql('email_local', 'domain', "u(pid, 'dup_email')", 'shop')}
    else ${caseVariantSql(email, "u(pid, 'dup_email')")} end)`;
}

/** The moment a duplicate account appears: halfway between acquisition and as_of. */
const duplicateSinceSql = (T: number): string => `(acq_t + (${T} - acq_t) // 2)`;

export async function generateShopify(ctx: DemoContext): Promise<void> {
  await generateCustomers(ctx);
  await generateOrders(ctx);
}

async function generateCustomers(ctx: DemoContext): Promise<void> {
  const { db, dirty: d } = ctx;
  const T = ctx.asOfEpoch;
  await db.run(`insert into ${ctx.raw('shopify', 'customers')} by name
    with base as (
      select c.pid, c.acq_t, p.email, p.email_local, p.domain, p.first_name, p.last_name, p.phone,
        p.zip, p.city, p.country, s.orders, s.last_t, s.has_pregnancy,
        u(pid, 'sc_email') as ue, u(pid, 'sc_email_kind') as uk, ${CONSENT_DRAW} as ucs, u(pid, 'sc_created') as ucr,
        u(pid, 'sc_updated') as uup, u(pid, 'sc_tags') as utg
      from demo_customers c join demo_people p using (pid) left join demo_person_stats s using (pid)
      where c.mode <> 'amazon'
    ), timed as (
      select *,
        -- Some accounts exist weeks before the first order (newsletter sign-up, browsing).
        acq_t - case when ucr < 0.3 then floor(ucr / 0.3 * 60 * 86400)::BIGINT else 120 end as created_t,
        case when ucs < 0.55 then 'subscribed' when ucs < 0.72 then 'not_subscribed' when ucs < 0.86 then 'unsubscribed'
             when ucs < 0.88 then 'pending' else 'not_subscribed' end as consent
      from base
    )
    select ${shopifyCustomerIdSql('pid')} as id,
      case when ue < ${d / 2} then null
           when ue < ${d} then ${invalidEmailSql('email_local', 'domain', 'uk')}
           when ue < ${2 * d} then case when uk < 0.5 then '  ' || ${caseVariantSql('email', 'uk')} || ' ' else ${caseVariantSql('email', 'uk')} end
           else email end as email,
      first_name, last_name, phone, ts(created_t) as created_at,
      ts(least(${T - 1}, greatest(created_t, coalesce(last_t, created_t)) + floor(uup * 20 * 86400)::BIGINT)) as updated_at,
      consent as email_marketing_consent, zip as default_address_zip, city as default_address_city,
      country as default_address_country,
      nullif(concat_ws(',', case when orders >= 10 then 'VIP' end, case when orders >= 5 then 'Stammkunde' end,
        case when consent = 'subscribed' then 'newsletter' end, case when has_pregnancy then 'Schwangerschaft' end,
        case when utg < 0.06 then 'Abo' end), '') as tags
    from timed`);

  // Dirty: the same person registered a second account later (other id, email spelled differently).
  await db.run(`insert into ${ctx.raw('shopify', 'customers')} by name
    select ${shopifyCustomerIdSql('pid', 1)} as id, ${duplicateEmailSql('email')} as email, first_name, last_name,
      ts(${duplicateSinceSql(T)}) as created_at, ts(least(${T - 1}, ${duplicateSinceSql(T)} + 3600)) as updated_at,
      'not_subscribed' as email_marketing_consent, zip as default_address_zip, city as default_address_city,
      country as default_address_country
    from demo_customers c join demo_people p using (pid) where c.has_duplicate`);

  // Dirty: re-landed copies of customer rows (same id) with a later updated_at.
  await db.run(`insert into ${ctx.raw('shopify', 'customers')}
    select * replace (least(timestamp '${ctx.asOf}' - interval 1 second, updated_at + interval 3 hour) as updated_at)
    from ${ctx.raw('shopify', 'customers')} where u(id, 'relanded') < ${d / 10}`);
}

async function generateOrders(ctx: DemoContext): Promise<void> {
  const { db, dirty: d } = ctx;
  const T = ctx.asOfEpoch;
  // Amounts are rendered from integer cents so totals are exact and identical run to run.
  const money = (cents: string): string => `(round((${cents}) / rate) / 100)::DECIMAL(12,2)`;
  await db.run(`insert into ${ctx.raw('shopify', 'orders')} by name
    with o as (
      select o.okey, o.pid, o.k, o.t, o.n_intent, o.is_guest, o.is_cancelled, o.shipped_t, o.currency_code,
        tot.items_cents, tot.n_lines, p.email, p.email_local, p.domain, p.country, p.zip, c.has_duplicate, c.acq_t,
        u(okey, 'disc') as ud, u(okey, 'disc_kind') as udk, u(okey, 'financial') as ufin,
        u(okey, 'order_email') as uem, u(okey, 'order_email_kind') as uek, u(okey, 'ship_zip') as usz,
        (month(ts(o.t)) = 11 and day(ts(o.t)) >= 20) or (month(ts(o.t)) = 12 and day(ts(o.t)) = 1) as black_week
      from demo_orders o join demo_order_totals tot using (okey) join demo_people p using (pid) join demo_customers c using (pid)
      where o.channel = 'shopify'
    ), coded as (
      select *,
        case when k = 0 and ud < 0.3 then 'WILLKOMMEN10' when black_week and ud < 0.45 then 'BLACKWEEK20'
             when n_intent >= 12 and ud < 0.25 then 'VIP15' when ud < 0.05 then 'NEWSLETTER15' end as code
      from o
    ), discounted as (
      select *,
        greatest(0, round(items_cents * coalesce(try_cast(regexp_extract(code, '([0-9]+)$', 1) as INTEGER), 0) / 100.0))::BIGINT as discount_cents,
        code is not null and udk < 0.05 as free_shipping
      from coded
    ), priced as (
      select x.*, r.currency, r.eur_per_unit as rate, items_cents - discount_cents as subtotal_cents,
        case when free_shipping then 0
             when country = 'DE' then case when items_cents - discount_cents < 2900 then 495 else 0 end
             when country = 'AT' then case when items_cents - discount_cents < 4900 then 695 else 0 end
             else case when items_cents - discount_cents < 4900 then 995 else 0 end end as shipping_cents
      from discounted x join demo_rates r on r.code = x.currency_code
    )
    select ${shopifyOrderIdSql('okey')} as id,
      case when is_guest then null
           when has_duplicate and t >= ${duplicateSinceSql(T)} then ${shopifyCustomerIdSql('pid', 1)}
           else ${shopifyCustomerIdSql('pid')} end as customer_id,
      case when uem < ${d / 4} then null
           when uem < ${d / 4 + d} then case when uek < 0.3 then ' ' || ${caseVariantSql('email', 'uek')} else ${caseVariantSql('email', 'uek')} end
           when has_duplicate and t >= ${duplicateSinceSql(T)} and not is_guest then ${duplicateEmailSql('email')}
           when ${isGmail('domain')} and uem < ${1.25 * d + d / 2} then ${gmailVariantSql('email_local', 'domain', 'uek', 'shop')}
           else email end as email,
      ts(t) as created_at,
      case when is_cancelled then case when ufin < 0.4 then 'voided' else 'refunded' end
           when ufin < 0.015 then 'refunded' when ufin < 0.025 then 'partially_refunded'
           when t > ${T - 2 * 86_400} and shipped_t >= ${T} and ufin > 0.6 then 'pending'
           else 'paid' end as financial_status,
      -- Refunds (Admin API refund transactions): the whole total when refunded; a partial refund is a returned
      -- item (a fifth to three fifths of the goods) or, for two in five, a goodwill credit of 5, 10 or 15 EUR.
      -- (Orders whose total is negative because of a dirty quantity get no refund.)
      case when financial_status = 'refunded' then ${money('greatest(subtotal_cents + shipping_cents, 0)')}
           when financial_status = 'partially_refunded' then ${money(`greatest(0, case when u(okey, 'refund_kind') < 0.4
             then least(subtotal_cents + shipping_cents, (1 + floor(u(okey, 'refund_share') * 3)) * 500)
             else round(subtotal_cents * (0.2 + 0.4 * u(okey, 'refund_share'))) end)`)}
           else 0 end as total_refunded,
      case when is_cancelled or shipped_t >= ${T} then null
           when n_lines > 1 and ufin between 0.5 and 0.504 then 'partial' else 'fulfilled' end as fulfillment_status,
      case when is_cancelled then ts(t + 1800 + floor(ufin * 20 * 3600)::BIGINT) end as cancelled_at,
      ${money('subtotal_cents + shipping_cents')} as total_price, ${money('subtotal_cents')} as subtotal_price,
      ${money('discount_cents')} as total_discounts, currency,
      -- A few parcels go to another address (office, parents) with a nearby postal code.
      case when usz < 0.05 then lpad(((zip::INTEGER + 1 + floor(usz * 400)::INTEGER) % case when length(zip) = 5 then 100000 else 10000 end)::VARCHAR, length(zip)::INTEGER, '0')
           else zip end as shipping_zip,
      country as shipping_country,
      case when free_shipping then code || ',GRATISVERSAND' else code end as discount_codes
    from priced`);

  // Line prices in the order's currency.
  await db.run(`insert into ${ctx.raw('shopify', 'order_lines')} by name
    select ${shopifyLineIdSql('l.okey', 'l.line_no')} as id, ${shopifyOrderIdSql('l.okey')} as order_id,
      p.product_id, p.sku, p.title, p.brand, p.category,
      l.quantity, (round(l.price_cents / r.eur_per_unit) / 100)::DECIMAL(12,2) as price
    from demo_lines l
    join demo_products p on p.idx = l.product_idx
    join demo_rates r on r.code = l.currency_code
    where not l.is_amazon and not l.is_otto`);

  // Dirty: re-landed copies of order rows (same id twice).
  await db.run(
    `insert into ${ctx.raw('shopify', 'orders')} select * from ${ctx.raw('shopify', 'orders')} where u(id, 'relanded') < ${d / 10}`,
  );
}
