import type { DuckDBValue } from '@duckdb/node-api';
import { quoteIdent, type Database } from '../db/duckdb.ts';
import { readOnlyWhen } from './expertSql.ts';
import { applyRow, cloneFold, emptyFold, toNumber, type FoldShape, type FoldState } from './fold.ts';
import {
  SqlParams,
  holdoutParameters,
  type CompiledSegment,
  type FunnelStep,
  type StepKind,
} from './compiler.ts';
import { definitionHash, type LoadedSegment } from './definition.ts';
import {
  BASE_TABLE,
  DEFAULT_BREAKDOWNS,
  ensureBase,
  ensureCube,
  segmentBitRef,
  type BaseProjection,
} from './projection.ts';

export { DEFAULT_BREAKDOWNS };
import { compileInSet, type SegmentSet } from './segmentSet.ts';
import { workingTablesOf } from './workingTables.ts';

/**
 * The preview of one segment (saved or an unsaved edit), computed in one pass: a single grouped query over the
 * cube (or the base) yields the count, the funnel, the breakdowns and the overlaps, folded together here.
 *
 *   stop = index of the first funnel step a customer fails (= number of steps for members)
 *   group by stop, breakdown values (members only), segment masks (eligible only)
 */

export const MAX_BREAKDOWN_VALUES = 50;

export interface PreviewOptions {
  /** Columns to break the members down by (default: lifecycle stage, value tier, channels, winback stage). */
  breakdowns?: string[];
  /** Set to false to read the base even when a cube would do (the bench compares both). */
  useCube?: boolean;
  /** Largest share of the base's rows a cube may have to be used (default projection.ts MAX_CUBE_RATIO). */
  maxCubeRatio?: number;
  /** Set to false to always compute in full, not as a delta of the previous edit (the bench compares both). */
  delta?: boolean;
  /** Also run the queries each step needs inside a read-only transaction (always when expert rules are used). */
  readOnly?: boolean;
}

export interface FunnelRow {
  kind: StepKind | 'all';
  label: string;
  path?: string;
  /** The column of a consent step. */
  column?: string;
  /** Customers left after this step. */
  remaining: number;
  /** Customers this step removed. */
  removed: number;
}

export interface BreakdownValue {
  value: string | number | boolean | null;
  count: number;
  share: number;
}

export interface Breakdown {
  column: string;
  values: BreakdownValue[];
  /** Members whose values fell beyond the first MAX_BREAKDOWN_VALUES. */
  other: number;
}

export interface Overlap {
  segment: string;
  /** Eligible members of the other segment. */
  size: number;
  /** Customers eligible for both (before holdouts). */
  overlap: number;
  jaccard: number;
}

export interface PreviewFigures {
  segment: string;
  definitionHash: string;
  asOf: string;
  /** Customers in dim_customers. */
  base: number;
  /** Members: who would be on the Klaviyo list. */
  count: number;
  /** Before the holdout. */
  eligible: number;
  holdout: number;
  share: number;
  funnel: FunnelRow[];
  breakdowns: Breakdown[];
  overlaps: Overlap[];
  /** How the figures were computed: from the cube or the base, in full or as a delta of the previous edit. */
  engine: { source: 'cube' | 'base'; mode: 'full' | 'delta'; rows: number; ms: number };
}

export interface PreparedPreview {
  compiled: CompiledSegment;
  params: SqlParams;
  base: BaseProjection;
  /** Compiles the same definition with placeholders after `start` (for a delta query with two versions). */
  recompile: (start: number) => { compiled: CompiledSegment; params: SqlParams };
  /** Table the figures are read from, and what identifies its content. */
  source: string;
  sourceKey: string;
  sourceKind: 'cube' | 'base';
  sourceRows: number;
  /** Weight of a source row (`n` on a cube, 1 on the base) and its held-out part (cube with a holdout). */
  weight: string;
  heldWeight?: string;
  /** Only marketable customers are read; the others fail the first step and are counted from the base. */
  marketableOnly: boolean;
  /** The breakdown values of each dims_code, when the source codes the requested breakdowns together. */
  dims?: Map<number, unknown[]>;
}

