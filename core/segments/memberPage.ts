import { quoteIdent, type Database } from '../db/duckdb.ts';
import type { LoadedSegment } from './definition.ts';
import {
  compileOnBase,
  identitySelect,
  queryCompiled,
  toCustomerRef,
  type CustomerRef,
} from './insightSql.ts';
import { BASE_TABLE } from './projection.ts';
import type { SegmentSet } from './segmentSet.ts';

/**
 * One page of a (possibly unsaved) segment's members for the editor's sample table, in customer id order (stable
 * while the rules stay the same), named as the 360 profile names them, with the columns the rules read.
 */

export const MAX_PAGE = 100;
/** Columns shown next to the identity: the first few the rules read. */
const MAX_RULE_COLUMNS = 6;

export interface MemberPage {
  total: number;
  offset: number;
  columns: string[];
  rows: (CustomerRef & { values: Record<string, string | number | boolean | null> })[];
}

function plain(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(String).join(', ');
  return String(value);
}

export async function memberPage(
  db: Database,
  set: SegmentSet,
  draft: LoadedSegment,
  page: { offset?: number; limit?: number } = {},
): Promise<MemberPage> {
  const offset = Math.max(0, Math.floor(page.offset ?? 0));
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(page.limit ?? 20)));
  const on = await compileOnBase(db, set, [draft]);
  const compiled = on.compiled[0]!;
  const columns = compiled.columns
    .filter((c) => c !== 'is_marketable' && !['customer_id', 'email', 'first_name', 'last_name'].includes(c))
    .slice(0, MAX_RULE_COLUMNS);
  const table = `main.${quoteIdent(set.catalogue.table)}`;
  // The page is picked on the base (one row per customer), then named from dim_customers; the total rides along.
  const sql = `with m as (select customer_id from temp.${BASE_TABLE} where ${compiled.memberSql}),
    p as (select customer_id, count(*) over () as total from m order by customer_id limit ${limit} offset ${offset})
    select p.customer_id, p.total, ${identitySelect(set.catalogue, 'c')}${columns.map((col, i) => `, c.${quoteIdent(col)} as v${i}`).join('')}
    from p join ${table} c on c.customer_id = p.customer_id order by p.customer_id`;
  const rows = await queryCompiled(db, on, sql);
  // A page past the end has no row to carry the total: count it then.
  let total = Number(rows[0]?.total ?? 0);
  if (!rows.length && offset > 0) {
    const [count] = await queryCompiled(
      db,
      on,
      `select count(*) as n from temp.${BASE_TABLE} where ${compiled.memberSql}`,
    );
    total = Number(count?.n ?? 0);
  }
  return {
    total,
    offset,
    columns,
    rows: rows.map((row) => ({
      ...toCustomerRef(row),
      values: Object.fromEntries(columns.map((c, i) => [c, plain(row[`v${i}`])])),
    })),
  };
}
