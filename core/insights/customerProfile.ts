import { quoteText, type Database, type JsonRow } from '../db/duckdb.ts';
import type { SegmentProblem } from '../segments/definition.ts';
import { CustomerNotFoundError } from '../segments/explain.ts';
import type { SegmentSet } from '../segments/segmentSet.ts';
import { readBuildInfo } from './buildInfo.ts';
import {
  customerProfileInputSchema,
  PROFILE_LIMITS,
  type CustomerProfile,
  type CustomerProfileInput,
  type ProfileOrder,
} from './schemas.ts';
import { segmentMemberships } from './segmentMemberships.ts';
import { cents, forCall, isoInstant, num, numOrNull, textOrNull } from './sqlText.ts';

/**
 * The Customer 360 profile of one customer, read from the tables every build keeps (README "What the workspace
 * file keeps"): dim_customers, the identity map, orders and order lines, shipments and their tracking events,
 * Klaviyo events, Zendesk tickets. Each list is capped (PROFILE_LIMITS) with a count of what was left out.
 */

export interface ProfileOptions {
  /**
   * The workspace's saved segments (a SegmentEngine fits: its `set` and `problems`), for the memberships and
   * their "why". Without it the profile lists no segments.
   */
  segments?: { set: SegmentSet; problems: SegmentProblem[] };
}

const bool = (value: unknown): boolean => value === true;
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
const centsOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : cents(value);

function notFound(customerId: string): CustomerNotFoundError {
  // An email typed into the id field is not echoed: customer emails never appear in errors.
  const shown = /^[\w:-]{1,64}$/.test(customerId) ? ` '${customerId}'` : '';
  return new CustomerNotFoundError(
    `No customer${shown} in dim_customers. Search by email, name or id to find the customer; after a new load, ` +
      'run `c360 build` first.',
  );
}

async function customerRow(db: Database, customerId: string): Promise<JsonRow> {
  const [row] = await db.queryJson(
    `select *,
            ${isoInstant('first_order_at')} as first_order_iso, ${isoInstant('last_order_at')} as last_order_iso,
            ${isoInstant('first_seen_at')} as first_seen_iso, ${isoInstant('last_open_at')} as last_open_iso,
            ${isoInstant('last_click_at')} as last_click_iso,
            ${isoInstant('last_delivery_problem_at')} as last_delivery_problem_iso,
            strftime(next_replenishment_date, '%Y-%m-%d') as next_replenishment_iso
     from main.dim_customers where customer_id = $1`,
    [customerId],
  );
  if (!row) throw notFound(customerId);
  return row;
}

async function identitySources(
  db: Database,
  customerId: string,
): Promise<CustomerProfile['identity']['sources']> {
  const rows = await db.queryJson(
    `select source, source_record_id, source_id, match_method, email, first_name, last_name,
            ${isoInstant('seen_at')} as seen_at
     from main.int_customer__identity_resolved where customer_id = $1
     order by source_priority, source, source_record_id`,
    [customerId],
  );
  return rows.map((r) => ({
    source: String(r.source),
    sourceRecordId: String(r.source_record_id),
    sourceId: textOrNull(r.source_id),
    matchMethod: String(r.match_method),
    email: textOrNull(r.email),
    firstName: textOrNull(r.first_name),
    lastName: textOrNull(r.last_name),
    seenAt: textOrNull(r.seen_at),
  }));
}

/**
 * The newest orders with their lines. int_order_lines__enriched keeps no order id (sql/models/intermediate:
 * kept narrow on purpose), so lines are matched to their order by customer, channel and order time; lines exist
 * for valid orders only. Two valid orders of one customer on one channel at the same instant would share their
 * lines: they go to the first of them.
 */
