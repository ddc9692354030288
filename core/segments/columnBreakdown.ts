import { quoteIdent, type Database } from '../db/duckdb.ts';
import type { CatalogueColumn } from './catalogue.ts';
import { SegmentDefinitionError, type LoadedSegment } from './definition.ts';
import { compileOnBase, queryCompiled } from './insightSql.ts';
import { BASE_TABLE } from './projection.ts';
import type { SegmentSet } from './segmentSet.ts';

/**
 * The members of a (possibly unsaved) segment broken down by any column the user picks, shaped for a bar chart:
 * the top N values and the rest as `other` for text, true/false and lists (a list counts a member once per
 * element); equal-width bins for numbers, dates and timestamps (whole numbers and whole days stay whole).
 * Customers without a value are counted apart (`empty`). One DuckDB query per breakdown.
 */

export const MAX_TOP = 50;
export const MAX_BINS = 50;

export interface BreakdownBucket {
  /** The value (top N), or the bin's lower bound (numbers: number; dates: YYYY-MM-DD). */
  value: string | number | boolean;
  /** The bin's upper bound, inclusive (bins only). */
  to?: string | number;
  count: number;
}

export interface ColumnBreakdown {
  column: string;
  shape: 'top' | 'bins';
  kind: CatalogueColumn['kind'];
  /** Members of the segment (on the list). */
  members: number;
  buckets: BreakdownBucket[];
  /** Beyond the top N (top only). */
  other: number;
  /** Members without a value (an empty list for lists). */
  empty: number;
}

export interface BreakdownOptions {
  top?: number;
  bins?: number;
}

const clamp = (n: number | undefined, fallback: number, max: number) =>
  Math.max(1, Math.min(max, Math.floor(n ?? fallback)));

const DAY_MS = 86_400_000;
const isoDay = (epochDay: number) => new Date(epochDay * DAY_MS).toISOString().slice(0, 10);

function columnOf(set: SegmentSet, column: string): CatalogueColumn {
  const found = set.catalogue.columns.get(column);
  if (!found || found.kind === 'other')
    throw new SegmentDefinitionError([
      {
        path: 'breakdown',
        message: found
          ? `'${column}' (${found.type}) cannot be broken down; pick a text, number, date, true/false or list column`
          : `'${column}' is not a column of ${set.catalogue.table}`,
      },
    ]);
  return found;
}

function scalar(value: unknown): string | number | boolean {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return String(value);
}

export async function columnBreakdown(
  db: Database,
  set: SegmentSet,
  draft: LoadedSegment,
  column: string,
  options: BreakdownOptions = {},
): Promise<ColumnBreakdown> {
  const info = columnOf(set, column);
  const on = await compileOnBase(db, set, [draft], [column]);
  const members = `select ${quoteIdent(column)} as v from temp.${BASE_TABLE} where ${on.compiled[0]!.memberSql}`;
  const binned = info.kind === 'number' || info.kind === 'date' || info.kind === 'timestamp';
  return binned
    ? bins(db, on, info, members, clamp(options.bins, 10, MAX_BINS))
    : top(db, on, info, members, clamp(options.top, 10, MAX_TOP));
}

/** Top N: ranked values, then one row for the rest (rank −1) and one for the empty (rank −2). */
async function top(
  db: Database,
  on: Awaited<ReturnType<typeof compileOnBase>>,
  info: CatalogueColumn,
  members: string,
  n: number,
): Promise<ColumnBreakdown> {
  const list = info.kind === 'list';
  const sql = `with m as (${members}),
    e as (${list ? 'select unnest(v) as v from m' : 'select v from m'}),
    g as (select v, count(*) as n from e where v is not null group by v),
    r as (select v, n, row_number() over (order by n desc, v::VARCHAR) as rn from g)
    select v, n, rn from r where rn <= ${n}
    union all select null, (select coalesce(sum(n), 0) from r where rn > ${n}), -1
    union all select null, (select count(*) from m where ${list ? 'coalesce(len(v), 0) = 0' : 'v is null'}), -2
    union all select null, (select count(*) from m), -3
    order by rn`;
  const rows = await queryCompiled(db, on, sql);
  const special = (rank: number) => Number(rows.find((r) => Number(r.rn) === rank)?.n ?? 0);
  return {
    column: info.name,
    shape: 'top',
    kind: info.kind,
    members: special(-3),
    buckets: rows.filter((r) => Number(r.rn) > 0).map((r) => ({ value: scalar(r.v), count: Number(r.n) })),
    other: special(-1),
    empty: special(-2),
  };
}

/**
 * Equal-width bins between the members' smallest and largest value. Dates are binned as day numbers; whole
 * numbers get whole-number widths, so a bin [3, 4] never splits a value.
 */
async function bins(
  db: Database,
  on: Awaited<ReturnType<typeof compileOnBase>>,
  info: CatalogueColumn,
  members: string,
  count: number,
): Promise<ColumnBreakdown> {
  const dated = info.kind !== 'number';
  const whole = dated || /INT/i.test(info.type);
  const value = dated ? `date_diff('day', DATE '1970-01-01', v::DATE)` : 'v::DOUBLE';
  // width: whole values span hi − lo + 1 values; a single value is one bin of width 1.
  const width = whole
    ? `greatest(1, ceil((s.hi - s.lo + 1) / ${count}))`
    : `case when s.hi = s.lo then 1 else (s.hi - s.lo) / ${count} end`;
  const sql = `with m as (select ${value} as x from (${members})),
    s as (select min(x)::DOUBLE as lo, max(x)::DOUBLE as hi, count(*) as total, count(*) - count(x) as empty from m),
    w as (select lo, hi, total, empty, ${width} as width from s)
    select least(floor((x - w.lo) / w.width), ${count - 1})::INTEGER as bin, count(*) as n,
           any_value(w.lo) as lo, any_value(w.width) as width, any_value(w.hi) as hi,
           any_value(w.total) as total, any_value(w.empty) as empty
    from w left join m on m.x is not null
    group by all order by bin nulls last`;
  const rows = await queryCompiled(db, on, sql);
  const total = Number(rows[0]?.total ?? 0);
  const empty = Number(rows[0]?.empty ?? 0);
  const buckets: BreakdownBucket[] = [];
  for (const row of rows) {
    if (row.bin === null) continue;
    const bin = Number(row.bin);
    const lo = Number(row.lo);
    const width = Number(row.width);
    const hi = Number(row.hi);
    const from = lo + bin * width;
    const to = bin === count - 1 ? hi : Math.min(hi, whole ? from + width - 1 : from + width);
    buckets.push(
      dated
        ? { value: isoDay(from), to: isoDay(to), count: Number(row.n) }
        : { value: from, to, count: Number(row.n) },
    );
  }
  return { column: info.name, shape: 'bins', kind: info.kind, members: total, buckets, other: 0, empty };
}
