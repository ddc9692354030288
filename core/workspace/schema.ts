import type { Database } from '../db/duckdb.ts';
import { withTransaction } from '../db/transaction.ts';

/**
 * The workspace's own tables (schema `c360`: build history, segment snapshots, sync state), created and migrated
 * here and nowhere else. The workspace service runs `migrateWorkspaceSchema` once when it opens a workspace for
 * writing; write paths that also run without the service (tests, benches) call it too, which costs one query
 * once the schema is current. Read paths never create tables: they treat a missing c360 table as empty
 * (`hasC360Table`), so a read-only open of a workspace made by an older version works.
 *
 * Each migration is one transaction and records its version in `c360.schema_version`. Version 1 is the schema
 * earlier versions created piecemeal (`create table if not exists`), so it adopts their workspaces as they are.
 */

export const SCHEMA = 'c360';
export const VERSION_TABLE = `${SCHEMA}.schema_version`;

interface Migration {
  version: number;
  description: string;
  statements: string[];
}

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'build runs, segment snapshots and Klaviyo sync state',
    statements: [
      // Build runs are kept so that the app and `c360 runs` can show them (core/models/buildHistory.ts).
      `create table if not exists c360.build_runs (
        run_id varchar primary key, finished_at timestamp, as_of timestamp, ok boolean, published boolean,
        seconds double, selectors varchar, vars varchar, models varchar, tests varchar)`,
      // Membership history per publish (core/segments/snapshots.ts).
      `create table if not exists c360.segment_snapshots (
        snapshot_id varchar primary key, segment varchar not null, taken_at timestamp not null,
        member_count bigint not null, holdout_count bigint not null, definition_hash varchar not null,
        definition_json varchar not null, build_run_id varchar, as_of date not null, entered_count bigint not null,
        left_count bigint not null, note varchar)`,
      `create table if not exists c360.segment_members (
        snapshot_id varchar not null, customer_id varchar not null, is_holdout boolean not null)`,
      // What Klaviyo confirmed (core/sync/state.ts describes each table).
      `create table if not exists c360.sync_profile_state (
        email varchar primary key, payload_hash varchar not null, payload varchar not null,
        applied_at timestamp not null, run_id varchar not null)`,
      `create table if not exists c360.sync_lists (
        segment varchar primary key, list_name varchar not null, list_id varchar not null,
        created_by_c360 boolean not null, linked_at timestamp not null, published_definition_hash varchar)`,
      `create table if not exists c360.sync_list_members (
        segment varchar not null, email varchar not null, profile_id varchar,
        added_at timestamp not null, run_id varchar not null, primary key (segment, email))`,
      `create table if not exists c360.sync_event_state (
        event_id varchar primary key, sent_at timestamp not null, run_id varchar not null)`,
      `create table if not exists c360.sync_event_inflight (
        event_id varchar primary key, run_id varchar not null, since timestamp not null)`,
      `create table if not exists c360.sync_import_jobs (
        job_id varchar primary key, sync varchar not null, segment varchar, list_id varchar,
        run_id varchar not null, submitted_at timestamp not null)`,
      `create table if not exists c360.sync_job_rows (
        job_id varchar not null, position integer not null, email varchar not null,
        payload_hash varchar, payload varchar)`,
      `create table if not exists c360.sync_failures (
        sync varchar not null, target varchar not null, item_key varchar not null, code varchar not null,
        error varchar not null, attempts integer not null, first_failed_at timestamp not null,
        last_failed_at timestamp not null, run_id varchar not null, primary key (sync, target, item_key))`,
      `create table if not exists c360.sync_runs (
        run_id varchar primary key, started_at timestamp not null, finished_at timestamp,
        status varchar not null, syncs varchar not null, plan_hash varchar, approved boolean not null,
        summary varchar, error varchar)`,
      `create table if not exists c360.sync_run_targets (
        run_id varchar not null, sync varchar not null, target varchar not null, planned bigint not null,
        sent bigint not null, succeeded bigint not null, failed bigint not null, skipped bigint not null,
        api_calls bigint not null, throttled bigint not null, duration_ms bigint not null)`,
      `create table if not exists c360.sync_run_errors (
        run_id varchar not null, sync varchar not null, target varchar not null, item_key varchar not null,
        code varchar not null, error varchar not null)`,
    ],
  },
  {
    version: 2,
    description: 'build runs recorded when they start (started_at, status), so a killed build shows as interrupted',
    statements: [
      `alter table c360.build_runs add column if not exists started_at timestamp`,
      // running · published · succeeded · failed · cancelled · interrupted (core/models/buildHistory.ts)
      `alter table c360.build_runs add column if not exists status varchar`,
    ],
  },
  {
    version: 3,
    description: 'guardrail approvals of sync runs: which plan, who and when (core/sync/approvals.ts)',
    statements: [
      `create table if not exists c360.sync_approvals (
        plan_hash varchar not null, guardrail_id varchar not null, sync varchar not null, target varchar not null,
        approved_by varchar not null, approved_at timestamp not null, run_id varchar not null)`,
    ],
  },  {
    version: 4,
    description: 'segment sizes recorded at every build that publishes (size history of the segment list)',
    statements: [
      // One row per saved segment and published build (core/segments/sizeHistory.ts), written in the build's
      // publish transaction: members as the seg_<name> table holds them, the holdout, and what the rules alone
      // match. Kept small (a few numbers per build) so every build can add a point to the sparkline.
      `create table if not exists c360.segment_sizes (
        build_run_id varchar not null, segment varchar not null, as_of date not null,
        recorded_at timestamp not null, members bigint not null, holdout bigint not null, matched bigint,
        definition_hash varchar not null, primary key (build_run_id, segment))`,
    ],
  },
  {
    version: 5,
    description: 'a sync run that retries the failed rows of an earlier run names that run (retry_of)',
    // A table of its own, not a column of sync_runs: inserts into sync_runs name no columns (nor do older tests
    // and tools), and most runs retry nothing.
    statements: [
      `create table if not exists c360.sync_run_retries (
        run_id varchar primary key, retry_of varchar not null)`,
    ],
  },
];

