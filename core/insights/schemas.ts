import { z } from 'zod';
// One rule-tree schema for a segment's "why", here (the profile's memberships) and in segments.explain.
import { ruleOutcomeSchema } from '../api/schemas/segments.ts';

/**
 * What the Overview and the Customers pages read: aggregates and bounded samples computed in DuckDB
 * (core/insights/*.ts), never whole customer tables. Browser-safe (imports only zod): the API contract and the
 * renderer import these schemas. Money is a number in EUR (cents), instants are ISO-8601 UTC strings
 * (`2026-11-30T09:15:00.000Z`), calendar days `YYYY-MM-DD`, months `YYYY-MM` on the shop's calendar
 * (var shop_time_zone, sql/DEFINITIONS.md "Reference time"); the renderer formats them with Intl.
 */

const count = z.number().int().nonnegative();
const eur = z.number().describe('amount in EUR, rounded to cents');
const share = z.number().min(0).max(1).describe('a share between 0 and 1');
const instant = z.string().describe('ISO-8601 UTC instant, e.g. 2026-11-30T09:15:00.000Z');
const day = z.string().describe('calendar day YYYY-MM-DD');
const month = z.string().describe("month YYYY-MM on the shop's calendar (var shop_time_zone)");

/** Values the mart's data tests accept (sql/models/marts/_marts.yml), in the order the pages show them. */
export const LIFECYCLE_STAGES = ['prospect', 'new', 'active', 'at_risk', 'lapsing', 'churned'] as const;
export const VALUE_TIERS = ['vip', 'high', 'medium', 'low', 'no_purchase'] as const;
export const lifecycleStageSchema = z.enum(LIFECYCLE_STAGES);
export const valueTierSchema = z.enum(VALUE_TIERS);
export const BUILD_STATUSES = [
  'running',
  'published',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
] as const;
export const buildStatusSchema = z
  .enum(BUILD_STATUSES)
  .describe(
    'published: built, tested and published; succeeded: built and tested, not published; failed: a model or ' +
      'test failed; cancelled / interrupted: stopped or killed (published tables unchanged); running: under way',
  );

// ---------------------------------------------------------------------------------------------------------------
// Overview

export const overviewInputSchema = z.object({}).strict();

export const overviewKpisSchema = z.object({
  customers: count.describe('rows of dim_customers: every person seen in any source, prospects included'),
  buyers: count.describe('customers with at least one valid order (total_orders ≥ 1)'),
  marketable: count.describe('customers with is_marketable'),
  revenueLast12Months: eur.describe(
    'net revenue (order revenue after refunds) of valid orders of all channels with as_of − 12 months < ordered_at ≤ as_of',
  ),
  ordersLast12Months: count.describe('valid orders in the same 12 months'),
  averageOrderValue: eur
    .nullable()
    .describe('revenueLast12Months / ordersLast12Months; null without orders in the 12 months'),
  activeCustomers: count.describe(
    "buyers whose lifecycle_stage is new or active, i.e. whose last valid order is at most lifecycle_active_days (60) days before as_of (sql/DEFINITIONS.md 'Lifecycle stage')",
  ),
  activeShare: share
    .nullable()
    .describe('activeCustomers / buyers: the share of buyers who are active; null without buyers'),
});

