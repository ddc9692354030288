import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { quoteText, type Database } from '../db/duckdb.ts';
import type { ApplyContext } from './applyContext.ts';
import { SyncCancelledError } from './applyContext.ts';
import type { ImportError, ProfilePayload } from './klaviyo/client.ts';
import { KlaviyoApiError } from './klaviyo/errors.ts';
import { SQL_NOW } from './state.ts';

/**
 * Bulk profile import jobs, shared by the profile and list syncs. A job is written to
 * `c360.sync_import_jobs` (with its rows) as soon as Klaviyo accepted it, so a run killed while the job
 * processes picks the job up again instead of sending the rows twice.
 */

export interface JobRow {
  email: string;
  payloadHash: string | null;
  payload: string | null;
}

export interface JobOutcome {
  jobId: string;
  /** Rows the job holds. */
  count: number;
  /**
   * The rows, in job order: as given, or (for rows given as `RecordedRows`) read back from the job's record only
   * when one of them failed — a job whose every row Klaviyo took leaves this empty.
   */
  rows: JobRow[];
  /** Position in `rows` → Klaviyo's error. */
  failed: Map<number, { code: string; detail: string }>;
  /** email → profile id (list syncs only). */
  profileIds: Map<string, string>;
}

export function payloadOf(row: JobRow): ProfilePayload {
  return row.payload ? (JSON.parse(row.payload) as ProfilePayload) : { email: row.email, properties: {} };
}

/**
 * Bulk import ignores nulls (it cannot clear a value; cleared values go through single upserts), so they are
 * left out of the request: smaller jobs, more profiles per 5 MB.
 */
export function withoutNulls(payload: ProfilePayload): ProfilePayload {
  const compact = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
  const out = compact(payload as unknown as Record<string, unknown>) as unknown as ProfilePayload;
  out.properties = compact(payload.properties ?? {});
  if (payload.location) out.location = compact(payload.location) as ProfilePayload['location'];
  return out;
}

/**
 * `,"key":null` members, and a first member `{"key":null` with its comma (quotes inside JSON strings are always
 * escaped; in valid JSON `:null` after a key is the whole value). RE2 syntax, no lookaround: DuckDB runs the same
 * patterns when it prepares a profile apply's requests (applyProfiles.ts), so both paths cut the same text.
 */
export const NULL_MEMBER_PATTERN = ',"(?:[^"\\\\]|\\\\.)*":null';
export const FIRST_NULL_MEMBER_PATTERN = '\\{"(?:[^"\\\\]|\\\\.)*":null,?';
const NULL_MEMBER = new RegExp(NULL_MEMBER_PATTERN, 'g');
const FIRST_NULL_MEMBER = new RegExp(FIRST_NULL_MEMBER_PATTERN, 'g');

/** Payloads the text cut cannot take: objects inside a list keep their nulls, so they go the exact path. */
export function needsExactRequest(payload: string): boolean {
  return payload.includes('[{');
}

/**
 * A profile's part of a bulk request: its null-free JSON, in the API's field names (the payload's own). The
 * payload is DuckDB's JSON of flat objects (profile, location, properties), so its null members are cut out of
 * the text instead of parsing and re-serialising 10,000 profiles per job on the event loop; a payload with
 * objects inside a list (whose nulls must stay) takes the exact path.
 */
export function requestJson(row: JobRow): string {
  if (!row.payload) return JSON.stringify(payloadOf(row));
  if (needsExactRequest(row.payload)) return JSON.stringify(withoutNulls(payloadOf(row)));
  return row.payload.replace(NULL_MEMBER, '').replace(FIRST_NULL_MEMBER, '{');
}

/**
 * DuckDB's version of `requestJson`'s text cut for a payload column (not for the payloads `needsExactRequest`
 * names, nor null payloads): a profile apply makes each job's request text in the database with it.
 */
