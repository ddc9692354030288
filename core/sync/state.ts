import type { Database } from '../db/duckdb.ts';
import { withTransaction } from '../db/transaction.ts';
import { migrateWorkspaceSchema } from '../workspace/schema.ts';

/**
 * What Klaviyo confirmed, kept in the workspace database (schema c360). A row only appears here after Klaviyo
 * acknowledged it, so a plan is always a diff against Klaviyo's real state, and a run killed at any point
 * resumes from the last acknowledged batch.
 *
 *   sync_profile_state   one row per profile Klaviyo confirmed: email, payload and its hash
 *   sync_lists           one Klaviyo list per published segment
 *   sync_list_members    members this tool added to a list (mirror mode only ever removes these)
 *   sync_event_state     events Klaviyo accepted (by event_id = unique_id)
 *   sync_event_inflight  events sent but not yet acknowledged when a run stopped: resent through the endpoint
 *                        whose unique_id dedupe is documented
 *   sync_import_jobs / sync_job_rows   bulk import jobs submitted and not yet finished, with their rows
 *   sync_failures        rows Klaviyo rejected, with the error, retried on every run until they succeed
 */
export async function ensureSyncTables(db: Database): Promise<void> {
  // The tables are part of the workspace schema (core/workspace/schema.ts); a sync is a write job, so it may
  // bring the schema up to date when it runs without the workspace service (tests).
  await migrateWorkspaceSchema(db);
}

export const SQL_NOW = `current_timestamp::timestamp`;

/**
 * Takes the workspace's writer for `work` and gives it back after: with the workspace service a short write
 * job of its own (`'sync'` while planning, `'sync-state'` while recording a batch), so builds and loads run
 * between a sync's batches instead of waiting while the sync waits on Klaviyo. Without a service (tests,
 * benchmarks: the sync has the database to itself) the work just runs.
 */
export type WriterSlot = <T>(
  kind: 'sync' | 'sync-state',
  work: () => Promise<T>,
  options?: { signal?: AbortSignal },
) => Promise<T>;

export const OWN_DATABASE: WriterSlot = (_kind, work) => work();

/**
 * The sync's connection, shared by the concurrent batch workers of the apply phase: its work runs one piece at
 * a time (they share the connection, its temp tables and its transaction). Reads and the sync's own temp tables
 * go through `read`; everything that changes the workspace (the state Klaviyo acknowledged, failures, in-flight
 * markers, run records) through `write` or `transaction`, which hold the writer only for that piece.
 */
export class DbQueue {
  private tail: Promise<unknown> = Promise.resolve();
  constructor(
    readonly db: Database,
    private readonly writer: WriterSlot = OWN_DATABASE,
  ) {}

  /** Reads, and the run's own temp tables (they live on this connection only): no writer needed. */
  read<T>(work: (db: Database) => Promise<T>): Promise<T> {
    return this.serial(() => work(this.db));
  }

  /** Changes to the workspace's tables, holding the writer (no transaction: `work` may open its own). */
  write<T>(work: (db: Database) => Promise<T>): Promise<T> {
    return this.serial(() => this.writer('sync-state', () => work(this.db)));
  }

  /** Changes that belong together (a batch and its failures), holding the writer, in one transaction. */
  transaction<T>(work: (db: Database) => Promise<T>): Promise<T> {
    return this.write((db) => withTransaction(db, work));
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export interface FailureRow {
  sync: 'profiles' | 'lists' | 'events';
  target: string;
  key: string;
  code: string;
  error: string;
}

/** Records rejected rows (attempts counted up) for this run and for the next run's retry. */
export async function recordFailures(db: Database, runId: string, failures: FailureRow[]): Promise<void> {
  if (!failures.length) return;
  const values: string[] = [];
  const params: string[] = [];
  for (const f of failures) {
    const i = params.length;
    values.push(`($${i + 1}, $${i + 2}, $${i + 3}, $${i + 4}, $${i + 5})`);
    params.push(f.sync, f.target, f.key, f.code, f.error.slice(0, 2000));
  }
  const n = params.length;
  await db.run(
    `insert into c360.sync_failures
     select sync, target, item_key, code, error, 1, ${SQL_NOW}, ${SQL_NOW}, $${n + 1}
     from (values ${values.join(', ')}) v(sync, target, item_key, code, error)
     on conflict (sync, target, item_key) do update set code = excluded.code, error = excluded.error,
       attempts = c360.sync_failures.attempts + 1, last_failed_at = excluded.last_failed_at, run_id = excluded.run_id`,
    [...params, runId],
  );
  await db.run(
    `insert into c360.sync_run_errors select $${n + 1}, sync, target, item_key, code, error
     from (values ${values.join(', ')}) v(sync, target, item_key, code, error)`,
    [...params, runId],
  );
}
