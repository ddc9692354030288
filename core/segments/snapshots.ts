import { randomUUID } from 'node:crypto';
import type { Database } from '../db/duckdb.ts';
import { withTransaction } from '../db/transaction.ts';
import { migrateWorkspaceSchema } from '../workspace/schema.ts';
import { definitionHash, type LoadedSegment } from './definition.ts';
import { memberQuery } from './members.ts';
import type { SegmentSet } from './segmentSet.ts';

/**
 * Membership history in the workspace database (schema c360). A snapshot is the membership at a publish: the
 * Klaviyo list sync records one after each successful publish; until it lands, `c360 segments snapshot` does.
 *
 *   c360.segment_snapshots  one row per snapshot: counts, definition (hash and JSON), build, entered / left
 *   c360.segment_members    one row per eligible customer of a snapshot, is_holdout for the control group
 */

export interface SnapshotSummary {
  snapshotId: string;
  segment: string;
  takenAt: string;
  /** Members on the list (holdout not included). */
  memberCount: number;
  holdoutCount: number;
  definitionHash: string;
  buildRunId: string | null;
  asOf: string;
  /** Against the segment's previous snapshot (all members entered for the first one). */
  enteredCount: number;
  leftCount: number;
  note: string | null;
}

export interface SnapshotDiff {
  snapshot: SnapshotSummary;
  entered: number;
  left: number;
  stayed: number;
  enteredSample: string[];
  leftSample: string[];
  /** The definition changed since the snapshot (else changes come from the data). */
  definitionChanged: boolean;
}

/** The snapshot tables are part of the workspace schema (core/workspace/schema.ts); recording is a write. */
export async function ensureSnapshotTables(db: Database): Promise<void> {
  await migrateWorkspaceSchema(db);
}

async function hasSnapshotTables(db: Database): Promise<boolean> {
  const rows = await db.queryJson(
    `select count(*) as n from duckdb_tables() where schema_name = 'c360' and table_name in ('segment_snapshots', 'segment_members')`,
  );
  return Number(rows[0]?.n ?? 0) === 2;
}

const SUMMARY_COLUMNS = `snapshot_id, segment, strftime(taken_at, '%Y-%m-%dT%H:%M:%SZ') as taken_at, member_count, holdout_count,
  definition_hash, build_run_id, strftime(as_of, '%Y-%m-%d') as as_of, entered_count, left_count, note`;

function toSummary(row: Record<string, unknown>): SnapshotSummary {
  return {
    snapshotId: String(row.snapshot_id),
    segment: String(row.segment),
    takenAt: String(row.taken_at),
    memberCount: Number(row.member_count),
    holdoutCount: Number(row.holdout_count),
    definitionHash: String(row.definition_hash),
    buildRunId: row.build_run_id === null ? null : String(row.build_run_id),
    asOf: String(row.as_of),
    enteredCount: Number(row.entered_count),
    leftCount: Number(row.left_count),
    note: row.note === null || row.note === undefined ? null : String(row.note),
  };
}

/** The history of a segment's snapshots, newest first. */
export async function listSnapshots(db: Database, segment: string): Promise<SnapshotSummary[]> {
  if (!(await hasSnapshotTables(db))) return [];
  const rows = await db.queryJson(
    `select ${SUMMARY_COLUMNS} from c360.segment_snapshots where segment = $1 order by taken_at desc, snapshot_id desc`,
    [segment],
  );
  return rows.map(toSummary);
}

/** The newest snapshot of every segment. */
export async function latestSnapshots(db: Database): Promise<Map<string, SnapshotSummary>> {
  if (!(await hasSnapshotTables(db))) return new Map();
  const rows = await db.queryJson(
    `select ${SUMMARY_COLUMNS} from c360.segment_snapshots
     qualify row_number() over (partition by segment order by taken_at desc, snapshot_id desc) = 1`,
  );
  return new Map(rows.map((r) => [String(r.segment), toSummary(r)]));
}

export async function snapshotDefinition(db: Database, snapshotId: string): Promise<unknown> {
  const [row] = await db.queryJson(
    `select definition_json from c360.segment_snapshots where snapshot_id = $1`,
    [snapshotId],
  );
  return row ? (JSON.parse(String(row.definition_json)) as unknown) : undefined;
}

