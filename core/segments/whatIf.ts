import type { DuckDBValue } from '@duckdb/node-api';
import { quoteIdent, type Database } from '../db/duckdb.ts';
import { definitionHash, type LoadedSegment } from './definition.ts';
import {
  compileOnBase,
  extraParam,
  identitySelect,
  queryCompiled,
  toCustomerRef,
  type CompiledOnBase,
  type CustomerRef,
} from './insightSql.ts';
import { BASE_TABLE } from './projection.ts';
import type { SegmentSet } from './segmentSet.ts';
import { listSnapshots, type SnapshotSummary } from './snapshots.ts';

/**
 * The editor's what-if diff: who an unsaved definition would add to and take off the segment's Klaviyo list,
 * against the saved version of the segment and against its last published snapshot, before anything is saved.
 * Members are those on the list (the holdout is not), as in snapshots.ts. Each comparison is one DuckDB query
 * that returns both counts and a bounded sample of each side (lowest customer ids: the same edit shows the
 * same people), named as the 360 profile names them.
 */

export const MAX_DIFF_SAMPLE = 50;

export interface DiffSide {
  count: number;
  sample: CustomerRef[];
}

export interface Comparison {
  /** Members of the version compared with (the saved definition now, or the snapshot as published). */
  before: number;
  /** Members of the unsaved definition now. */
  after: number;
  entered: DiffSide;
  left: DiffSide;
  stayed: number;
}

export interface WhatIfDiff {
  segment: string;
  asOf: string;
  definitionHash: string;
  /** Against the saved file of the segment on today's data; null when the segment was never saved. */
  saved: (Comparison & { definitionHash: string; sameDefinition: boolean }) | null;
  /** Against the membership of the last publish; null when the segment was never published. */
  published: (Comparison & { snapshot: SnapshotSummary; sameDefinition: boolean }) | null;
}

export interface WhatIfOptions {
  /** The saved segment the draft edits (default: the saved segment with the draft's name, if any). */
  savedName?: string;
  /** Customers listed on each side (default 10, at most MAX_DIFF_SAMPLE). */
  sample?: number;
}

const onList = (sql: string) => `select customer_id from temp.${BASE_TABLE} where ${sql}`;

/**
 * What a comparison is made of: `changed` (customer_id, side 'entered' | 'left') and `totals` (one row:
 * after_, before_, stayed), as CTEs after `with`.
 */
interface ComparisonSql {
  ctes: string;
  extra: DuckDBValue[];
}

/** Two definitions over the same base: one scan, each customer's outcome under both, no join. */
function againstDefinition(after: string, before: string): ComparisonSql {
  return {
    ctes: `flags as (
        select customer_id, coalesce(${after}, false) as a, coalesce(${before}, false) as b from temp.${BASE_TABLE}),
      changed as (select customer_id, case when a then 'entered' else 'left' end as side from flags where a <> b),
      totals as (
        select count(*) filter (where a) as after_, count(*) filter (where b) as before_,
               count(*) filter (where a and b) as stayed
        from flags)`,
    extra: [],
  };
}

/** A definition now against the members a snapshot recorded: a full join on customer_id. */
function againstSnapshot(on: CompiledOnBase, after: string, snapshotId: string): ComparisonSql {
  return {
    ctes: `cur as (${onList(after)}),
      prev as (
        select customer_id from c360.segment_members where snapshot_id = ${extraParam(on, 0)} and not is_holdout),
      changed as (
        select coalesce(cur.customer_id, prev.customer_id) as customer_id,
               case when prev.customer_id is null then 'entered' else 'left' end as side
        from cur full join prev on cur.customer_id = prev.customer_id
        where cur.customer_id is null or prev.customer_id is null),
      totals as (
        select (select count(*) from cur) as after_, (select count(*) from prev) as before_,
               (select count(*) from cur semi join prev using (customer_id)) as stayed)`,
    extra: [snapshotId],
  };
}

/**
 * One comparison as one statement. The changed customers are ranked per side; only the first `sample` of each
 * come back, with the side's count on every row, and a summary row (side null) carries the totals even when
 * nobody changed.
 */
async function compare(
  db: Database,
  set: SegmentSet,
  on: CompiledOnBase,
  { ctes, extra }: ComparisonSql,
  sample: number,
): Promise<Comparison> {
  const sql = `with ${ctes},
    ranked as (
      select side, customer_id, row_number() over (partition by side order by customer_id) as rn,
             count(*) over (partition by side) as n
      from changed)
    select r.side, r.n, r.customer_id, ${identitySelect(set.catalogue, 'c')},
           null as after_, null as before_, null as stayed
    from ranked r left join main.${quoteIdent(set.catalogue.table)} c on c.customer_id = r.customer_id
    where r.rn <= ${sample}
    union all
    select null, null, null, null, null, null, after_, before_, stayed from totals
    order by 1 nulls first, 3`;
  const rows = await queryCompiled(db, on, sql, extra);
  const sides: Record<'entered' | 'left', DiffSide> = {
    entered: { count: 0, sample: [] },
    left: { count: 0, sample: [] },
  };
  let totals: Record<string, unknown> = {};
  for (const row of rows) {
    if (row.side === null) {
      totals = row;
      continue;
    }
    const side = sides[row.side as 'entered' | 'left'];
    side.count = Number(row.n);
    side.sample.push(toCustomerRef(row));
  }
  return {
    after: Number(totals.after_ ?? 0),
    before: Number(totals.before_ ?? 0),
    entered: sides.entered,
    left: sides.left,
    stayed: Number(totals.stayed ?? 0),
  };
}

export async function whatIfDiff(
  db: Database,
  set: SegmentSet,
  draft: LoadedSegment,
  options: WhatIfOptions = {},
): Promise<WhatIfDiff> {
  const name = options.savedName ?? draft.definition.name;
  const sample = Math.max(0, Math.min(MAX_DIFF_SAMPLE, Math.floor(options.sample ?? 10)));
  const saved = set.saved.get(name);
  const hash = definitionHash(draft.definition);
  // DuckDB refuses bound values a statement does not use: each comparison compiles only what it reads.
  const alone = await compileOnBase(db, set, [draft]);
  const both = saved ? await compileOnBase(db, set, [draft, saved]) : undefined;
  const snapshot = (await listSnapshots(db, name))[0];
  const savedHash = saved ? definitionHash(saved.definition) : '';
  return {
    segment: name,
    asOf: set.catalogue.asOf,
    definitionHash: hash,
    saved: both
      ? {
          ...(await compare(
            db,
            set,
            both,
            againstDefinition(both.compiled[0]!.memberSql, both.compiled[1]!.memberSql),
            sample,
          )),
          definitionHash: savedHash,
          sameDefinition: savedHash === hash,
        }
      : null,
    published: snapshot
      ? {
          ...(await compare(
            db,
            set,
            alone,
            againstSnapshot(alone, alone.compiled[0]!.memberSql, snapshot.snapshotId),
            sample,
          )),
          snapshot,
          sameDefinition: snapshot.definitionHash === hash,
        }
      : null,
  };
}
