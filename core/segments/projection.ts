import { createHash } from 'node:crypto';
import { quoteIdent, quoteText, type Database } from '../db/duckdb.ts';
import { uninterruptible } from '../db/interrupt.ts';
import type { Catalogue, CatalogueColumn } from './catalogue.ts';
import { holdoutBucketExpression, SqlParams, type CompileContext } from './compiler.ts';
import { definitionHash, segmentRefs, type Rule } from './definition.ts';
import { healthUse } from './sensitivity.ts';
import { compileInSet, type SegmentSet } from './segmentSet.ts';
import { workingTablesOf, type WorkingTables } from './workingTables.ts';

/**
 * The preview engine's working tables, kept in memory (DuckDB TEMP tables of the engine's connection, never
 * written to the workspace file; what the engine knows about them is its WorkingTables object):
 *
 * - the base: one row per customer with only the columns segments use, low-cardinality text as ENUM and
 *   wide integers narrowed, the stable holdout bucket, and a bitmask of the saved segments each customer is
 *   an eligible member of. Rebuilt after a build (new run id or table) or when the saved segments change.
 * - cubes: the base grouped by the columns one preview reads (its rules, the breakdowns, the masks) with a
 *   row count `n`. Editing thresholds keeps the columns, so 200 edits reuse one cube of typically 10–100k
 *   rows instead of scanning a million customers. Not used when grouping would not shrink the data.
 */

export const BASE_TABLE = 'c360_segment_base';
const CUBE_TABLE = 'c360_segment_cube';
const MASK_BITS = 62;
/** A cube is worth it when it has at most this share of the base's rows. */
export const MAX_CUBE_RATIO = 0.5;
const MAX_ENUM_VALUES = 250;

export interface SegmentBit {
  name: string;
  /** Mask column and bit of the segment. */
  column: string;
  bit: bigint;
  /** Eligible members (rules, consent, exclusions, priority; holdout not applied). */
  size: number;
}

export interface BaseProjection {
  key: string;
  rows: number;
  /** Customers with is_marketable true: segments that require it never need to read the others. */
  marketableRows: number;
  columns: ReadonlySet<string>;
  maskColumns: string[];
  segments: ReadonlyMap<string, SegmentBit>;
  /** Saved segments with a holdout (their eligible bit is not their list). */
  holdouts: ReadonlySet<string>;
  /**
   * List members (holdout applied) of the segments with a holdout that "in segment" rules read: a bit of their
   * own, so that the cube, which groups by the masks, holds them. Not overlaps: `segments` are.
   */
  listed: ReadonlyMap<string, SegmentBit>;
  /** Text columns stored as ENUM, for the compiler to cast values to. */
  enumTypes: ReadonlyMap<string, { type: string; values: ReadonlySet<string> }>;
  /** The default breakdown columns coded together as `dims_code`, with the dictionary. */
  breakdowns: string[];
  dims: Map<number, unknown[]>;
}

export interface Cube {
  key: string;
  table: string;
  rows: number;
  /** Whether the cube has a held-out count `n_held` next to `n`. */
  holdout: boolean;
  /** The breakdown columns, coded together as `dims_code` (dense) with its dictionary. */
  breakdowns: string[];
  dims: Map<number, unknown[]>;
}

/**
 * Drops the working tables of `working` (the engine's, on `db`'s connection) and forgets them: a table replaced
 * by hand in place, or an engine that worked on a build's table. Builds invalidate by run id and table object.
 */
export async function invalidateProjection(db: Database, working: WorkingTables): Promise<void> {
  const cube = working.cube;
  working.forget();
  await db.run(`drop table if exists temp.${BASE_TABLE}`);
  if (cube) await db.run(`drop table if exists temp.${cube.table}`);
}

export function bitTest(segment: SegmentBit): string {
  return `((${quoteIdent(segment.column)} & ${segment.bit}) <> 0)`;
}