/** Whether the customer was on the list (or in the holdout) at the snapshot. */
export async function snapshotMembership(
  db: Database,
  snapshotId: string,
  customerId: string,
): Promise<{ member: boolean; holdout: boolean }> {
  const [row] = await db.queryJson(
    `select is_holdout from c360.segment_members where snapshot_id = $1 and customer_id = $2`,
    [snapshotId, customerId],
  );
  return { member: row !== undefined && row.is_holdout === false, holdout: row?.is_holdout === true };
}

const SAMPLE = 10;

/** Who entered and left since the segment's last snapshot (members on the list; holdout excluded). */
export async function diffSinceSnapshot(
  db: Database,
  set: SegmentSet,
  target: LoadedSegment,
  snapshot?: SnapshotSummary,
): Promise<SnapshotDiff | null> {
  const last = snapshot ?? (await listSnapshots(db, target.definition.name))[0];
  if (!last) return null;
  const query = await memberQuery(db, set, target);
  const id = `$${query.params.values.length + 1}`;
  const cte = `with cur as (select customer_id from (${query.sql}) where not is_holdout),
    prev as (select customer_id from c360.segment_members where snapshot_id = ${id} and not is_holdout)`;
  const values = [...query.params.values, last.snapshotId];
  const [counts] = await db.queryJs(
    `${cte} select
       (select count(*) from cur anti join prev using (customer_id)) as entered,
       (select count(*) from prev anti join cur using (customer_id)) as left_,
       (select count(*) from cur semi join prev using (customer_id)) as stayed`,
    values,
  );
  const sample = async (from: string, other: string) =>
    (
      await db.queryJson(
        `${cte} select customer_id from ${from} anti join ${other} using (customer_id) order by customer_id limit ${SAMPLE}`,
        values,
      )
    ).map((r) => String(r.customer_id));
  return {
    snapshot: last,
    entered: Number(counts?.entered ?? 0),
    left: Number(counts?.left_ ?? 0),
    stayed: Number(counts?.stayed ?? 0),
    enteredSample: await sample('cur', 'prev'),
    leftSample: await sample('prev', 'cur'),
    definitionChanged: last.definitionHash !== definitionHash(target.definition),
  };
}

export interface RecordOptions {
  note?: string;
  /** Time of the publish (default: now). */
  takenAt?: Date;
}

/**
 * Stores the segment's current membership as a snapshot. The Klaviyo list sync calls this after a successful
 * publish, so "change since the last publish" compares with what Klaviyo received.
 */
export async function recordSnapshot(
  db: Database,
  set: SegmentSet,
  target: LoadedSegment,
  options: RecordOptions = {},
): Promise<SnapshotSummary> {
  await ensureSnapshotTables(db);
  const previous = (await listSnapshots(db, target.definition.name))[0];
  const diff = previous ? await diffSinceSnapshot(db, set, target, previous) : null;
  const query = await memberQuery(db, set, target);
  const snapshotId = randomUUID();
  const n = query.params.values.length;
  await withTransaction(db, async (tx) => {
    await tx.run(
      `insert into c360.segment_members select $${n + 1}, customer_id, is_holdout from (${query.sql})`,
      [...query.params.values, snapshotId],
    );
    const [counts] = await tx.queryJs(
      `select count(*) filter (where not is_holdout) as members, count(*) filter (where is_holdout) as held
       from c360.segment_members where snapshot_id = $1`,
      [snapshotId],
    );
    const members = Number(counts?.members ?? 0);
    await tx.run(
      `insert into c360.segment_snapshots values ($1, $2, cast($3 as timestamp), $4, $5, $6, $7, $8, cast($9 as date), $10, $11, $12)`,
      [
        snapshotId,
        target.definition.name,
        (options.takenAt ?? new Date()).toISOString().replace('T', ' ').replace('Z', ''),
        members,
        Number(counts?.held ?? 0),
        definitionHash(target.definition),
        JSON.stringify(target.definition),
        set.catalogue.buildRunId,
        set.catalogue.asOf,
        diff ? diff.entered : members,
        diff ? diff.left : 0,
        options.note ?? null,
      ],
    );
  });
  const [summary] = (await listSnapshots(db, target.definition.name)).filter(
    (s) => s.snapshotId === snapshotId,
  );
  return summary!;
}
