import { z } from 'zod';

/**
 * The `sync:` section of `c360.config.yaml` (SPEC §7). Every field has a default, so a workspace without the
 * section syncs the concept's setup: profiles from dim_customers, one list per saved segment, shipment events.
 * The API key is never configured here: only the name of the environment variable that holds it.
 */

const columnName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*$/, 'a column name of the source model (lower-case letters, digits, _)');

/** Klaviyo property name → source column. */
const propertyMapping = z.record(z.string().min(1).max(200), columnName);

/** Profile attributes Klaviyo knows (not custom properties) that can be mapped from a column. */
export const PROFILE_ATTRIBUTES = [
  'first_name',
  'last_name',
  'external_id',
  'phone_number',
  'organization',
  'title',
  'locale',
  'location.city',
  'location.country',
  'location.zip',
  'location.region',
  'location.timezone',
] as const;

export const DEFAULT_PROFILE_PROPERTIES: Record<string, string> = {
  LTV: 'lifetime_revenue',
  'Total Orders': 'total_orders',
  'Lifecycle Stage': 'lifecycle_stage',
  'Value Tier': 'customer_value_tier',
  'Engagement Score': 'engagement_score',
  'RFM Segment': 'rfm_segment',
  'Is VIP': 'is_vip',
  // Not days_since_last_order: it changes every day for every buyer, so it would resend all profiles daily.
  // Klaviyo segments express "days since" with "Last Order Date is at least N days ago".
  'Last Order Date': 'last_order_at',
  'Winback Stage': 'winback_stage',
  'VIP Tier': 'vip_tier',
  'Channels Count': 'channels_count',
  'Recommended Action': 'recommended_action',
  'Preferred Categories': 'preferred_categories',
  'Product Type': 'product_type',
  'Predicted CLV 12m': 'predicted_clv_12m',
};

export const DEFAULT_EVENT_PROPERTIES: Record<string, string> = {
  'Tracking URL': 'tracking_url',
  'Tracking Number': 'tracking_number',
  Carrier: 'carrier',
  'Order ID': 'order_id',
  Channel: 'channel',
  'Shipment ID': 'shipment_id',
  'Product Names': 'product_names',
};

const profilesSchema = z.strictObject({
  enabled: z.boolean().default(true),
  model: columnName.default('dim_customers'),
  /** Column with the customer's email, the identifier Klaviyo upserts on. */
  email_column: columnName.default('email'),
  /**
   * Who is sent: `marketable` (valid, consented, not suppressed, not a relay address) or `valid_email` (every
   * customer with a real address, e.g. for transactional flows).
   */
  audience: z.enum(['marketable', 'valid_email']).default('marketable'),
  attributes: z.partialRecord(z.enum(PROFILE_ATTRIBUTES), columnName).default({
    first_name: 'first_name',
    last_name: 'last_name',
    'location.city': 'city',
    'location.zip': 'postal_code',
  }),
  properties: propertyMapping.default(DEFAULT_PROFILE_PROPERTIES),
});

const listsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Segments published as lists: `all` saved segments of the workspace, or their names. */
  segments: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
  /** Put before each list name (e.g. "c360: "), so lists made by this tool are easy to spot in Klaviyo. */
  list_prefix: z.string().default(''),
  /** Remove members that left the segment (only members this tool added). false = add only. */
  mirror: z.boolean().default(true),
});

const eventsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  model: columnName.default('events_shipments'),
  id_column: columnName.default('event_id'),
  email_column: columnName.default('email'),
  metric_column: columnName.default('event_name'),
  time_column: columnName.default('event_timestamp'),
  properties: propertyMapping.default(DEFAULT_EVENT_PROPERTIES),
  /**
   * Events older than this are sent with `backfill: true`: recorded in Klaviyo without triggering flows, so the
   * first sync of 90 days of history does not mail every customer about a parcel that arrived in September.
   */
  backfill_after_hours: z.number().min(0).default(24),
  /**
   * Shipment events are transactional: by default they also go to customers outside the marketing audience
   * (no consent, suppressed), which may create Klaviyo profiles that count toward the shop's bill; the plan
   * shows how many. false = only customers whose marketable_column is true.
   */
  include_non_marketable: z.boolean().default(true),
  marketable_column: columnName.default('is_marketable'),
  /** Sent with the event's profile so the shipping mail can greet the customer; never marketing properties. */
  profile_attributes: z
    .strictObject({ first_name: columnName.optional(), last_name: columnName.optional() })
    .default({ first_name: 'first_name', last_name: 'last_name' }),
});

const guardrailsSchema = z.strictObject({
  /** Block a list sync that removes more than this share of the list's members (this tool's members). */
  max_list_removal_percent: z.number().min(0).max(100).default(20),
  /** Block a profile sync that changes more than this share of the profiles synced before. */
  max_profiles_changed_percent: z.number().min(0).max(100).default(50),
  block_empty_source: z.boolean().default(true),
  block_emptied_list: z.boolean().default(true),
  /** A sensitive segment (health data) needs approval when first published and after its definition changes. */
  approve_sensitive_segments: z.boolean().default(true),
  /**
   * Stale data: publishing data older than this many hours (since the build that published it finished) needs
   * approval, so a broken nightly build does not silently keep sending last week's lists. 0 = no age check.
   */
  max_data_age_hours: z.number().min(0).default(36),
  /** Publishing after the last build failed (or was interrupted) needs approval: the data is the build before. */
  block_after_failed_build: z.boolean().default(true),
});

const klaviyoSchema = z.strictObject({
  /** Default https://a.klaviyo.com; KLAVIYO_BASE_URL overrides it (tests, proxies). */
  base_url: z.url().optional(),
  /** Name of the environment variable holding the private API key (pk_…). */
  api_key_env: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .default('KLAVIYO_API_KEY'),
  /** Requests in flight at once, across endpoints. */
  concurrency: z.number().int().min(1).max(16).default(4),
  request_timeout_seconds: z.number().min(1).max(600).default(60),
  /** Attempts per request on 429, 5xx, timeouts and dropped connections before the batch counts as failed. */
  max_attempts: z.number().int().min(1).max(20).default(8),
  /** Multiplies Klaviyo's published limits: only for accounts with raised limits or local test servers. */
  rate_limit_scale: z.number().positive().default(1),
  /** How often a bulk import job is polled. */
  poll_interval_ms: z.number().int().min(10).default(1000),
});

export const syncConfigSchema = z.strictObject({
  klaviyo: klaviyoSchema.default(klaviyoSchema.parse({})),
  profiles: profilesSchema.default(profilesSchema.parse({})),
  lists: listsSchema.default(listsSchema.parse({})),
  events: eventsSchema.default(eventsSchema.parse({})),
  guardrails: guardrailsSchema.default(guardrailsSchema.parse({})),
});

export type SyncConfig = z.infer<typeof syncConfigSchema>;
export type ProfilesConfig = SyncConfig['profiles'];
export type ListsConfig = SyncConfig['lists'];
export type EventsConfig = SyncConfig['events'];
export type GuardrailConfig = SyncConfig['guardrails'];
export type KlaviyoConfig = SyncConfig['klaviyo'];

export const DEFAULT_SYNC_CONFIG: SyncConfig = syncConfigSchema.parse({});