/**
 * How compiled rules read other saved segments on the base: their membership bits. `list` (an "in segment"
 * rule) is the list bit of a segment with a holdout, else the eligible bit (no holdout: the same customers).
 */
export function segmentBitRef(base: BaseProjection): CompileContext['segmentRef'] {
  return (name, scope) => {
    const listed = scope === 'list' ? base.listed.get(name) : undefined;
    if (listed) return bitTest(listed);
    const bit = base.segments.get(name);
    // A list reference to a held-out segment without a list bit cannot be read from the masks: undefined
    // lets compileInSet paste the segment's SQL in (correct on the base; ensureBase adds the bit first).
    if (!bit || (scope === 'list' && base.holdouts.has(name))) return undefined;
    return bitTest(bit);
  };
}

/** Saved segments with a holdout that "in segment" rules of `rules` read (they need a list bit). */
export function listedSegments(set: SegmentSet, rules: readonly Rule[]): string[] {
  return [
    ...new Set(
      rules.flatMap((rule) =>
        segmentRefs(rule)
          .map((r) => r.rule.segment)
          .filter((name) => (set.saved.get(name)?.definition.holdout_percent ?? 0) > 0),
      ),
    ),
  ].sort();
}

interface ProjectedTypes {
  types: Map<string, string>;
  enums: Map<string, { type: string; values: ReadonlySet<string> }>;
}

/** How a column is stored in the base: text with few values as ENUM, HUGEINT as BIGINT, others as they are. */
async function projectedTypes(
  db: Database,
  table: string,
  columns: CatalogueColumn[],
): Promise<ProjectedTypes> {
  const types = new Map<string, string>();
  const enums = new Map<string, { type: string; values: ReadonlySet<string> }>();
  const texts = columns.filter((c) => c.kind === 'string' && !c.type.toUpperCase().startsWith('ENUM'));
  if (texts.length) {
    const [approx] = await db.queryJs(
      `select ${texts.map((c, i) => `approx_count_distinct(${quoteIdent(c.name)}) as a${i}`).join(', ')} from main.${quoteIdent(table)}`,
    );
    const few = texts.filter((_, i) => Number(approx?.[`a${i}`] ?? Infinity) <= MAX_ENUM_VALUES);
    if (few.length) {
      const [values] = await db.queryJs(
        `select ${few.map((c, i) => `list(distinct ${quoteIdent(c.name)}) filter (where ${quoteIdent(c.name)} is not null) as v${i}`).join(', ')} from main.${quoteIdent(table)}`,
      );
      few.forEach((c, i) => {
        const list = (values?.[`v${i}`] as string[] | null) ?? [];
        if (list.length > 0 && list.length <= MAX_ENUM_VALUES * 2) {
          const type = `ENUM(${[...list].sort().map(quoteText).join(', ')})`;
          types.set(c.name, type);
          enums.set(c.name, { type, values: new Set(list) });
        }
      });
    }
  }
  for (const c of columns) if (/^U?HUGEINT$/i.test(c.type)) types.set(c.name, 'BIGINT');
  return { types, enums };
}

/** Columns every base holds: what the default breakdowns and the marketability step read. */
export const ALWAYS_PROJECTED = ['customer_id', 'is_marketable'];
/** Breakdowns of every preview unless asked otherwise. */
export const DEFAULT_BREAKDOWNS = [
  'lifecycle_stage',
  'customer_value_tier',
  'channels_count',
  'winback_stage',
];

function savedHash(set: SegmentSet, working: WorkingTables): string {
  if (working.savedHash?.set === set) return working.savedHash.hash;
  const hash = createHash('sha256');
  for (const [name, loaded] of [...set.saved.entries()].sort(([a], [b]) => a.localeCompare(b)))
    // Consent columns come from the model docs' health tags too: editing the tags recomputes the members.
    hash.update(
      `${name}:${definitionHash(loaded.definition)}:${healthUse(loaded.definition, set.catalogue, set.expertSql).consentColumns.join(',')};`,
    );
  const digest = hash.digest('hex').slice(0, 16);
  working.savedHash = { set, hash: digest };
  return digest;
}

