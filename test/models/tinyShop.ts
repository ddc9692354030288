import type { Database } from '../../core/db/duckdb.ts';
import { ensureRawTables } from '../../core/models/index.ts';

/**
 * A few hand-written raw rows for tests about one rule: the raw tables are created empty, then only the rows
 * a test names are inserted (by column name, so columns added to the raw tables later keep their defaults).
 */
export type RawRow = Record<string, string | number | boolean | null>;

export async function insertRaw(db: Database, relation: string, rows: RawRow[]): Promise<void> {
  await ensureRawTables(db);
  for (const row of rows) {
    const columns = Object.keys(row);
    await db.run(
      `insert into ${relation} (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      columns.map((c) => (row[c] === null ? null : String(row[c]))),
    );
  }
}

/** `YYYY-MM-DD HH:MM:SS` (UTC) of an instant, the way raw timestamps are written. */
export function utcText(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export function shopifyCustomer(id: number, email: string, first: string, last: string): RawRow {
  return {
    id,
    email,
    first_name: first,
    last_name: last,
    created_at: '2025-01-01 10:00:00',
    updated_at: '2025-01-01 10:00:00',
    email_marketing_consent: 'subscribed',
    default_address_zip: '10115',
    default_address_city: 'Berlin',
    default_address_country: 'DE',
  };
}

export function shopifyOrder(
  id: number,
  customerId: number,
  createdAt: string,
  extra: Partial<RawRow> = {},
): RawRow {
  return {
    id,
    customer_id: customerId,
    created_at: createdAt,
    financial_status: 'paid',
    fulfillment_status: 'fulfilled',
    cancelled_at: null,
    total_price: '30.00',
    subtotal_price: '30.00',
    total_discounts: '0.00',
    currency: 'EUR',
    shipping_zip: '10115',
    shipping_country: 'DE',
    ...extra,
  };
}

export function shipment(
  orderId: number,
  carrier: string,
  trackingNumber: string,
  createdAt: string,
): RawRow {
  return {
    shipment_id: `SHP-${orderId}`,
    order_id: String(orderId),
    channel: 'shopify',
    carrier,
    tracking_number: trackingNumber,
    created_at: createdAt,
    shipped_at: createdAt,
    status: 'shipped',
  };
}

export function orderLine(orderId: number, lineId = orderId * 10): RawRow {
  return {
    order_id: orderId,
    id: lineId,
    product_id: null,
    sku: 'TEST-SKU',
    title: 'Testprodukt',
    brand: 'tetesept',
    category: 'Immun',
    quantity: 1,
    price: '30.00',
  };
}

export function amazonOrder(id: string, purchaseDate: string): RawRow {
  return {
    amazon_order_id: id,
    purchase_date: purchaseDate,
    order_status: 'Shipped',
    buyer_email: 'x1y2z3@marketplace.amazon.de',
    buyer_name: 'Karl Lang',
    ship_postal_code: '80331',
    ship_city: 'München',
    ship_country: 'DE',
    order_total: '20.00',
    currency: 'EUR',
    sales_channel: 'Amazon.de',
  };
}
