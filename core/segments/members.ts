import { quoteIdent, type Database, type JsonRow } from '../db/duckdb.ts';
import { SqlParams } from './compiler.ts';
import type { Catalogue } from './catalogue.ts';
import type { LoadedSegment, SegmentDefinition } from './definition.ts';
import { readOnlyWhen } from './expertSql.ts';
import { hasExpertRules } from './preview.ts';
import { BASE_TABLE, ensureBase, segmentBitRef } from './projection.ts';
import { compileInSet, type SegmentSet } from './segmentSet.ts';

/** Who is in a segment: a stable sample for the preview, and the member list for snapshots and diffs. */

export interface SampleOptions {
  size: number;
  columns: string[];
}

/** A stable sample of members (lowest customer ids, which are hashes): the same edit shows the same people. */
export async function sampleMembers(
  db: Database,
  set: SegmentSet,
  target: LoadedSegment,
  sample: SampleOptions,
): Promise<{ columns: string[]; rows: JsonRow[] }> {
  const base = await ensureBase(db, set, [], [target.definition.rules]);
  const params = new SqlParams();
  const compiled = compileInSet(set, target, {
    params,
    holdoutBucketSql: 'holdout_bucket',
    segmentRef: segmentBitRef(base),
  });
  const columns = sample.columns.filter((c) => set.catalogue.columns.has(c));
  if (!columns.includes('customer_id')) columns.unshift('customer_id');
  const readOnly = hasExpertRules(compiled);
  const ids = await readOnlyWhen(db, readOnly, () =>
    db.queryJs(
      `select customer_id from temp.${BASE_TABLE} where ${compiled.memberSql} order by customer_id limit ${Math.max(0, Math.floor(sample.size))}`,
      params.values,
    ),
  );
  if (!ids.length) return { columns, rows: [] };
  const list = ids.map((r) => String(r.customer_id));
  const rows = await db.queryJson(
    `select ${columns.map(quoteIdent).join(', ')} from main.${quoteIdent(set.catalogue.table)}
     where customer_id in (${list.map((_, i) => `$${i + 1}`).join(', ')}) order by customer_id`,
    list,
  );
  return { columns, rows };
}

/** Customer ids of the current members (for snapshots and diffs), as a SQL query with its values. */
export async function memberQuery(
  db: Database,
  set: SegmentSet,
  target: LoadedSegment,
): Promise<{ sql: string; params: SqlParams; holdoutSql: string; readOnly: boolean }> {
  const base = await ensureBase(db, set, [], [target.definition.rules]);
  const params = new SqlParams();
  const compiled = compileInSet(set, target, {
    params,
    holdoutBucketSql: 'holdout_bucket',
    segmentRef: segmentBitRef(base),
  });
  const holdout = compiled.steps.find((s) => s.kind === 'holdout');
  return {
    sql: `select customer_id, ${holdout ? `not ${holdout.sql}` : 'false'} as is_holdout from temp.${BASE_TABLE} where ${compiled.eligibleSql}`,
    params,
    holdoutSql: holdout?.sql ?? 'true',
    readOnly: hasExpertRules(compiled),
  };
}

/** Columns every list member carries; `properties:` add to them. */
export const MEMBER_COLUMNS = ['customer_id', 'email'] as const;

/** The member properties of a segment that exist in the catalogue, without the always-present columns. */
export function memberProperties(definition: SegmentDefinition, catalogue: Catalogue): string[] {
  return [...new Set(definition.properties)].filter(
    (c) => catalogue.columns.has(c) && !(MEMBER_COLUMNS as readonly string[]).includes(c),
  );
}

/**
 * A list member query over a member query (`memberQuery`): customer_id, the email as Klaviyo matches it
 * (trimmed, lower-case, null when empty), is_holdout and the segment's properties.
 */
export function listMemberSql(
  memberSql: string,
  catalogue: Catalogue,
  definition: SegmentDefinition,
): string {
  const properties = memberProperties(definition, catalogue).map((c) => `c.${quoteIdent(c)}`);
  return `select m.customer_id::varchar as customer_id, nullif(lower(trim(c.email)), '') as email, m.is_holdout${
    properties.length ? `, ${properties.join(', ')}` : ''
  }
     from (${memberSql}) m join main.${quoteIdent(catalogue.table)} c on c.customer_id = m.customer_id`;
}