/** What identifies the content of dim_customers: the latest published build and the table's object id. */
export async function dataKey(db: Database, table: string): Promise<string> {
  const [row] = await db.queryJson(
    `select (select table_oid from duckdb_tables() where schema_name = 'main' and table_name = $1) as oid`,
    [table],
  );
  return String(row?.oid ?? 'none');
}

/**
 * Returns a base that holds at least `needed` columns, (re)building it when the data, the saved segments or
 * the needed columns changed.
 */
export async function ensureBase(
  db: Database,
  set: SegmentSet,
  needed: Iterable<string>,
  /** Rules of unsaved edits: the held-out segments their "in segment" rules read get a list bit. */
  drafts: readonly Rule[] = [],
): Promise<BaseProjection> {
  const cache = workingTablesOf(db, set);
  const catalogue: Catalogue = set.catalogue;
  const wantedLists = listedSegments(set, [
    ...[...set.saved.values()].map((s) => s.definition.rules),
    ...drafts,
  ]);
  if (cache.base && wantedLists.some((name) => !cache.base!.listed.has(name)))
    for (const name of cache.base.listed.keys()) if (!wantedLists.includes(name)) wantedLists.push(name);
  const prefix = `${catalogue.buildRunId ?? ''}|${set.dataKey ?? (await dataKey(db, catalogue.table))}|${savedHash(set, cache)}|${wantedLists.join(',')}`;
  const breakdowns = DEFAULT_BREAKDOWNS.filter((c) => catalogue.columns.has(c));
  const wanted = new Set(
    [...ALWAYS_PROJECTED, ...breakdowns, ...needed].filter((c) => catalogue.columns.has(c)),
  );
  if (
    cache.base &&
    cache.base.key.startsWith(`${prefix}|`) &&
    [...wanted].every((c) => cache.base!.columns.has(c))
  )
    return cache.base;
  // A base with more list bits than asked for serves too (a draft dropped its "in segment" rule).
  if (
    cache.base &&
    cache.base.key.startsWith(`${prefix.slice(0, prefix.lastIndexOf('|'))}|`) &&
    wantedLists.every((name) => cache.base!.listed.has(name)) &&
    [...wanted].every((c) => cache.base!.columns.has(c))
  )
    return cache.base;

  // Compile the saved segments inline over dim_customers; their columns join the base. The masks are computed
  // in the select that makes holdout_bucket, so a held-out segment an "in segment" rule reads hashes again.
  const params = new SqlParams();
  const bucket = holdoutBucketExpression(quoteIdent('customer_id'));
  const compiled = [...set.saved.values()].map((loaded) =>
    compileInSet(set, loaded, { params, holdoutBucketSql: bucket }),
  );
  for (const c of compiled) for (const column of c.columns) wanted.add(column);
  if (cache.base && cache.base.key.startsWith(`${prefix}|`))
    for (const c of cache.base.columns) wanted.add(c);

  const columns = [...wanted].sort().map((name) => catalogue.columns.get(name)!);
  const { types, enums } = await projectedTypes(db, catalogue.table, columns);
  const select = columns.map((c) => {
    const type = types.get(c.name);
    return type ? `cast(${quoteIdent(c.name)} as ${type}) as ${quoteIdent(c.name)}` : quoteIdent(c.name);
  });
  const segments = new Map<string, SegmentBit>();
  const maskColumns: string[] = [];
  compiled.forEach((c, i) => {
    const column = `seg_mask_${Math.floor(i / MASK_BITS)}`;
    if (!maskColumns.includes(column)) maskColumns.push(column);
    segments.set(c.name, { name: c.name, column, bit: 1n << BigInt(i % MASK_BITS), size: 0 });
  });
  // List bits follow the segment bits in the same run of mask columns.
  const listed = new Map<string, SegmentBit>();
  const listSql = new Map<string, string>();
  for (const name of wantedLists) {
    const c = compiled.find((x) => x.name === name);
    const holdout = c?.steps.find((s) => s.kind === 'holdout');
    if (!c || !holdout) continue;
    const i = compiled.length + listed.size;
    const column = `seg_mask_${Math.floor(i / MASK_BITS)}`;
    if (!maskColumns.includes(column)) maskColumns.push(column);
    listed.set(name, { name, column, bit: 1n << BigInt(i % MASK_BITS), size: 0 });
    // The holdout step is integers over the bucket expression (holdoutParameters): no bound values to add.
    listSql.set(name, `(${c.eligibleSql}) and ${holdout.sql}`);
  }
  const masks = maskColumns.map((mask) => {
    const terms = [
      ...compiled
        .filter((c) => segments.get(c.name)!.column === mask)
        .map((c) => `(case when (${c.eligibleSql}) is true then ${segments.get(c.name)!.bit} else 0 end)`),
      ...[...listed.values()]
        .filter((l) => l.column === mask)
        .map((l) => `(case when (${listSql.get(l.name)!}) is true then ${l.bit} else 0 end)`),
    ];
    return `cast(${terms.join(' + ')} as BIGINT) as ${mask}`;
  });
  // The default breakdowns coded together (dims_code), so that previews group by one small integer.
  const dimsList = breakdowns.map(quoteIdent);
  const dimsJoin = breakdowns.map((b) => `d.${quoteIdent(b)} is not distinct from dims.${quoteIdent(b)}`);
  // Forget the old base before replacing it: an interrupted rebuild must not leave its description behind.
  cache.base = undefined;
  await db.run(
    `create or replace temp table ${BASE_TABLE} as
     with dims as (
       select *, (row_number() over (order by ${dimsList.join(', ') || '1'}) - 1)::INTEGER as dims_code
       from (select distinct ${dimsList.join(', ') || '1 as none'} from main.${quoteIdent(catalogue.table)})),
     src as (
       select d.*, dims.dims_code
       from main.${quoteIdent(catalogue.table)} d join dims on ${dimsJoin.join(' and ') || 'true'})
     select ${[...select, `${holdoutBucketExpression(quoteIdent('customer_id'))} as holdout_bucket`, ...masks, 'dims_code'].join(',\n ')}
     from src
     order by is_marketable desc`,
    params.values,
  );
  const dims = new Map<number, unknown[]>();
  for (const entry of await db.queryJs(
    `select distinct dims_code${dimsList.map((d, i) => `, ${d} as b${i}`).join('')} from temp.${BASE_TABLE}`,
  ))
    dims.set(
      Number(entry.dims_code),
      breakdowns.map((_, i) => entry[`b${i}`]),
    );
  const sizes = await db.queryJs(
    `select count(*) as n, count(*) filter (where is_marketable) as marketable${[...segments.values()].map((s, i) => `, count(*) filter (where ${bitTest(s)}) as s${i}`).join('')}
     from temp.${BASE_TABLE}`,
  );
  [...segments.values()].forEach((s, i) => (s.size = Number(sizes[0]?.[`s${i}`] ?? 0)));
  if (cache.cube) await db.run(`drop table if exists temp.${cache.cube.table}`);
  cache.cube = undefined;
  cache.uncubeable.clear();
  cache.base = {
    key: `${prefix}|${columns.map((c) => c.name).join(',')}`,
    rows: Number(sizes[0]?.n ?? 0),
    marketableRows: Number(sizes[0]?.marketable ?? 0),
    columns: new Set(columns.map((c) => c.name)),
    maskColumns,
    segments,
    holdouts: new Set(compiled.filter((c) => c.steps.some((s) => s.kind === 'holdout')).map((c) => c.name)),
    listed,
    enumTypes: enums,
    breakdowns,
    dims,
  };
  return cache.base;
}