async function orders(db: Database, customerId: string): Promise<CustomerProfile['orders']> {
  const rows = await db.queryJson(
    `select order_id, channel, ${isoInstant('ordered_at')} as ordered_at, order_status, is_valid_order,
            is_cancelled, is_refunded, is_payment_pending, order_total_eur, refunded_eur, revenue_eur,
            count(*) over () as total
     from main.int_orders__attributed where customer_id = $1
     order by ordered_at desc, channel, order_id
     limit ${PROFILE_LIMITS.orders}`,
    [customerId],
  );
  const total = num(rows[0]?.total);
  const items: ProfileOrder[] = rows.map((r) => ({
    orderId: String(r.order_id),
    channel: String(r.channel),
    orderedAt: String(r.ordered_at),
    status: textOrNull(r.order_status),
    isValid: bool(r.is_valid_order),
    isCancelled: bool(r.is_cancelled),
    isRefunded: bool(r.is_refunded),
    isPaymentPending: bool(r.is_payment_pending),
    total: centsOrNull(r.order_total_eur),
    refunded: centsOrNull(r.refunded_eur),
    revenue: cents(r.revenue_eur),
    lines: [],
  }));
  const oldest = items.at(-1);
  if (oldest) {
    const lines = await db.queryJson(
      `select lines.channel, ${isoInstant('lines.ordered_at')} as ordered_at, lines.product_id,
              products.product_title, lines.brand, lines.category, lines.quantity, lines.line_revenue_eur
       from main.int_order_lines__enriched as lines
       left join main.stg_products as products using (product_id)
       where lines.customer_id = $1 and lines.ordered_at >= cast($2 as timestamp)
       order by lines.ordered_at desc, lines.line_revenue_eur desc nulls last, products.product_title`,
      [customerId, oldest.orderedAt.replace('T', ' ').replace('Z', '')],
    );
    const byKey = new Map<string, ProfileOrder>();
    for (const order of items) {
      const key = `${order.channel}\u0000${order.orderedAt}`;
      if (order.isValid && !byKey.has(key)) byKey.set(key, order);
    }
    for (const line of lines)
      byKey.get(`${String(line.channel)}\u0000${String(line.ordered_at)}`)?.lines.push({
        productId: numOrNull(line.product_id),
        title: textOrNull(line.product_title),
        brand: textOrNull(line.brand),
        category: textOrNull(line.category),
        quantity: num(line.quantity),
        revenue: centsOrNull(line.line_revenue_eur),
      });
  }
  return { total, more: Math.max(0, total - items.length), items };
}

/** `in (…)` over quoted texts; never empty (an empty list matches nothing). */
function textList(values: string[]): string {
  return values.length ? values.map((v) => quoteText(v)).join(', ') : 'null';
}

async function shipments(db: Database, customerId: string): Promise<CustomerProfile['shipments']> {
  // Two small queries: the customer's shipments through their orders, then the tracking events of the listed
  // ones by tracking number (one CTE feeding both made DuckDB rescan the events per shipment).
  const rows = await db.queryJson(
    `select shipments.shipment_id, shipments.order_id, shipments.channel, shipments.carrier,
            shipments.tracking_number, shipments.status,
            ${isoInstant('shipments.label_created_at')} as label_created_at,
            ${isoInstant('shipments.shipped_at')} as shipped_at,
            ${isoInstant('shipments.delivered_at')} as delivered_at, count(*) over () as total
     from main.stg_shipments as shipments
     inner join main.int_orders__attributed as orders
       on orders.order_id = shipments.order_id and orders.channel = shipments.channel
     where orders.customer_id = $1
     order by coalesce(shipments.label_created_at, shipments.shipped_at) desc nulls last, shipments.shipment_id
     limit ${PROFILE_LIMITS.shipments}`,
    [customerId],
  );
  const trackingNumbers = rows.map((r) => textOrNull(r.tracking_number)).filter((t) => t !== null);
  const events = new Map<string, { type: string; at: string }[]>();
  if (trackingNumbers.length) {
    const eventRows = await db.queryJson(
      `select tracking_number, event_type, ${isoInstant('event_at')} as event_at
       from main.stg_shipment_events
       where tracking_number in (${textList(trackingNumbers)})
       order by event_at, event_type`,
    );
    for (const e of eventRows) {
      const key = String(e.tracking_number);
      const list = events.get(key) ?? [];
      list.push({ type: String(e.event_type), at: String(e.event_at) });
      events.set(key, list);
    }
  }
  const total = num(rows[0]?.total);
  return {
    total,
    more: Math.max(0, total - rows.length),
    items: rows.map((r) => ({
      shipmentId: String(r.shipment_id),
      orderId: String(r.order_id),
      channel: String(r.channel),
      carrier: textOrNull(r.carrier),
      trackingNumber: textOrNull(r.tracking_number),
      status: textOrNull(r.status),
      labelCreatedAt: textOrNull(r.label_created_at),
      shippedAt: textOrNull(r.shipped_at),
      deliveredAt: textOrNull(r.delivered_at),
      events: r.tracking_number === null ? [] : (events.get(String(r.tracking_number)) ?? []),
    })),
  };
}

