import type {
  CustomerProfile,
  CustomerSearchInput,
  CustomerSearchResult,
  Overview,
} from '../../core/insights/schemas.ts';
import type { C360Client, CallOptions, WorkspaceInfo } from '../../renderer/src/api/types.ts';

/**
 * Small, hand-checked fixture data in the shapes of core/insights/schemas.ts (synthetic shop, invented people).
 * Values are chosen so formatting is visible: 1234.56 € average order value → "1.234,56 €" in German.
 */
/** As workspace.info sends it (core/api/schemas/workspace.ts): the as-of is a calendar day. */
export const workspaceInfo: WorkspaceInfo = { name: 'Demo-Shop', asOf: '2026-11-30' };

const months = (from: string, count: number): string[] => {
  const [year, month] = from.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, index) => {
    const date = new Date(Date.UTC(year, month - 1 + index, 1));
    return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
  });
};

export const overview: Overview = {
  asOf: '2026-11-30T09:15:00.000Z',
  shopTimeZone: 'Europe/Berlin',
  kpis: {
    customers: 12_345,
    buyers: 8_000,
    marketable: 6_172,
    revenueLast12Months: 987_654.32,
    ordersLast12Months: 800,
    averageOrderValue: 1_234.56,
    activeCustomers: 2_000,
    activeShare: 0.25,
  },
  lifecycle: [
    { stage: 'prospect', customers: 4_345 },
    { stage: 'new', customers: 700 },
    { stage: 'active', customers: 1_300 },
    { stage: 'at_risk', customers: 2_000 },
    { stage: 'lapsing', customers: 1_500 },
    { stage: 'churned', customers: 2_500 },
  ],
  valueTiers: [
    { tier: 'vip', customers: 400, revenue: 400_000 },
    { tier: 'high', customers: 1_600, revenue: 320_000 },
    { tier: 'medium', customers: 3_000, revenue: 210_000 },
    { tier: 'low', customers: 3_000, revenue: 57_654.32 },
    { tier: 'no_purchase', customers: 4_345, revenue: 0 },
  ],
  rfm: [1, 2, 3, 4, 5].flatMap((recency) =>
    [1, 2, 3, 4, 5].map((frequency) => ({
      recency,
      frequency,
      customers: recency * 100 + frequency,
      revenue: (recency * 100 + frequency) * 50,
    })),
  ),
  engagement: Array.from({ length: 10 }, (_, index) => ({
    from: index * 10,
    to: index === 9 ? 100 : index * 10 + 9,
    customers: 1_000 + index * 10,
  })),
  channels: {
    totals: [
      { channel: 'shopify', customers: 6_000, only: 4_500 },
      { channel: 'amazon', customers: 2_500, only: 1_200 },
      { channel: 'otto', customers: 900, only: 300 },
    ],
    overlaps: [
      { a: 'amazon', b: 'shopify', customers: 1_111 },
      { a: 'otto', b: 'shopify', customers: 444 },
      { a: 'amazon', b: 'otto', customers: 222 },
    ],
  },
  revenueByMonth: months('2024-12', 24).map((month, index) => ({
    month,
    revenue: 30_000 + index * 1_000,
    orders: 60 + index,
  })),
  cohorts: months('2026-08', 4).map((month, index) => ({
    month,
    customers: 100 * (index + 1),
    retention: Array.from({ length: 3 - index }, (_, offset) => ({
      monthsSinceFirstOrder: offset + 1,
      customers: 10 - offset,
      share: (10 - offset) / (100 * (index + 1)),
    })),
  })),
  freshness: {
    asOf: '2026-11-30T09:15:00.000Z',
    lastBuild: {
      runId: 'run-42',
      startedAt: '2026-11-30T09:10:00.000Z',
      finishedAt: '2026-11-30T09:14:30.000Z',
      status: 'published',
      seconds: 270.4,
    },
    lastPublishedAt: '2026-11-30T09:14:30.000Z',
  },
};

export const emptyOverview: Overview = {
  ...overview,
  asOf: null,
  kpis: {
    customers: 0,
    buyers: 0,
    marketable: 0,
    revenueLast12Months: 0,
    ordersLast12Months: 0,
    averageOrderValue: null,
    activeCustomers: 0,
    activeShare: null,
  },
  freshness: { asOf: null, lastBuild: null, lastPublishedAt: null },
};

export const searchHits: CustomerSearchResult['hits'] = [
  {
    customerId: 'c_000123',
    email: 'anna.schmidt@example.com',
    firstName: 'Anna',
    lastName: 'Schmidt',
    city: 'Köln',
    lifecycleStage: 'active',
    totalOrders: 5,
    lifetimeRevenue: 1_234.56,
    matchedOn: 'name',
  },
  {
    customerId: 'c_000456',
    email: 'annika.berg@example.org',
    firstName: 'Annika',
    lastName: 'Berg',
    city: 'Hamburg',
    lifecycleStage: 'at_risk',
    totalOrders: 1,
    lifetimeRevenue: 49.9,
    matchedOn: 'name',
  },
];