export function hasExpertRules(compiled: CompiledSegment): boolean {
  const walk = (node: CompiledSegment['rules']): boolean => node.kind === 'sql' || node.children.some(walk);
  return walk(compiled.rules);
}

/** Compiles the segment against the working tables and picks the cube or the base to read. */
export async function preparePreview(
  db: Database,
  set: SegmentSet,
  target: LoadedSegment,
  options: PreviewOptions = {},
): Promise<PreparedPreview> {
  const breakdowns = options.breakdowns ?? DEFAULT_BREAKDOWNS;
  const draft = compileInSet(set, target, { params: new SqlParams(), holdoutBucketSql: 'holdout_bucket' });
  const base = await ensureBase(db, set, [...draft.columns, ...breakdowns], [target.definition.rules]);
  const marketableOnly = draft.steps[0]?.kind === 'marketable';
  const listBreakdowns = breakdowns.filter((b) => set.catalogue.columns.get(b)?.kind === 'list');
  const hasHoldout = target.definition.holdout_percent > 0;
  // List breakdowns need one row per customer, so they read the base.
  const cube =
    options.useCube === false || listBreakdowns.length
      ? undefined
      : await ensureCube(db, workingTablesOf(db, set), base, {
          columns: draft.columns,
          breakdowns,
          marketableOnly,
          ...(options.maxCubeRatio !== undefined ? { maxRatio: options.maxCubeRatio } : {}),
          ...(hasHoldout ? { holdout: holdoutParameters(target.definition) } : {}),
        });
  const recompile = (start: number) => {
    const params = new SqlParams(start);
    const compiled = compileInSet(set, target, {
      params,
      holdoutBucketSql: 'holdout_bucket',
      segmentRef: segmentBitRef(base),
      enumTypes: base.enumTypes,
    });
    return { compiled, params };
  };
  const { compiled, params } = recompile(0);
  // The base codes the default breakdowns as dims_code too.
  const baseDims =
    breakdowns.length === base.breakdowns.length && breakdowns.every((b, i) => base.breakdowns[i] === b)
      ? base.dims
      : undefined;
  const dims = cube ? cube.dims : baseDims;
  return {
    compiled,
    params,
    base,
    recompile,
    source: cube ? `temp.${cube.table}` : `temp.${BASE_TABLE}`,
    sourceKey: cube ? cube.key : base.key,
    sourceKind: cube ? 'cube' : 'base',
    sourceRows: cube ? cube.rows : base.rows,
    weight: cube ? 'n' : '1',
    ...(cube?.holdout ? { heldWeight: 'n_held' } : {}),
    ...(dims ? { dims } : {}),
    marketableOnly,
  };
}

export function stopExpression(steps: readonly FunnelStep[]): string {
  if (!steps.length) return '0';
  return `case ${steps.map((s, i) => `when not ${s.sql} then ${i}`).join(' ')} else ${steps.length} end`;
}

function normaliseValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** How many preview shapes keep their last figures for deltas (WorkingTables.folds). */
const MAX_LAST_FOLDS = 4;

