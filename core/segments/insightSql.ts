import type { DuckDBValue } from '@duckdb/node-api';
import { quoteIdent, type Database } from '../db/duckdb.ts';
import type { Catalogue } from './catalogue.ts';
import { SqlParams, type CompiledSegment } from './compiler.ts';
import type { LoadedSegment } from './definition.ts';
import { readOnlyWhen } from './expertSql.ts';
import { hasExpertRules } from './preview.ts';
import { ensureBase, segmentBitRef, type BaseProjection } from './projection.ts';
import { compileInSet, type SegmentSet } from './segmentSet.ts';

/**
 * What the editor's insights (what-if diff, breakdowns, priority simulation, member pages) share: several
 * segments compiled into ONE statement over the preview base, with one run of placeholders, so that each
 * insight is a single DuckDB query however many segments it compares.
 */

export interface CompiledOnBase {
  base: BaseProjection;
  /** The values of every placeholder of `compiled`, in order. */
  params: SqlParams;
  /** One per target, in the order given; other segments are read from the base's membership bits. */
  compiled: CompiledSegment[];
  /** Expert SQL rules run inside a read-only transaction (as in the preview). */
  readOnly: boolean;
}

/** Compiles `targets` over a base that holds their columns and `extraColumns`. */
export async function compileOnBase(
  db: Database,
  set: SegmentSet,
  targets: readonly LoadedSegment[],
  extraColumns: readonly string[] = [],
): Promise<CompiledOnBase> {
  // A first compile names the columns each rule reads; the base must hold them before the real compile.
  const columns = targets.flatMap(
    (t) => compileInSet(set, t, { params: new SqlParams(), holdoutBucketSql: 'holdout_bucket' }).columns,
  );
  const base = await ensureBase(
    db,
    set,
    [...columns, ...extraColumns],
    targets.map((t) => t.definition.rules),
  );
  const params = new SqlParams();
  const compiled = targets.map((t) =>
    compileInSet(set, t, { params, holdoutBucketSql: 'holdout_bucket', segmentRef: segmentBitRef(base) }),
  );
  return { base, params, compiled, readOnly: compiled.some(hasExpertRules) };
}

/** Runs a query of compiled rules, read-only when expert SQL is among them. */
export function queryCompiled(
  db: Database,
  on: CompiledOnBase,
  sql: string,
  extra: readonly DuckDBValue[] = [],
): ReturnType<Database['queryJs']> {
  return readOnlyWhen(db, on.readOnly, () => db.queryJs(sql, [...on.params.values, ...extra]));
}

/** Placeholder of the i-th value after the compiled rules' own (0-based). */
export function extraParam(on: CompiledOnBase, i: number): string {
  return `$${on.params.values.length + i + 1}`;
}

/** How a customer is named where the editor lists one: as the 360 profile shows them (id, email, name). */
export interface CustomerRef {
  customerId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
}

const IDENTITY = { email: 'email', firstName: 'first_name', lastName: 'last_name' } as const;

/** The identity columns of `alias` (a dim_customers row) as email, first_name, last_name (null when absent). */
export function identitySelect(catalogue: Catalogue, alias: string): string {
  return Object.values(IDENTITY)
    .map(
      (c) => (catalogue.columns.has(c) ? `${alias}.${quoteIdent(c)}::VARCHAR` : 'null::VARCHAR') + ` as ${c}`,
    )
    .join(', ');
}

export function toCustomerRef(row: Record<string, unknown>): CustomerRef {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    customerId: String(row.customer_id),
    email: text(row.email),
    firstName: text(row.first_name),
    lastName: text(row.last_name),
  };
}