/** The search the fake runs: a case-insensitive substring match over the two fixture customers. */
export function searchFixture(input: CustomerSearchInput): CustomerSearchResult {
  const query = input.query.trim().toLowerCase();
  const hits = searchHits.filter((hit) =>
    [hit.customerId, hit.email, hit.firstName, hit.lastName].some((value) =>
      value?.toLowerCase().includes(query),
    ),
  );
  return {
    query: input.query.trim(),
    total: hits.length,
    totalCapped: false,
    hits: hits.slice(0, input.limit ?? 20),
  };
}

export const profile: CustomerProfile = {
  asOf: '2026-11-30T09:15:00.000Z',
  identity: {
    customerId: 'c_000123',
    email: 'anna.schmidt@example.com',
    firstName: 'Anna',
    lastName: 'Schmidt',
    postalCode: '50667',
    city: 'Köln',
    countryCode: 'DE',
    firstSeenAt: '2024-03-02T10:00:00.000Z',
    sourceIds: ['shopify:123', 'amazon:AMZ-9', 'klaviyo:01HX'],
    sources: [
      {
        source: 'shopify_customer',
        sourceRecordId: '123',
        sourceId: 'shopify:123',
        matchMethod: 'email',
        email: 'anna.schmidt@example.com',
        firstName: 'Anna',
        lastName: 'Schmidt',
        seenAt: '2024-03-02T10:00:00.000Z',
      },
      {
        source: 'amazon_buyer',
        sourceRecordId: 'relay-abc@marketplace.amazon.de',
        sourceId: 'amazon:AMZ-9',
        matchMethod: 'amazon_name_postal_code',
        email: null,
        firstName: 'Anna',
        lastName: 'Schmidt',
        seenAt: '2025-06-01T08:00:00.000Z',
      },
    ],
  },
  scores: {
    recency: 5,
    frequency: 4,
    monetary: 4,
    rfmSegment: 'loyal',
    valueTier: 'high',
    vipTier: null,
    lifecycleStage: 'active',
    predictedClv12m: 432.1,
    expectedPurchases12m: 2.35,
    expectedOrderValue: 183.87,
    pAlive: 0.934,
    engagementScore: 72,
    crossSellScore: 40,
  },
  metrics: {
    totalOrders: 5,
    lifetimeRevenue: 1_234.56,
    averageOrderValue: 246.91,
    firstOrderAt: '2024-03-02T10:05:00.000Z',
    lastOrderAt: '2026-11-02T18:30:00.000Z',
    daysSinceLastOrder: 28,
    channels: ['shopify', 'amazon'],
    preferredCategories: ['Kaffee'],
    preferredBrands: ['Röstwerk'],
    productType: 'consumable',
    nextReplenishmentDate: '2026-12-14',
    shipments: 1,
    averageDeliveryDays: 2.1,
    deliverySuccessRate: 1,
    lastDeliveryProblemAt: null,
  },
  flags: {
    isMarketable: true,
    emailConsent: true,
    isSuppressed: false,
    hasValidEmail: true,
    isRelayEmail: false,
    isVip: false,
    isCrossChannel: true,
    isWinbackCandidate: false,
    winbackStage: null,
    isHighValueAtRisk: false,
    recommendedAction: 'cross_sell',
    hasUnresolvedTicket: true,
    hasDeviceWithoutRefill: false,
  },
  orders: {
    total: 52,
    more: 50,
    items: [
      {
        orderId: 'SO-1001',
        channel: 'shopify',
        orderedAt: '2026-11-02T18:30:00.000Z',
        status: 'fulfilled',
        isValid: true,
        isCancelled: false,
        isRefunded: false,
        isPaymentPending: false,
        total: 89.7,
        refunded: 0,
        revenue: 89.7,
        lines: [
          {
            productId: 7,
            title: 'Espresso Bohnen 1 kg',
            brand: 'Röstwerk',
            category: 'Kaffee',
            quantity: 3,
            revenue: 89.7,
          },
        ],
      },
      {
        orderId: 'AMZ-303-77',
        channel: 'amazon',
        orderedAt: '2026-01-15T12:00:00.000Z',
        status: 'Canceled',
        isValid: false,
        isCancelled: true,
        isRefunded: false,
        isPaymentPending: false,
        total: 19.9,
        refunded: 0,
        revenue: 0,
        lines: [],
      },
    ],
  },
  shipments: {
    total: 1,
    more: 0,
    items: [
      {
        shipmentId: 'SH-1',
        orderId: 'SO-1001',
        channel: 'shopify',
        carrier: 'DHL',
        trackingNumber: '00340434161234567890',
        status: 'delivered',
        labelCreatedAt: '2026-11-02T20:00:00.000Z',
        shippedAt: '2026-11-03T08:00:00.000Z',
        deliveredAt: '2026-11-04T11:00:00.000Z',
        events: [
          { type: 'in_transit', at: '2026-11-03T08:00:00.000Z' },
          // a carrier status outside the known vocabulary: shown as it came
          { type: 'customs_hold', at: '2026-11-03T20:00:00.000Z' },
          { type: 'delivered', at: '2026-11-04T11:00:00.000Z' },
        ],
      },
    ],
  },
  email: {
    received90d: 12,
    opens90d: 7,
    clicks90d: 2,
    clickRate90d: 0.1667,
    lastOpenAt: '2026-11-20T07:00:00.000Z',
    lastClickAt: '2026-11-18T07:05:00.000Z',
    totals: [
      { metric: 'Received Email', events: 40 },
      { metric: 'Opened Email', events: 22 },
    ],
    recent: [
      {
        metric: 'Opened Email',
        at: '2026-11-20T07:00:00.000Z',
        campaignId: 'CMP-1',
        flowId: null,
        isMachineOpen: false,
      },
      {
        metric: 'Received Email',
        at: '2026-11-19T07:00:00.000Z',
        campaignId: null,
        flowId: 'FL-9',
        isMachineOpen: false,
      },
    ],
    more: 40,
  },
  tickets: {
    total: 2,
    open: 1,
    csatScore: 1,
    averageResolutionHours: 5.5,
    items: [
      {
        ticketId: 'T-77',
        status: 'open',
        isOpen: true,
        priority: 'normal',
        channel: 'email',
        subject: 'Wo bleibt meine Lieferung?',
        rating: null,
        createdAt: '2026-11-25T09:00:00.000Z',
        solvedAt: null,
      },
    ],
    more: 1,
  },
  segments: [
    {
      segment: 'coffee_lovers',
      description: 'Kaufen regelmäßig Kaffee',
      member: true,
      eligible: true,
      failedStep: null,
      steps: [
        { kind: 'marketable', label: 'is_marketable', holds: true },
        { kind: 'rule', label: 'rule', path: '$', holds: true },
      ],
      rules: {
        path: '$',
        label: 'all',
        kind: 'all',
        holds: true,
        values: {},
        children: [
          {
            path: '$.0',
            label: 'total_orders >= 3',
            kind: 'condition',
            holds: true,
            values: { total_orders: 5 },
            children: [],
          },
        ],
      },
    },
    {
      segment: 'winback_60',
      description: '',
      member: false,
      eligible: false,
      failedStep: { kind: 'rule', label: 'rule', path: '$', holds: false },
      steps: [
        { kind: 'marketable', label: 'is_marketable', holds: true },
        { kind: 'rule', label: 'rule', path: '$', holds: false },
      ],
      rules: {
        path: '$',
        label: 'days_since_last_order > 60',
        kind: 'condition',
        holds: false,
        values: { days_since_last_order: 28 },
        children: [],
      },
    },
  ],
  segmentProblems: [],
};

