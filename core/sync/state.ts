import type { Database } from '../db/duckdb.ts';

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
  await db.run('create schema if not exists c360');
  const statements = [
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
  ];
  for (const sql of statements) await db.run(sql);
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
    return this.run(async (db) => {
      await db.run('begin transaction');
      try {
        const result = await work(db);
        await db.run('commit');
        return result;
      } catch (error) {
        await db.run('rollback');
        throw error;
      }
    });
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
