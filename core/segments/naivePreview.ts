import { quoteIdent, type Database } from '../db/duckdb.ts';
import { holdoutBucketExpression, SqlParams, type CompiledSegment } from './compiler.ts';
import type { LoadedSegment } from './definition.ts';
import type { Breakdown, FunnelRow, Overlap } from './preview.ts';
import { compileInSet, type SegmentSet } from './segmentSet.ts';

/**
 * The preview done the plain way: one query per figure straight over dim_customers, other segments compiled
 * inline, nothing reused. It is the reference the tests hold the one-pass engine to, and the baseline of the
 * benchmark. Breakdowns list every value (no cap).
 */
export interface NaiveFigures {
  base: number;
  count: number;
  eligible: number;
  funnel: FunnelRow[];
  breakdowns: Breakdown[];
  overlaps: Overlap[];
  queries: number;
}

function compileInline(set: SegmentSet, target: LoadedSegment, params = new SqlParams()): CompiledSegment {
  return compileInSet(set, target, { params, holdoutBucketSql: holdoutBucketExpression('customer_id') });
}

export async function naivePreview(
  db: Database,
  set: SegmentSet,
  target: LoadedSegment,
  breakdowns: string[],
): Promise<NaiveFigures> {
  const table = `main.${quoteIdent(set.catalogue.table)}`;
  let queries = 0;
  const count = async (where: string, values: SqlParams['values']): Promise<number> => {
    queries++;
    const [row] = await db.queryJs(`select count(*) as n from ${table} where ${where}`, values);
    return Number(row?.n ?? 0);
  };
  const bag = new SqlParams();
  const whole = compileInline(set, target, bag);
  const values = bag.values;
  const base = await count('true', []);
  const members = await count(whole.memberSql, values);
  const eligible = await count(whole.eligibleSql, values);

  const funnel: FunnelRow[] = [{ kind: 'all', label: 'all customers', remaining: base, removed: 0 }];
  for (let i = 0; i < whole.steps.length; i++) {
    const prefix = whole.steps.slice(0, i + 1);
    // Steps allocate their values in order, so a prefix of steps uses a prefix of the values.
    const end = Math.max(0, ...prefix.map((s) => s.params?.[1] ?? 0));
    const remaining = await count(prefix.map((s) => s.sql).join(' and '), values.slice(0, end));
    const step = whole.steps[i]!;
    funnel.push({
      kind: step.kind,
      label: step.label,
      ...(step.path ? { path: step.path } : {}),
      remaining,
      removed: funnel[funnel.length - 1]!.remaining - remaining,
    });
  }

  const result: Breakdown[] = [];
  for (const column of breakdowns) {
    const kind = set.catalogue.columns.get(column)?.kind;
    const value = kind === 'list' ? `unnest(${quoteIdent(column)})` : quoteIdent(column);
    queries++;
    const rows = await db.queryJs(
      `select value, count(*) as n from (select ${value} as value from ${table} where ${whole.memberSql}) group by value`,
      values,
    );
    result.push({
      column,
      values: rows
        .map((r) => ({
          value:
            typeof r.value === 'bigint' ? Number(r.value) : (r.value as string | number | boolean | null),
          count: Number(r.n),
          share: members ? Number(r.n) / members : 0,
        }))
        .sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value))),
      other: 0,
    });
  }

  const overlaps: Overlap[] = [];
  for (const other of set.saved.values()) {
    if (other.definition.name === target.definition.name) continue;
    const own = new SqlParams();
    const alone = compileInline(set, other, own);
    const size = await count(alone.eligibleSql, own.values);
    const params = new SqlParams();
    const mine = compileInline(set, target, params);
    const theirs = compileInline(set, other, params);
    const overlap = await count(`(${mine.eligibleSql}) and (${theirs.eligibleSql})`, params.values);
    const union = eligible + size - overlap;
    overlaps.push({ segment: other.definition.name, size, overlap, jaccard: union ? overlap / union : 0 });
  }
  return { base, count: members, eligible, funnel, breakdowns: result, overlaps, queries };
}