function sameValues(a: readonly DuckDBValue[], b: readonly DuckDBValue[], range: [number, number]): boolean {
  for (let i = range[0]; i < range[1]; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Count, funnel, breakdowns and overlaps of a prepared preview. */
export async function computeFigures(
  db: Database,
  set: SegmentSet,
  prepared: PreparedPreview,
  options: PreviewOptions = {},
): Promise<PreviewFigures> {
  const started = performance.now();
  const { compiled, base } = prepared;
  const breakdowns = options.breakdowns ?? DEFAULT_BREAKDOWNS;
  const scalarBreakdowns = breakdowns.filter((b) => set.catalogue.columns.get(b)?.kind !== 'list');
  const listBreakdowns = breakdowns.filter((b) => set.catalogue.columns.get(b)?.kind === 'list');
  // On a cube with a holdout, the holdout is a count per group (n_held), not a step of the stop expression.
  const withoutHoldout = (steps: FunnelStep[]) =>
    prepared.heldWeight ? steps.filter((s) => s.kind !== 'holdout') : steps;
  const steps = withoutHoldout(compiled.steps);
  const k = steps.length;
  const holdoutIndex = steps.findIndex((s) => s.kind === 'holdout');
  const others = [...base.segments.values()].filter((s) => s.name !== compiled.name);
  const masks = base.maskColumns.filter((m) => others.some((o) => o.column === m));
  const shape: FoldShape = {
    k,
    eligibleStop: holdoutIndex >= 0 ? holdoutIndex : k,
    breakdownCount: scalarBreakdowns.length,
    ...(prepared.dims ? { dims: prepared.dims } : {}),
    others,
    maskColumn: others.map((o) => `m${masks.indexOf(o.column)}`),
  };
  // On a cube (and on the base for the default breakdowns) the breakdown values are coded together as dims_code.
  const dimColumns = prepared.dims ? ['dims_code'] : scalarBreakdowns.map(quoteIdent);
  const columns = {
    breakdown: (i: number) => `b${i}`,
    mask: (name: string) => shape.maskColumn[others.findIndex((o) => o.name === name)]!,
  };
  const held = prepared.heldWeight ?? '0';
  const where = prepared.marketableOnly ? 'is_marketable' : 'true';
  const readOnly = options.readOnly === true || hasExpertRules(compiled);
  const key = [
    prepared.sourceKey,
    scalarBreakdowns.join(','),
    masks.join(','),
    ...steps.map((s) => s.sql),
  ].join('\n');
  const working = workingTablesOf(db, set);
  const folds = working.folds;
  // Deltas pay off on the base (a million rows, few of which flip when a threshold moves a little); a cube is
  // small enough that a full pass is as fast and never worse when a threshold jumps far.
  const useDelta = options.delta ?? prepared.sourceKind === 'base';
  const last = useDelta ? folds.find((f) => f.key === key) : undefined;
  let state: FoldState;
  let mode: 'full' | 'delta' = 'full';

  if (last) {
    // Same statement, other values: only customers whose outcome of a changed step flips can move.
    mode = 'delta';
    const changed = steps
      .map((step, i) => ({ step, i }))
      .filter(({ step }) => step.params && !sameValues(last.values, prepared.params.values, step.params));
    state = cloneFold(last.state);
    if (changed.length) {
      const next = prepared.recompile(last.values.length);
      const nextSteps = withoutHoldout(next.compiled.steps);
      const flips = changed.map(({ i }) => `${last.steps[i]!.sql} <> ${nextSteps[i]!.sql}`).join(' or ');
      const query = `with t as (
          select ${stopExpression(last.steps)} as s0, ${stopExpression(nextSteps)} as s1${dimColumns.map((d, i) => `, ${d} as b${i}`).join('')}${masks.map((m, i) => `, ${m} as m${i}`).join('')}, ${prepared.weight} as w, ${held} as h
          from ${prepared.source} where ${where} and (${flips}))
        select s0, s1${dimColumns.map((_, i) => `, b${i}`).join('')}${masks.map((_, i) => `, m${i}`).join('')}, sum(w)::BIGINT as n, sum(h)::BIGINT as h
        from t where s0 <> s1 group by all`;
      const rows = await readOnlyWhen(db, readOnly, () =>
        db.queryJs(query, [...last.values, ...next.params.values]),
      );
      for (const row of rows) {
        applyRow(state, shape, row, toNumber(row.s0), -1, columns);
        applyRow(state, shape, row, toNumber(row.s1), 1, columns);
      }
    }
  } else {
    const query = `with t as (
        select ${stopExpression(steps)} as stop${dimColumns.map((d) => `, ${d}`).join('')}${masks.map((m) => `, ${m}`).join('')}, ${prepared.weight} as w, ${held} as h
        from ${prepared.source} where ${where})
      select stop${dimColumns.map((d, i) => `, case when stop = ${k} then ${d} end as b${i}`).join('')}${masks.map((m, i) => `, case when stop >= ${shape.eligibleStop} then ${m} end as m${i}`).join('')}, sum(w)::BIGINT as n, sum(h)::BIGINT as h
      from t group by all`;
    const rows = await readOnlyWhen(db, readOnly, () => db.queryJs(query, prepared.params.values));
    state = emptyFold(shape);
    if (prepared.marketableOnly) state.reached[0] = base.rows - base.marketableRows;
    for (const row of rows) applyRow(state, shape, row, toNumber(row.stop), 1, columns);
  }
  working.folds = [
    { key, steps, values: [...prepared.params.values], state },
    ...folds.filter((f) => f.key !== key),
  ].slice(0, MAX_LAST_FOLDS);

  const { reached, heldOut } = state;
  const total = reached.reduce((a, b) => a + b, 0);
  // reached[i] = customers whose first failed step is i; remaining after step i = those stopping later.
  const funnel: FunnelRow[] = [{ kind: 'all', label: 'all customers', remaining: total, removed: 0 }];
  let remaining = total;
  for (const step of compiled.steps) {
    const index = steps.indexOf(step);
    const removed = index >= 0 ? (reached[index] ?? 0) : heldOut;
    remaining -= removed;
    funnel.push({
      kind: step.kind,
      label: step.label,
      ...(step.column ? { column: step.column } : {}),
      ...(step.path ? { path: step.path } : {}),
      remaining,
      removed,
    });
  }
  const count = (reached[k] ?? 0) - heldOut;
  const eligible = reached.slice(shape.eligibleStop).reduce((a, b) => a + b, 0);
  const result: Breakdown[] = scalarBreakdowns.map((column, i) =>
    summariseBreakdown(column, [...state.breakdowns[i]!.values()], count),
  );
  for (const column of listBreakdowns)
    result.push(await listBreakdown(db, prepared, column, count, readOnly));
  return {
    segment: compiled.name,
    definitionHash: definitionHash(compiled.definition),
    asOf: set.catalogue.asOf,
    base: total,
    count,
    eligible,
    holdout: eligible - count,
    share: total ? count / total : 0,
    funnel,
    breakdowns: breakdowns.map((b) => result.find((r) => r.column === b)!),
    overlaps: others.map((o) => {
      const overlap = state.overlaps.get(o.name) ?? 0;
      const union = eligible + o.size - overlap;
      return { segment: o.name, size: o.size, overlap, jaccard: union ? overlap / union : 0 };
    }),
    engine: { source: prepared.sourceKind, mode, rows: prepared.sourceRows, ms: performance.now() - started },
  };
}

function summariseBreakdown(
  column: string,
  entries: { value: unknown; count: number }[],
  count: number,
): Breakdown {
  const sorted = entries
    .map((e) => ({ value: normaliseValue(e.value), count: e.count }))
    .sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)));
  const shown = sorted.slice(0, MAX_BREAKDOWN_VALUES);
  return {
    column,
    values: shown.map((v) => ({ ...v, share: count ? v.count / count : 0 })),
    other: sorted.slice(MAX_BREAKDOWN_VALUES).reduce((a, b) => a + b.count, 0),
  };
}

/** A list column (preferred_categories) counts each member once per element. */
async function listBreakdown(
  db: Database,
  prepared: PreparedPreview,
  column: string,
  count: number,
  readOnly: boolean,
): Promise<Breakdown> {
  const rows = await readOnlyWhen(db, readOnly, () =>
    db.queryJs(
      `select value, sum(w)::BIGINT as n from (
         select unnest(${quoteIdent(column)}) as value, 1 as w
         from temp.${BASE_TABLE} where ${prepared.compiled.memberSql})
       group by value`,
      prepared.params.values,
    ),
  );
  return summariseBreakdown(
    column,
    rows.map((r) => ({ value: r.value, count: toNumber(r.n) })),
    count,
  );
}
