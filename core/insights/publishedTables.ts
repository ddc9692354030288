import type { Database } from '../db/duckdb.ts';
import { MissingTableError } from '../segments/catalogue.ts';

/**
 * The tables a page reads, all kept by every build (README "What the workspace file keeps"). Checked up front so
 * a workspace that was never built (or built by a version that kept fewer tables) gets a message that says what
 * to do instead of DuckDB's "Table with name … does not exist".
 */
export const OVERVIEW_TABLES = ['dim_customers', 'int_orders__attributed'] as const;
export const SEARCH_TABLES = ['dim_customers'] as const;
export const PROFILE_TABLES = [
  'dim_customers',
  'int_customer__identity_resolved',
  'int_orders__attributed',
  'int_order_lines__enriched',
  'stg_products',
  'stg_shipments',
  'stg_shipment_events',
  'stg_klaviyo__events',
  'stg_zendesk__tickets',
] as const;

export async function requirePublishedTables(
  db: Database,
  tables: readonly string[],
  page: string,
): Promise<void> {
  const rows = await db.queryJson(
    `select table_name from information_schema.tables
     where table_catalog = current_database() and table_schema = 'main' and list_contains($1::varchar[], table_name)`,
    [`[${tables.join(',')}]`],
  );
  const present = new Set(rows.map((r) => String(r.table_name)));
  const missing = tables.filter((t) => !present.has(t));
  if (missing.length)
    throw new MissingTableError(
      `The workspace has no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''} yet, which the ${page} ` +
        'reads. Build the models first (`c360 build`), then open it again.',
    );
}
