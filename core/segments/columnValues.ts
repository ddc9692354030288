import { quoteIdent, type Database } from '../db/duckdb.ts';
import { C360Error } from '../errors.ts';
import type { Catalogue, CatalogueColumn } from './catalogue.ts';
import { addDays } from './conditions.ts';

/**
 * What a column holds, for the rule builder's value pickers: the most common values with their counts for
 * categories (text, true/false, list elements), min / max / quantiles for numbers, and the range plus relative
 * presets for dates. One aggregate query over dim_customers; the answer is bounded whatever the table holds.
 */

export const MAX_VALUES = 50;
/**
 * A value is named only when at least this many customers share it (the rest is counted in `other`): a picker
 * needs the common values, and a value of one customer (an e-mail, a name) must not reach the browser.
 */
export const MIN_VALUE_COUNT = 5;
/** Identifying columns: their values are never listed, whatever their counts. */
const PERSONAL_COLUMNS = /^(customer_id|email|first_name|last_name|postal_code)$|_ids?$/;
export const QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9] as const;
/** Relative date presets ("in the last N days"), counted against the data's as-of day. */
export const DATE_PRESET_DAYS = [7, 30, 90, 180, 365] as const;

export interface ColumnValues {
  column: string;
  kind: CatalogueColumn['kind'];
  /** Customers in the table, and those whose value is null. */
  rows: number;
  nulls: number;
  /**
   * Categories: the MAX_VALUES most common values shared by MIN_VALUE_COUNT customers or more, most common first
   * (list columns: their elements); none for identifying columns (e-mail, names, ids).
   */
  values?: { value: string | number | boolean; count: number }[];
  /** Customers whose value is none of `values` (null left out). */
  other?: number;
  /** Numbers, dates and timestamps: the range; numbers also their quantiles. */
  min?: string | number;
  max?: string | number;
  quantiles?: { q: number; value: number }[];
  /** Dates: customers within the last N days of the as-of day. */
  presets?: { days: number; from: string; count: number }[];
}

function plain(value: unknown): string | number | boolean {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  return String(value);
}

async function topValues(
  db: Database,
  from: string,
  expression: string,
): Promise<{ values: NonNullable<ColumnValues['values']>; total: number }> {
  const rows = await db.queryJson(
    `select v, count(*) as n from (select ${expression} as v from ${from}) where v is not null
     group by v having count(*) >= ${MIN_VALUE_COUNT} order by n desc, v limit ${MAX_VALUES}`,
  );
  const [{ total }] = (await db.queryJson(
    `select count(*) as total from (select ${expression} as v from ${from}) where v is not null`,
  )) as [{ total: number }];
  const values = rows.map((row) => ({ value: plain(row.v), count: Number(row.n) }));
  return { values, total: Number(total) };
}

export async function columnValues(db: Database, catalogue: Catalogue, name: string): Promise<ColumnValues> {
  const column = catalogue.columns.get(name);
  if (!column)
    throw new C360Error(
      'NOT_FOUND',
      `'${name}' is not a column of ${catalogue.table}; \`c360 segments columns\` lists them.`,
    );
  const from = `main.${quoteIdent(catalogue.table)}`;
  const ident = quoteIdent(column.name);
  const [counts] = await db.queryJson(
    `select count(*) as rows, count(*) filter (where ${ident} is null) as nulls from ${from}`,
  );
  const base: ColumnValues = {
    column: column.name,
    kind: column.kind,
    rows: Number(counts?.rows ?? 0),
    nulls: Number(counts?.nulls ?? 0),
  };
  if (PERSONAL_COLUMNS.test(column.name)) return base;
  if (column.kind === 'string' || column.kind === 'boolean' || column.kind === 'list') {
    const expression = column.kind === 'list' ? `unnest(${ident})` : ident;
    const { values, total } = await topValues(db, from, expression);
    return { ...base, values, other: total - values.reduce((sum, v) => sum + v.count, 0) };
  }
  if (column.kind === 'number') {
    const [row] = await db.queryJson(
      `select min(${ident}) as lo, max(${ident}) as hi,
              quantile_cont(${ident}::double, [${QUANTILES.join(', ')}]) as qs from ${from}`,
    );
    const qs = Array.isArray(row?.qs) ? row.qs : [];
    return {
      ...base,
      ...(row?.lo !== null && row?.lo !== undefined ? { min: Number(row.lo), max: Number(row.hi) } : {}),
      quantiles: QUANTILES.flatMap((q, i) =>
        typeof qs[i] === 'number' ? [{ q, value: Math.round((qs[i] as number) * 100) / 100 }] : [],
      ),
    };
  }
  if (column.kind === 'date' || column.kind === 'timestamp') {
    const day = `cast(${ident} as date)`;
    const presets = DATE_PRESET_DAYS.map((days) => ({ days, from: addDays(catalogue.asOf, -days) }));
    const [row] = await db.queryJson(
      `select strftime(min(${day}), '%Y-%m-%d') as lo, strftime(max(${day}), '%Y-%m-%d') as hi,
              ${presets.map((p, i) => `count(*) filter (where ${day} >= date '${p.from}' and ${day} <= date '${catalogue.asOf}') as p${i}`).join(', ')}
       from ${from}`,
    );
    return {
      ...base,
      ...(row?.lo ? { min: String(row.lo), max: String(row.hi) } : {}),
      presets: presets.map((p, i) => ({ ...p, count: Number(row?.[`p${i}`] ?? 0) })),
    };
  }
  return base;
}