export function requestTextSql(payload: string): string {
  return `regexp_replace(regexp_replace(${payload}, ${quoteText(NULL_MEMBER_PATTERN)}, '', 'g'), ${quoteText(
    FIRST_NULL_MEMBER_PATTERN,
  )}, '{', 'g')`;
}

/** Bytes a profile adds to a bulk request: its null-free JSON plus the resource envelope. */
export function requestBytes(row: JobRow): number {
  return Buffer.byteLength(requestJson(row)) + 40;
}

/**
 * Sends a job whose profiles are already serialised (`requestJson` of each row, in row order); returns its id.
 * The job is not recorded yet: `recordJob` does that, and must before the job's rows count as sent for good.
 */
export async function sendJob(ctx: ApplyContext, profiles: string[], listId?: string): Promise<string> {
  return (await ctx.client.submitImportJob(profiles, listId)).id;
}

/** Records a job Klaviyo accepted, with its rows, so a run killed while it processes picks it up again. */
export async function recordJob(
  ctx: ApplyContext,
  sync: 'profiles' | 'lists',
  jobId: string,
  rows: JobRow[],
  target: { segment?: string; listId?: string } = {},
): Promise<void> {
  await recordJobFrom(
    ctx,
    sync,
    jobId,
    {
      sql: `select unnest(range(len($1::varchar[])))::integer, unnest($1::varchar[]), unnest($2::varchar[]), unnest($3::varchar[])`,
      params: [
        listValue(rows.map((r) => r.email)),
        listValue(rows.map((r) => r.payloadHash)),
        listValue(rows.map((r) => r.payload)),
      ],
    },
    target,
  );
}

/**
 * Records a job whose rows a query on the run's connection gives (position, email, payload_hash, payload): the
 * rows go from table to table inside DuckDB instead of through JavaScript values.
 */
export async function recordJobFrom(
  ctx: ApplyContext,
  sync: 'profiles' | 'lists',
  jobId: string,
  rows: { sql: string; params: DuckDBValue[] },
  target: { segment?: string; listId?: string } = {},
): Promise<void> {
  const n = rows.params.length;
  await ctx.q.transaction(async (db) => {
    await db.run(`insert into c360.sync_import_jobs values ($1, $2, $3, $4, $5, ${SQL_NOW})`, [
      jobId,
      sync,
      target.segment ?? null,
      target.listId ?? null,
      ctx.runId,
    ]);
    await db.run(`insert into c360.sync_job_rows select $${n + 1}, * from (${rows.sql})`, [
      ...rows.params,
      jobId,
    ]);
  });
}

/** Submits a job and records it; returns its id. */
export async function submitJob(
  ctx: ApplyContext,
  sync: 'profiles' | 'lists',
  rows: JobRow[],
  target: { segment?: string; listId?: string } = {},
): Promise<string> {
  const jobId = await sendJob(ctx, rows.map(requestJson), target.listId);
  await recordJob(ctx, sync, jobId, rows, target);
  return jobId;
}

/** A recorded job's rows, not held in memory: `read` gives them back from `c360.sync_job_rows`. */
export interface RecordedRows {
  count: number;
  read(): Promise<JobRow[]>;
}

/** The rows of a job as recorded (`recordJob`/`recordJobFrom`), read only when asked for. */
export function recordedRows(ctx: ApplyContext, jobId: string, count: number): RecordedRows {
  return {
    count,
    read: async () =>
      (
        await ctx.q.read((db) =>
          db.queryJson(
            `select email, payload_hash, payload from c360.sync_job_rows where job_id = $1 order by position`,
            [jobId],
          ),
        )
      ).map(jobRowOf),
  };
}

function jobRowOf(r: Record<string, unknown>): JobRow {
  return {
    email: String(r.email),
    payloadHash: r.payload_hash === null ? null : String(r.payload_hash),
    payload: r.payload === null ? null : String(r.payload),
  };
}

