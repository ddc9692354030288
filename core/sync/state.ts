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

/** Serialises database work of concurrent batch workers: they share one connection and its transaction. */
export class DbQueue {
  private tail: Promise<unknown> = Promise.resolve();
  constructor(readonly db: Database) {}

  run<T>(work: (db: Database) => Promise<T>): Promise<T> {
    const next = this.tail.then(() => work(this.db));
    this.tail = next.catch(() => undefined);
    return next;
  }

  transaction<T>(work: (db: Database) => Promise<T>): Promise<T> {
    return this.run((db) => withTransaction(db, work));
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
