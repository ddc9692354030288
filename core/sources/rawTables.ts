import type { Database } from '../db/duckdb.ts';

/**
 * The raw source tables of SPEC §3: what the demo generator writes, what `c360 load` accepts and what
 * the staging models read through `{{ source(...) }}`. One schema per source (`raw_<source>`).
 * Types are DuckDB types; timestamps are UTC without a zone.
 */
export interface RawColumn {
  name: string;
  type: string;
  description: string;
}

export interface RawTable {
  source: SourceName;
  table: string;
  description: string;
  columns: RawColumn[];
}

export const SOURCE_NAMES = ['shopify', 'amazon', 'shipments', 'klaviyo', 'zendesk'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export function rawSchemaName(source: SourceName): string {
  return `raw_${source}`;
}

const c = (name: string, type: string, description: string): RawColumn => ({ name, type, description });

export const RAW_TABLES: RawTable[] = [
  {
    source: 'shopify',
    table: 'customers',
    description: 'Shopify customer accounts (Admin API customers resource).',
    columns: [
      c('id', 'BIGINT', 'Shopify customer id'),
      c('email', 'VARCHAR', 'email as typed by the customer; may be null, mixed case or invalid'),
      c('first_name', 'VARCHAR', 'first name'),
      c('last_name', 'VARCHAR', 'last name'),
      c('phone', 'VARCHAR', 'phone in E.164 when known'),
      c('created_at', 'TIMESTAMP', 'account creation (UTC)'),
      c('updated_at', 'TIMESTAMP', 'last change (UTC)'),
      c('email_marketing_consent', 'VARCHAR', 'subscribed | not_subscribed | unsubscribed | pending'),
      c('default_address_zip', 'VARCHAR', 'postal code of the default address'),
      c('default_address_city', 'VARCHAR', 'city of the default address'),
      c('default_address_country', 'VARCHAR', 'ISO country code of the default address'),
      c('tags', 'VARCHAR', 'comma-separated Shopify tags'),
    ],
  },
  {
    source: 'shopify',
    table: 'orders',
    description: 'Shopify orders.',
    columns: [
      c('id', 'BIGINT', 'Shopify order id'),
      c('customer_id', 'BIGINT', 'Shopify customer id; null for guest checkouts'),
      c('email', 'VARCHAR', 'email given at checkout'),
      c('created_at', 'TIMESTAMP', 'order time (UTC)'),
      c('financial_status', 'VARCHAR', 'paid | pending | refunded | partially_refunded | voided'),
      c('fulfillment_status', 'VARCHAR', 'fulfilled | partial | null (unfulfilled)'),
      c('cancelled_at', 'TIMESTAMP', 'cancellation time; null when not cancelled'),
      c('total_price', 'DECIMAL(12,2)', 'order total incl. VAT and shipping, in currency'),
      c('subtotal_price', 'DECIMAL(12,2)', 'line total after discounts, in currency'),
      c('total_discounts', 'DECIMAL(12,2)', 'discount amount, in currency'),
      c('currency', 'VARCHAR', 'ISO currency code (mostly EUR)'),
      c('shipping_zip', 'VARCHAR', 'shipping postal code'),
      c('shipping_country', 'VARCHAR', 'shipping ISO country code'),
      c('discount_codes', 'VARCHAR', 'comma-separated discount codes'),
    ],
  },
  {
    source: 'shopify',
    table: 'order_lines',
    description: 'Shopify order line items.',
    columns: [
      c('order_id', 'BIGINT', 'Shopify order id'),
      c('id', 'BIGINT', 'line item id'),
      c('product_id', 'BIGINT', 'product id (see sql/seeds/products.csv)'),
      c('sku', 'VARCHAR', 'SKU'),
      c('title', 'VARCHAR', 'product title at order time'),
      c('brand', 'VARCHAR', 'brand (vendor)'),
      c('category', 'VARCHAR', 'product category'),
      c('quantity', 'INTEGER', 'units'),
      c('price', 'DECIMAL(12,2)', 'unit price, in order currency'),
    ],
  },
  {
    source: 'amazon',
    table: 'orders',
    description: 'Amazon SP-API orders (Orders API shape).',
    columns: [
      c('amazon_order_id', 'VARCHAR', 'Amazon order id, e.g. 302-1234567-1234567'),
      c('purchase_date', 'TIMESTAMP', 'purchase time (UTC)'),
      c('order_status', 'VARCHAR', 'Pending | Unshipped | PartiallyShipped | Shipped | Canceled'),
      c('buyer_email', 'VARCHAR', 'anonymised relay address …@marketplace.amazon.de'),
      c('buyer_name', 'VARCHAR', 'buyer name as given to Amazon'),
      c('ship_postal_code', 'VARCHAR', 'shipping postal code'),
      c('ship_city', 'VARCHAR', 'shipping city'),
      c('ship_country', 'VARCHAR', 'shipping ISO country code'),
      c('order_total', 'DECIMAL(12,2)', 'order total, in currency'),
      c('currency', 'VARCHAR', 'ISO currency code'),
      c('sales_channel', 'VARCHAR', 'marketplace, e.g. Amazon.de'),
    ],
  },
  {
    source: 'amazon',
    table: 'order_items',
    description: 'Amazon SP-API order items.',
    columns: [
      c('amazon_order_id', 'VARCHAR', 'Amazon order id'),
      c('asin', 'VARCHAR', 'ASIN (see sql/seeds/products.csv)'),
      c('seller_sku', 'VARCHAR', 'seller SKU (same as the Shopify SKU)'),
      c('title', 'VARCHAR', 'listing title'),
      c('quantity', 'INTEGER', 'units'),
      c('item_price', 'DECIMAL(12,2)', 'price of the line (all units), in order currency'),
    ],
  },
  {
    source: 'shipments',
    table: 'shipments',
    description: 'Parcels handed to carriers, one row per shipment.',
    columns: [
      c('shipment_id', 'VARCHAR', 'shipment id'),
      c('order_id', 'VARCHAR', 'Shopify order id (as text) or Amazon order id'),
      c('channel', 'VARCHAR', 'shopify | amazon'),
      c('carrier', 'VARCHAR', 'DHL | DPD | …'),
      c('tracking_number', 'VARCHAR', 'carrier tracking number'),
      c('created_at', 'TIMESTAMP', 'label created (UTC)'),
      c('shipped_at', 'TIMESTAMP', 'handed to carrier (UTC)'),
      c('delivered_at', 'TIMESTAMP', 'delivered (UTC); null when not delivered'),
      c(
        'status',
        'VARCHAR',
        'label_created | shipped | in_transit | delivered | failed | delayed | returned',
      ),
    ],
  },
  {
    source: 'shipments',
    table: 'shipment_events',
    description: 'Carrier tracking events.',
    columns: [
      c('tracking_number', 'VARCHAR', 'carrier tracking number'),
      c('event_type', 'VARCHAR', 'shipped | in_transit | delivered | failed | delayed | returned'),
      c('event_at', 'TIMESTAMP', 'event time (UTC)'),
      c('detail', 'VARCHAR', 'carrier message'),
    ],
  },
  {
    source: 'klaviyo',
    table: 'profiles',
    description: 'Klaviyo profiles (native BigQuery export shape).',
    columns: [
      c('id', 'VARCHAR', 'Klaviyo profile id'),
      c('email', 'VARCHAR', 'email'),
      c('first_name', 'VARCHAR', 'first name'),
      c('last_name', 'VARCHAR', 'last name'),
      c('created', 'TIMESTAMP', 'profile creation (UTC)'),
      c('updated', 'TIMESTAMP', 'last change (UTC)'),
      c('properties', 'VARCHAR', 'JSON object: gender, birthday (YYYY-MM-DD), pregnancy_opt_in, source, …'),
      c('email_consent', 'VARCHAR', 'SUBSCRIBED | UNSUBSCRIBED | NEVER_SUBSCRIBED'),
      c('suppression_reason', 'VARCHAR', 'HARD_BOUNCE | SPAM_COMPLAINT | USER_SUPPRESSED | null'),
    ],
  },
  {
    source: 'klaviyo',
    table: 'events',
    description: 'Klaviyo metric events (email engagement).',
    columns: [
      c('id', 'VARCHAR', 'event id'),
      c('profile_id', 'VARCHAR', 'Klaviyo profile id'),
      c(
        'metric',
        'VARCHAR',
        'Received Email | Opened Email | Clicked Email | Bounced Email | Unsubscribed | Marked Email as Spam',
      ),
      c('datetime', 'TIMESTAMP', 'event time (UTC)'),
      c('campaign_id', 'VARCHAR', 'campaign id or null'),
      c('flow_id', 'VARCHAR', 'flow id or null'),
      c('properties', 'VARCHAR', 'JSON object, e.g. {"machine_open": true} for privacy-protected opens'),
    ],
  },
  {
    source: 'klaviyo',
    table: 'lists',
    description: 'Klaviyo lists.',
    columns: [c('id', 'VARCHAR', 'list id'), c('name', 'VARCHAR', 'list name')],
  },
  {
    source: 'klaviyo',
    table: 'list_memberships',
    description: 'Klaviyo list memberships.',
    columns: [
      c('list_id', 'VARCHAR', 'list id'),
      c('profile_id', 'VARCHAR', 'profile id'),
      c('created', 'TIMESTAMP', 'joined the list (UTC)'),
    ],
  },
  {
    source: 'zendesk',
    table: 'users',
    description: 'Zendesk end users.',
    columns: [
      c('id', 'BIGINT', 'Zendesk user id'),
      c('email', 'VARCHAR', 'email'),
      c('name', 'VARCHAR', 'full name'),
      c('created_at', 'TIMESTAMP', 'creation (UTC)'),
    ],
  },
  {
    source: 'zendesk',
    table: 'tickets',
    description: 'Zendesk tickets.',
    columns: [
      c('id', 'BIGINT', 'ticket id'),
      c('requester_id', 'BIGINT', 'Zendesk user id of the requester'),
      c('status', 'VARCHAR', 'new | open | pending | hold | solved | closed'),
      c('priority', 'VARCHAR', 'low | normal | high | urgent'),
      c('channel', 'VARCHAR', 'email | web | chat | phone'),
      c('subject', 'VARCHAR', 'subject line'),
      c('created_at', 'TIMESTAMP', 'creation (UTC)'),
      c('updated_at', 'TIMESTAMP', 'last update (UTC)'),
      c('solved_at', 'TIMESTAMP', 'solved (UTC); null when unsolved'),
      c('satisfaction_rating', 'VARCHAR', 'good | bad | offered | unoffered'),
    ],
  },
];

export function findRawTable(source: string, table: string): RawTable | undefined {
  return RAW_TABLES.find((t) => t.source === source && t.table === table);
}

/** `CREATE TABLE` statement for a raw table: replacing an existing one, or only when it is missing. */
export function rawTableDdl(table: RawTable, options: { ifNotExists?: boolean } = {}): string {
  const cols = table.columns.map((col) => `  "${col.name}" ${col.type}`).join(',\n');
  const create = options.ifNotExists ? 'create table if not exists' : 'create or replace table';
  return `${create} ${rawSchemaName(table.source)}."${table.table}" (\n${cols}\n)`;
}

export async function createRawSchemas(run: (sql: string) => Promise<void>): Promise<void> {
  for (const source of SOURCE_NAMES) await run(`create schema if not exists ${rawSchemaName(source)}`);
}

/** Creates the raw schemas and every raw table that does not exist yet (empty); returns `schema.table` names. */
export async function createMissingRawTables(db: Database): Promise<string[]> {
  await createRawSchemas((sql) => db.run(sql));
  const existing = new Set(
    (
      await db.queryJs(
        `select schema_name || '.' || table_name as t from duckdb_tables() where not temporary`,
      )
    ).map((r) => String(r.t)),
  );
  const created: string[] = [];
  for (const table of RAW_TABLES) {
    const name = `${rawSchemaName(table.source)}.${table.table}`;
    if (existing.has(name)) continue;
    await db.run(rawTableDdl(table, { ifNotExists: true }));
    created.push(name);
  }
  return created;
}