async function emailEvents(
  db: Database,
  profileIds: string[],
  asOfSql: string,
  customer: JsonRow,
): Promise<CustomerProfile['email']> {
  // Events of every Klaviyo profile of the customer (from the identity map), up to as_of, where the mart's
  // engagement window ends too.
  const rows = await db.queryJson(
    `with events as (
       select * from main.stg_klaviyo__events
       where klaviyo_profile_id in (${textList(profileIds)}) and occurred_at <= cast($1 as timestamp)
     ),
     totals as (select metric_name, count(*) as events from events group by metric_name),
     recent as (
       select metric_name, ${isoInstant('occurred_at')} as event_at, campaign_id, flow_id, is_machine_open
       from events order by occurred_at desc, event_id limit ${PROFILE_LIMITS.emailEvents}
     )
     select 'total' as kind, metric_name, events, null as event_at, null as campaign_id, null as flow_id,
            null as is_machine_open
     from totals
     union all
     select 'recent', metric_name, null, event_at, campaign_id, flow_id, is_machine_open from recent
     order by kind, event_at desc, metric_name`,
    [asOfSql],
  );
  const totals = rows
    .filter((r) => r.kind === 'total')
    .map((r) => ({ metric: String(r.metric_name), events: num(r.events) }));
  const recent = rows
    .filter((r) => r.kind === 'recent')
    .map((r) => ({
      metric: String(r.metric_name),
      at: String(r.event_at),
      campaignId: textOrNull(r.campaign_id),
      flowId: textOrNull(r.flow_id),
      isMachineOpen: bool(r.is_machine_open),
    }));
  const all = totals.reduce((sum, t) => sum + t.events, 0);
  return {
    received90d: num(customer.emails_received_90d),
    opens90d: num(customer.opens_90d),
    clicks90d: num(customer.clicks_90d),
    clickRate90d: numOrNull(customer.click_rate_90d),
    lastOpenAt: textOrNull(customer.last_open_iso),
    lastClickAt: textOrNull(customer.last_click_iso),
    totals,
    recent,
    more: Math.max(0, all - recent.length),
  };
}

async function tickets(
  db: Database,
  zendeskUserIds: string[],
  customer: JsonRow,
): Promise<CustomerProfile['tickets']> {
  // Tickets of the customer's Zendesk users (from the identity map), as int_customer__support_metrics joins them.
  const rows = await db.queryJson(
    `select ticket_id, status, is_open, priority, via_channel, subject, satisfaction_rating,
            ${isoInstant('created_at')} as created_at, ${isoInstant('solved_at')} as solved_at,
            count(*) over () as total
     from main.stg_zendesk__tickets
     where cast(zendesk_user_id as varchar) in (${textList(zendeskUserIds)})
     order by created_at desc nulls last, ticket_id desc
     limit ${PROFILE_LIMITS.tickets}`,
  );
  const total = num(rows[0]?.total);
  return {
    total,
    open: num(customer.open_tickets),
    csatScore: numOrNull(customer.csat_score),
    averageResolutionHours: numOrNull(customer.avg_resolution_hours),
    items: rows.map((r) => ({
      ticketId: String(r.ticket_id),
      status: textOrNull(r.status),
      isOpen: bool(r.is_open),
      priority: textOrNull(r.priority),
      channel: textOrNull(r.via_channel),
      subject: textOrNull(r.subject),
      rating: textOrNull(r.satisfaction_rating),
      createdAt: textOrNull(r.created_at),
      solvedAt: textOrNull(r.solved_at),
    })),
    more: Math.max(0, total - rows.length),
  };
}