/** Waits for a job, then reads its per-profile errors (and, for lists, the profile ids). */
export async function awaitJob(
  ctx: ApplyContext,
  jobId: string,
  given: JobRow[] | RecordedRows,
  wantIds: boolean,
  options: { justSubmitted?: boolean } = {},
): Promise<JobOutcome> {
  const count = Array.isArray(given) ? given.length : given.count;
  const allRows = async (): Promise<JobRow[]> => (Array.isArray(given) ? given : given.read());
  // A job just sent is not done yet: asking at once only spends the status endpoint's quota (150/min, shared
  // by every job in flight), so the first question waits one poll interval. A resumed job is asked at once.
  if (options.justSubmitted) await ctx.sleep(ctx.config.klaviyo.poll_interval_ms);
  for (;;) {
    const status = await ctx.client.getImportJob(jobId);
    if (status.status === 'complete' || status.status === 'cancelled') {
      const failed = new Map<number, { code: string; detail: string }>();
      let rows = Array.isArray(given) ? given : [];
      if (status.status === 'cancelled') {
        rows = await allRows();
        rows.forEach((_, i) =>
          failed.set(i, { code: 'job_cancelled', detail: 'the import job was cancelled in Klaviyo' }),
        );
      } else if (status.failedCount > 0) {
        const errors = await ctx.client.importErrors(jobId);
        rows = await allRows();
        mapErrors(errors, rows, failed);
      }
      const profileIds =
        wantIds && status.status === 'complete'
          ? await ctx.client.importedProfileIds(jobId)
          : new Map<string, string>();
      return { jobId, count, rows, failed, profileIds };
    }
    if (ctx.isCancelled()) throw new SyncCancelledError();
    await ctx.sleep(ctx.config.klaviyo.poll_interval_ms);
  }
}

/** Klaviyo's errors carry no row number except in the pointer; else match on the email sent. */
export function mapErrors(
  errors: ImportError[],
  rows: JobRow[],
  failed: Map<number, { code: string; detail: string }>,
): void {
  const byEmail = new Map<string, number>();
  rows.forEach((r, i) => byEmail.set(r.email.toLowerCase(), i));
  for (const e of errors) {
    const index =
      e.index !== undefined && e.index < rows.length
        ? e.index
        : e.email
          ? byEmail.get(e.email.toLowerCase())
          : undefined;
    if (index !== undefined) failed.set(index, { code: e.code, detail: e.detail });
  }
}

/** Jobs an earlier run submitted and never finished, with their rows. */
export async function pendingJobs(
  ctx: ApplyContext,
  sync: 'profiles' | 'lists',
  segment?: string,
): Promise<{ jobId: string; listId: string | null; rows: JobRow[] }[]> {
  return ctx.q.read(async (db) => {
    const jobs = await db.queryJson(
      `select job_id, list_id from c360.sync_import_jobs where sync = $1 and coalesce(segment, '') = $2 order by submitted_at`,
      [sync, segment ?? ''],
    );
    const out = [];
    for (const job of jobs) {
      const rows = await db.queryJson(
        `select email, payload_hash, payload from c360.sync_job_rows where job_id = $1 order by position`,
        [String(job.job_id)],
      );
      out.push({
        jobId: String(job.job_id),
        listId: job.list_id === null ? null : String(job.list_id),
        rows: rows.map(jobRowOf),
      });
    }
    return out;
  });
}

/** Removes a job and its rows from the pending jobs (inside the caller's transaction). */
export async function deleteJob(db: Database, jobId: string): Promise<void> {
  await db.run(`delete from c360.sync_job_rows where job_id = $1`, [jobId]);
  await db.run(`delete from c360.sync_import_jobs where job_id = $1`, [jobId]);
}

/** A pending job Klaviyo no longer knows: forget it, its rows are still unconfirmed and get planned again. */
export async function forgetJob(ctx: ApplyContext, jobId: string): Promise<void> {
  await ctx.q.transaction((db) => deleteJob(db, jobId));
}

export function isGone(error: unknown): boolean {
  return error instanceof KlaviyoApiError && error.status === 404;
}