export const overviewSchema = z.object({
  asOf: instant
    .nullable()
    .describe('reference time of the published build (its as_of); null when the tables have no build record'),
  shopTimeZone: z.string().describe('IANA zone of the month buckets (var shop_time_zone of the build)'),
  kpis: overviewKpisSchema,
  lifecycle: z
    .array(z.object({ stage: lifecycleStageSchema, customers: count }))
    .describe('every lifecycle stage in LIFECYCLE_STAGES order, zero-filled'),
  valueTiers: z
    .array(
      z.object({
        tier: valueTierSchema,
        customers: count,
        revenue: eur.describe('sum of lifetime_revenue of the tier'),
      }),
    )
    .describe('every value tier in VALUE_TIERS order, zero-filled'),
  rfm: z
    .array(
      z.object({
        recency: z.number().int().min(1).max(5),
        frequency: z.number().int().min(1).max(5),
        customers: count,
        revenue: eur.describe('sum of lifetime_revenue of the cell'),
      }),
    )
    .describe('buyers per recency_score × frequency_score cell: all 25 cells, zero-filled'),
  engagement: z
    .array(
      z.object({
        from: z.number().int(),
        to: z.number().int().describe('inclusive upper bound'),
        customers: count,
      }),
    )
    .describe('engagement_score histogram over all customers: bins 0–9, 10–19, …, 90–100, zero-filled'),
  channels: z.object({
    totals: z
      .array(
        z.object({
          channel: z.string(),
          customers: count.describe('customers with a valid order on this channel'),
          only: count.describe('customers with valid orders on this channel and no other'),
        }),
      )
      .describe('every channel found in dim_customers.channels, by customers desc'),
    overlaps: z
      .array(z.object({ a: z.string(), b: z.string(), customers: count }))
      .describe('every pair of channels (a < b), customers with valid orders on both; zero-filled'),
  }),
  revenueByMonth: z
    .array(z.object({ month, revenue: eur, orders: count }))
    .describe("net revenue and valid orders per month for the 24 months up to as_of's month, zero-filled"),
  cohorts: z
    .array(
      z.object({
        month: month.describe('cohort: month of the first valid order'),
        customers: count.describe('buyers whose first valid order fell in this month'),
        retention: z
          .array(
            z.object({
              monthsSinceFirstOrder: z.number().int().min(1),
              customers: count,
              share,
            }),
          )
          .describe(
            "for 1, 2, … months after the cohort month up to as_of's month: buyers of the cohort with a valid order in that month, and their share of the cohort",
          ),
      }),
    )
    .describe('first-order cohorts of the 24 months up to as_of, oldest first'),
  freshness: z.object({
    asOf: instant.nullable().describe('as_of of the published tables'),
    lastBuild: z
      .object({
        runId: z.string(),
        startedAt: instant.nullable(),
        finishedAt: instant.nullable(),
        status: buildStatusSchema,
        seconds: z.number().nullable(),
      })
      .nullable()
      .describe('the most recent build of any outcome (c360.build_runs); null before the first build'),
    lastPublishedAt: instant.nullable().describe('when the published tables were published'),
  }),
});

// ---------------------------------------------------------------------------------------------------------------
// Customer search

export const customerSearchInputSchema = z.object({
  query: z
    .string()
    .trim()
    .min(1, 'type part of an email, a name or a customer id')
    .max(200, 'a search text has at most 200 characters'),
  limit: z.number().int().min(1).max(50).default(20),
});

export const SEARCH_TOTAL_CAP = 1000;

export const customerSearchHitSchema = z.object({
  customerId: z.string(),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  city: z.string().nullable(),
  lifecycleStage: lifecycleStageSchema,
  totalOrders: count,
  lifetimeRevenue: eur,
  matchedOn: z
    .enum(['customer_id', 'email', 'name'])
    .describe('what matched the query (the best of several)'),
});

export const customerSearchResultSchema = z.object({
  query: z.string(),
  total: count.describe(`matching customers, counted up to ${SEARCH_TOTAL_CAP}`),
  totalCapped: z.boolean().describe(`true when more than ${SEARCH_TOTAL_CAP} customers match`),
  hits: z
    .array(customerSearchHitSchema)
    .describe(
      'at most `limit` hits, best first: exact id, exact email, id prefix, email prefix, name prefix; then by lifetime revenue',
    ),
});

// ---------------------------------------------------------------------------------------------------------------
// Customer 360 profile

export const customerProfileInputSchema = z.object({
  customerId: z.string().trim().min(1, 'give a customer id').max(200),
});

export const PROFILE_LIMITS = { orders: 50, shipments: 50, emailEvents: 20, tickets: 20 } as const;

export const identitySourceSchema = z.object({
  source: z
    .string()
    .describe(
      'kind of source record: shopify_customer, shopify_order (guest checkout), amazon_buyer, otto_buyer, klaviyo_profile, zendesk_user',
    ),
  sourceRecordId: z.string().describe('id of the record in its source (an Amazon buyer: the relay address)'),
  sourceId: z
    .string()
    .nullable()
    .describe('merged source id as in dim_customers.source_ids, e.g. shopify:123'),
  matchMethod: z
    .string()
    .describe(
      'why the record belongs to this customer: email, checkout_email, amazon_name_postal_code, amazon_relay_email, shopify_customer_id, zendesk_user_id, …',
    ),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  seenAt: instant.nullable(),
});