export async function customerProfile(
  db: Database,
  input: CustomerProfileInput,
  signal?: AbortSignal,
  options: ProfileOptions = {},
): Promise<CustomerProfile> {
  const { customerId } = customerProfileInputSchema.parse(input);
  const call = forCall(db, signal);
  const c = await customerRow(call, customerId);
  const build = await readBuildInfo(call);
  const sources = await identitySources(call, customerId);
  const recordsOf = (source: string) =>
    sources.filter((s) => s.source === source).map((s) => s.sourceRecordId);
  return {
    asOf: build.asOf,
    identity: {
      customerId,
      email: textOrNull(c.email),
      firstName: textOrNull(c.first_name),
      lastName: textOrNull(c.last_name),
      postalCode: textOrNull(c.postal_code),
      city: textOrNull(c.city),
      countryCode: textOrNull(c.country_code),
      firstSeenAt: textOrNull(c.first_seen_iso),
      sourceIds: texts(c.source_ids),
      sources,
    },
    scores: {
      recency: numOrNull(c.recency_score),
      frequency: numOrNull(c.frequency_score),
      monetary: numOrNull(c.monetary_score),
      rfmSegment: textOrNull(c.rfm_segment),
      valueTier: String(c.customer_value_tier) as CustomerProfile['scores']['valueTier'],
      vipTier: textOrNull(c.vip_tier),
      lifecycleStage: String(c.lifecycle_stage) as CustomerProfile['scores']['lifecycleStage'],
      predictedClv12m: cents(c.predicted_clv_12m),
      expectedPurchases12m: numOrNull(c.expected_purchases_12m),
      expectedOrderValue: centsOrNull(c.expected_order_value),
      pAlive: numOrNull(c.p_alive),
      engagementScore: num(c.engagement_score),
      crossSellScore: num(c.cross_sell_score),
    },
    metrics: {
      totalOrders: num(c.total_orders),
      lifetimeRevenue: cents(c.lifetime_revenue),
      averageOrderValue: centsOrNull(c.avg_order_value),
      firstOrderAt: textOrNull(c.first_order_iso),
      lastOrderAt: textOrNull(c.last_order_iso),
      daysSinceLastOrder: numOrNull(c.days_since_last_order),
      channels: texts(c.channels),
      preferredCategories: texts(c.preferred_categories),
      preferredBrands: texts(c.preferred_brands),
      productType: textOrNull(c.product_type),
      nextReplenishmentDate: textOrNull(c.next_replenishment_iso),
      shipments: num(c.shipments_count),
      averageDeliveryDays: numOrNull(c.avg_delivery_time),
      deliverySuccessRate: numOrNull(c.delivery_success_rate),
      lastDeliveryProblemAt: textOrNull(c.last_delivery_problem_iso),
    },
    flags: {
      isMarketable: bool(c.is_marketable),
      emailConsent: bool(c.email_consent),
      isSuppressed: bool(c.is_suppressed),
      hasValidEmail: bool(c.has_valid_email),
      isRelayEmail: bool(c.is_relay_email),
      isVip: bool(c.is_vip),
      isCrossChannel: bool(c.is_cross_channel),
      isWinbackCandidate: bool(c.is_winback_candidate),
      winbackStage: textOrNull(c.winback_stage),
      isHighValueAtRisk: bool(c.is_high_value_at_risk),
      recommendedAction: textOrNull(c.recommended_action),
      hasUnresolvedTicket: bool(c.has_unresolved_ticket),
      hasDeviceWithoutRefill: bool(c.has_device_without_refill),
    },
    orders: await orders(call, customerId),
    shipments: await shipments(call, customerId),
    email: await emailEvents(call, recordsOf('klaviyo_profile'), build.asOfSql, c),
    tickets: await tickets(call, recordsOf('zendesk_user'), c),
    ...(await segmentMemberships(call, customerId, options.segments)),
  };
}