/** The schema version this code writes. */
export const WORKSPACE_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Whether the workspace has the table `c360.<name>` (reads treat a missing one as empty). */
export async function hasC360Table(db: Database, name: string): Promise<boolean> {
  const [row] = await db.queryJson(
    `select count(*) as n from duckdb_tables() where schema_name = '${SCHEMA}' and table_name = $1`,
    [name],
  );
  return Number(row?.n ?? 0) > 0;
}

/** The schema version of the workspace: 0 before any migration (a new workspace, or one of an older version). */
export async function workspaceSchemaVersion(db: Database): Promise<number> {
  if (!(await hasC360Table(db, 'schema_version'))) return 0;
  const [row] = await db.queryJs(`select coalesce(max(version), 0)::integer as v from ${VERSION_TABLE}`);
  return Number(row?.v ?? 0);
}

async function appliedVersions(db: Database): Promise<Set<number>> {
  const rows = await db.queryJs(`select version::integer as v from ${VERSION_TABLE}`);
  return new Set(rows.map((r) => Number(r.v)));
}

export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError';
}

/**
 * Brings the c360 schema to WORKSPACE_SCHEMA_VERSION; idempotent. Returns the versions before and after. A
 * workspace written by a newer version of c360 is left alone with an error that says so.
 */
export async function migrateWorkspaceSchema(db: Database): Promise<{ from: number; to: number }> {
  const from = await workspaceSchemaVersion(db);
  const applied = from > 0 ? await appliedVersions(db) : new Set<number>();
  const pending = MIGRATIONS.filter((m) => !applied.has(m.version));
  if (from === WORKSPACE_SCHEMA_VERSION && pending.length === 0) return { from, to: from };
  if (from > WORKSPACE_SCHEMA_VERSION)
    throw new SchemaVersionError(
      `This workspace was written by a newer version of c360 (schema ${from}; this version knows up to ` +
        `${WORKSPACE_SCHEMA_VERSION}). Update c360 to work with it.`,
    );
  await db.run(`create schema if not exists ${SCHEMA}`);
  await db.run(
    `create table if not exists ${VERSION_TABLE} (
      version integer primary key, applied_at timestamp not null, description varchar not null)`,
  );
  // Every migration not recorded yet, not only those above the highest: version numbers may have gaps (a
  // number left unused), and a migration merged with a lower number than one a workspace already has still runs.
  for (const migration of pending) {
    await withTransaction(db, async (tx) => {
      for (const statement of migration.statements) await tx.run(statement);
      await tx.run(
        `insert into ${VERSION_TABLE} values ($1, current_timestamp::timestamp, $2) on conflict do nothing`,
        [migration.version, migration.description],
      );
    });
  }
  return { from, to: WORKSPACE_SCHEMA_VERSION };
}