export const orderLineSchema = z.object({
  productId: z.number().int().nullable(),
  title: z.string().nullable().describe('catalogue title; null for products not in the catalogue'),
  brand: z.string().nullable(),
  category: z.string().nullable(),
  quantity: count,
  revenue: eur.nullable().describe('line price in EUR (gross); null for an unknown currency'),
});

export const profileOrderSchema = z.object({
  orderId: z.string(),
  channel: z.string(),
  orderedAt: instant,
  status: z.string().nullable().describe('order status as the channel says it'),
  isValid: z.boolean(),
  isCancelled: z.boolean(),
  isRefunded: z.boolean(),
  isPaymentPending: z.boolean(),
  total: eur.nullable().describe('order total in EUR; null for an unknown currency'),
  refunded: eur.nullable().describe('refunded amount in EUR; null for an unknown currency'),
  revenue: eur.describe('total − refunded, at least 0 (0 for an unknown currency)'),
  lines: z
    .array(orderLineSchema)
    .describe('lines of a valid order (invalid orders keep no lines in the workspace: empty)'),
});

export const shipmentSchema = z.object({
  shipmentId: z.string(),
  orderId: z.string(),
  channel: z.string(),
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  status: z.string().nullable(),
  labelCreatedAt: instant.nullable(),
  shippedAt: instant.nullable(),
  deliveredAt: instant.nullable(),
  events: z.array(z.object({ type: z.string(), at: instant })).describe('tracking events, oldest first'),
});

export const emailEventSchema = z.object({
  metric: z.string().describe('Klaviyo metric, e.g. Received Email, Opened Email, Clicked Email'),
  at: instant,
  campaignId: z.string().nullable(),
  flowId: z.string().nullable(),
  isMachineOpen: z.boolean(),
});

export const ticketSchema = z.object({
  ticketId: z.string(),
  status: z.string().nullable(),
  isOpen: z.boolean(),
  priority: z.string().nullable(),
  channel: z.string().nullable().describe('Zendesk via channel'),
  subject: z.string().nullable(),
  rating: z.string().nullable().describe('satisfaction rating: good, bad, offered, unoffered'),
  createdAt: instant.nullable(),
  solvedAt: instant.nullable(),
});

export const segmentStepSchema = z.object({
  kind: z.enum(['marketable', 'consent', 'rule', 'exclusion', 'priority', 'holdout']),
  label: z.string(),
  path: z.string().optional(),
  holds: z.boolean(),
});

export const segmentMembershipSchema = z.object({
  segment: z.string(),
  description: z.string(),
  member: z.boolean().describe('passes every step (what the list and seg_<name> hold)'),
  eligible: z.boolean().describe('passes every step but the holdout'),
  failedStep: segmentStepSchema.nullable().describe('the first step that fails; null for a member'),
  steps: z.array(segmentStepSchema),
  rules: ruleOutcomeSchema,
});