export interface CubeRequest {
  /** Columns the preview's steps and breakdowns read. */
  columns: string[];
  /** Holdout of the previewed segment: each group also counts its held-out customers (n_held). */
  holdout?: { offset: number; threshold: number };
  /** Only marketable customers (segments that require is_marketable). */
  marketableOnly: boolean;
  /** Scalar breakdown columns, coded together as dims_code. */
  breakdowns: string[];
  /** Largest share of the base's rows a useful cube may have (default MAX_CUBE_RATIO). */
  maxRatio?: number;
}

/**
 * Returns a cube for these columns, building it when needed; undefined when grouping would not shrink the base
 * enough (then the preview reads the base).
 */
export async function ensureCube(
  db: Database,
  cache: WorkingTables,
  base: BaseProjection,
  request: CubeRequest,
): Promise<Cube | undefined> {
  const columns = [...new Set([...request.columns, ...request.breakdowns])]
    .filter((c) => base.columns.has(c))
    .sort();
  if (columns.includes('customer_id') || !request.breakdowns.every((b) => base.columns.has(b)))
    return undefined;
  const holdout = request.holdout ? `${request.holdout.offset}/${request.holdout.threshold}` : '-';
  const key = `${base.key}#${columns.join(',')}#${request.breakdowns.join(',')}#${holdout}#${request.marketableOnly}#${request.maxRatio ?? ''}`;
  if (cache.cube?.key === key) return cache.cube;
  if (cache.uncubeable.has(key)) return undefined;
  const keys = [...columns.map(quoteIdent), ...base.maskColumns];
  if (!keys.length) return undefined;
  // Offset and threshold are integers computed by the compiler (holdoutParameters), not text from a file.
  const holdoutColumn = request.holdout
    ? `, count(*) filter (where (holdout_bucket + ${request.holdout.offset}) % 10000 < ${request.holdout.threshold})::INTEGER as n_held`
    : '';
  const table = `${CUBE_TABLE}_${++cache.counter}`;
  if (cache.cube) await db.run(`drop table if exists temp.${cache.cube.table}`);
  cache.cube = undefined;
  const dims = request.breakdowns.map(quoteIdent);
  await db.run(
    `create temp table ${table} as
     with grouped as (
       select ${keys.join(', ')}, count(*)::INTEGER as n${holdoutColumn}
       from temp.${BASE_TABLE}${request.marketableOnly ? ' where is_marketable' : ''}
       group by ${keys.join(', ')})
     select *, ${dims.length ? `(dense_rank() over (order by ${dims.join(', ')}) - 1)` : '0'}::INTEGER as dims_code
     from grouped`,
  );
  // A cube left half-described by an interrupt is dropped, not leaked.
  let rows: number;
  let dictionary: Map<number, unknown[]>;
  try {
    const [row] = await db.queryJs(`select count(*) as n from temp.${table}`);
    rows = Number(row?.n ?? 0);
    if (
      rows >
      (request.marketableOnly ? base.marketableRows : base.rows) * (request.maxRatio ?? MAX_CUBE_RATIO)
    ) {
      await db.run(`drop table temp.${table}`);
      cache.uncubeable.add(key);
      return undefined;
    }
    dictionary = new Map<number, unknown[]>();
    for (const entry of await db.queryJs(
      `select distinct dims_code${dims.map((d, i) => `, ${d} as b${i}`).join('')} from temp.${table}`,
    ))
      dictionary.set(
        Number(entry.dims_code),
        request.breakdowns.map((_, i) => entry[`b${i}`]),
      );
  } catch (error) {
    await uninterruptible(db).run(`drop table if exists temp.${table}`);
    throw error;
  }
  cache.cube = {
    key,
    table,
    rows,
    holdout: request.holdout !== undefined,
    breakdowns: [...request.breakdowns],
    dims: dictionary,
  };
  return cache.cube;
}