/** A call the fake client saw, with the signal it was given (to check that older searches are aborted). */
export interface RecordedCall {
  method: string;
  input: unknown;
  signal: AbortSignal | undefined;
}

type Handlers = {
  info: () => Promise<WorkspaceInfo>;
  overview: () => Promise<Overview>;
  search: (input: CustomerSearchInput) => Promise<CustomerSearchResult>;
  profile: (customerId: string) => Promise<CustomerProfile>;
};

/** A C360Client over fixture data; each call can be replaced (slow, failing) and every call is recorded. */
export function fakeClient(overrides: Partial<Handlers> = {}): C360Client & { calls: RecordedCall[] } {
  const handlers: Handlers = {
    info: async () => workspaceInfo,
    overview: async () => overview,
    search: async (input) => searchFixture(input),
    profile: async () => profile,
    ...overrides,
  };
  const calls: RecordedCall[] = [];
  const record = (method: string, input: unknown, options?: CallOptions) =>
    calls.push({ method, input, signal: options?.signal });
  return {
    calls,
    workspace: {
      info: (input, options) => (record('workspace.info', input, options), handlers.info()),
    },
    overview: {
      get: (input, options) => (record('overview.get', input, options), handlers.overview()),
    },
    customers: {
      search: (input, options) => (record('customers.search', input, options), handlers.search(input)),
      profile: (input, options) => (
        record('customers.profile', input, options),
        handlers.profile(input.customerId)
      ),
    },
  };
}

/** An error as the oRPC client throws it (core/api/server/errorMapping.ts): message, code, data.hint. */
export function apiError(code: string, message: string, hint?: string): Error {
  return Object.assign(new Error(message), { code, data: hint === undefined ? { code } : { code, hint } });
}