export const customerProfileSchema = z.object({
  asOf: instant.nullable(),
  identity: z.object({
    customerId: z.string(),
    email: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    postalCode: z.string().nullable(),
    city: z.string().nullable(),
    countryCode: z.string().nullable(),
    firstSeenAt: instant.nullable(),
    sourceIds: z.array(z.string()).describe('dim_customers.source_ids'),
    sources: z
      .array(identitySourceSchema)
      .describe('every source record merged into this customer (int_customer__identity_resolved)'),
  }),
  scores: z.object({
    recency: z.number().int().nullable(),
    frequency: z.number().int().nullable(),
    monetary: z.number().int().nullable(),
    rfmSegment: z.string().nullable(),
    valueTier: valueTierSchema,
    vipTier: z.string().nullable(),
    lifecycleStage: lifecycleStageSchema,
    predictedClv12m: eur,
    expectedPurchases12m: z.number().nullable(),
    expectedOrderValue: eur.nullable(),
    pAlive: share.nullable(),
    engagementScore: z.number().int(),
    crossSellScore: z.number().int(),
  }),
  metrics: z.object({
    totalOrders: count,
    lifetimeRevenue: eur,
    averageOrderValue: eur.nullable(),
    firstOrderAt: instant.nullable(),
    lastOrderAt: instant.nullable(),
    daysSinceLastOrder: z.number().int().nullable(),
    channels: z.array(z.string()),
    preferredCategories: z.array(z.string()),
    preferredBrands: z.array(z.string()),
    productType: z.string().nullable(),
    nextReplenishmentDate: day.nullable(),
    shipments: count,
    averageDeliveryDays: z.number().nullable(),
    deliverySuccessRate: share.nullable(),
    lastDeliveryProblemAt: instant.nullable(),
  }),
  flags: z.object({
    isMarketable: z.boolean(),
    emailConsent: z.boolean(),
    isSuppressed: z.boolean(),
    hasValidEmail: z.boolean(),
    isRelayEmail: z.boolean(),
    isVip: z.boolean(),
    isCrossChannel: z.boolean(),
    isWinbackCandidate: z.boolean(),
    winbackStage: z.string().nullable(),
    isHighValueAtRisk: z.boolean(),
    recommendedAction: z.string().nullable(),
    hasUnresolvedTicket: z.boolean(),
    hasDeviceWithoutRefill: z.boolean(),
  }),
  orders: z.object({
    total: count.describe("all the customer's orders, any status"),
    more: count.describe(`orders not listed (only the ${PROFILE_LIMITS.orders} newest are)`),
    items: z.array(profileOrderSchema).describe('newest first'),
  }),
  shipments: z.object({
    total: count,
    more: count,
    items: z.array(shipmentSchema).describe('newest first (by label, then shipping time)'),
  }),
  email: z.object({
    received90d: count,
    opens90d: count,
    clicks90d: count,
    clickRate90d: z.number().nullable(),
    lastOpenAt: instant.nullable(),
    lastClickAt: instant.nullable(),
    totals: z
      .array(z.object({ metric: z.string(), events: count }))
      .describe("all the customer's Klaviyo events up to as_of per metric"),
    recent: z.array(emailEventSchema).describe(`the ${PROFILE_LIMITS.emailEvents} newest events`),
    more: count,
  }),
  tickets: z.object({
    total: count,
    open: count,
    csatScore: share.nullable(),
    averageResolutionHours: z.number().nullable(),
    items: z.array(ticketSchema).describe('newest first'),
    more: count,
  }),
  segments: z
    .array(segmentMembershipSchema)
    .describe("every usable saved segment of the workspace, evaluated for this customer on today's data"),
  segmentProblems: z
    .array(z.object({ segment: z.string().nullable(), message: z.string() }))
    .describe('saved segments that are broken and therefore not evaluated'),
});

export type OverviewInput = z.infer<typeof overviewInputSchema>;
export type Overview = z.infer<typeof overviewSchema>;
export type OverviewKpis = z.infer<typeof overviewKpisSchema>;
export type CustomerSearchInput = z.input<typeof customerSearchInputSchema>;
export type CustomerSearchResult = z.infer<typeof customerSearchResultSchema>;
export type CustomerSearchHit = z.infer<typeof customerSearchHitSchema>;
export type CustomerProfileInput = z.infer<typeof customerProfileInputSchema>;
export type CustomerProfile = z.infer<typeof customerProfileSchema>;
export type IdentitySource = z.infer<typeof identitySourceSchema>;
export type ProfileOrder = z.infer<typeof profileOrderSchema>;
export type OrderLine = z.infer<typeof orderLineSchema>;
export type Shipment = z.infer<typeof shipmentSchema>;
export type EmailEvent = z.infer<typeof emailEventSchema>;
export type Ticket = z.infer<typeof ticketSchema>;
export type SegmentMembership = z.infer<typeof segmentMembershipSchema>;
export type LifecycleStage = z.infer<typeof lifecycleStageSchema>;
export type ValueTier = z.infer<typeof valueTierSchema>;
export type BuildStatus = z.infer<typeof buildStatusSchema>;
