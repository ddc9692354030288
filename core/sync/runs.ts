import { randomBytes } from 'node:crypto';
import type { Database } from '../db/duckdb.ts';
import type { SyncKind } from './guardrails.ts';
import type { RequestTally } from './klaviyo/client.ts';
import { ENDPOINTS } from './klaviyo/rateLimits.ts';
import { SQL_NOW } from './state.ts';
import { hasC360Table } from '../workspace/schema.ts';
import { C360Error, type C360ErrorOptions } from '../errors.ts';

/** Run records (SPEC §7 run history): one row per run, one per synced target, and the rejected rows. */

export type RunStatus =
  'running' | 'succeeded' | 'partial' | 'failed' | 'blocked' | 'cancelled' | 'interrupted';

export interface TargetResult {
  sync: SyncKind;
  target: string;
  planned: number;
  sent: number;
  succeeded: number;
  failed: number;
  skipped: number;
  apiCalls: number;
  throttled: number;
  durationMs: number;
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  syncs: string[];
  planHash: string | null;
  approved: boolean;
  error: string | null;
  targets: TargetResult[];
  totals: {
    planned: number;
    sent: number;
    succeeded: number;
    failed: number;
    skipped: number;
    apiCalls: number;
    throttled: number;
  };
  durationMs: number | null;
  /** The run whose rejected rows this run retried (`c360 sync --retry-failed`); null for a full run. */
  retryOf: string | null;
}

export interface RunError {
  sync: string;
  target: string;
  key: string;
  code: string;
  error: string;
}

/**
 * Requests a run sent to one Klaviyo endpoint (retries included; calls that never left are not counted): what
 * came back, by HTTP status ("none": no answer, e.g. a timeout), body sizes and time. No payloads, no headers.
 * The answers are absent from runs recorded before they were kept.
 */
export interface RunRequests {
  /** The endpoint's method and path, e.g. `POST /api/profile-bulk-import-jobs`. */
  endpoint: string;
  /** Its name in core/sync/klaviyo/rateLimits.ts ENDPOINTS, e.g. `bulkImport`. */
  key: string;
  calls: number;
  statuses?: Record<string, number>;
  sentBytes?: number;
  receivedBytes?: number;
  totalMs?: number;
  slowestMs?: number;
}

/** One run with a page of its rejected rows: `errorsTotal` says how many there are in all. */
export interface RunDetail extends RunSummary {
  errors: RunError[];
  errorsTotal: number;
  offset: number;
  /** Per endpoint, what the run sent (no payloads, no headers); empty for runs that sent nothing. */
  requests: RunRequests[];
}

/** Rejected rows per page unless the caller asks for another page size. */
export const RUN_ERRORS_PAGE = 50;

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** A run left `running` belongs to a process that died (the workspace database admits one process). */
export async function markInterruptedRuns(db: Database): Promise<string[]> {
  const rows = await db.queryJson(`select run_id from c360.sync_runs where status = 'running'`);
  if (rows.length)
    await db.run(
      `update c360.sync_runs set status = 'interrupted', finished_at = coalesce(finished_at, ${SQL_NOW}),
       error = coalesce(error, 'the process stopped before the run finished; the next run resumed it')
       where status = 'running'`,
    );
  return rows.map((r) => String(r.run_id));
}

export async function startRun(
  db: Database,
  runId: string,
  syncs: SyncKind[],
  planHash: string,
  approved: boolean,
  retryOf?: string,
): Promise<void> {
  await db.run(
    `insert into c360.sync_runs values ($1, ${SQL_NOW}, null, 'running', $2, $3, $4, null, null)`,
    [runId, syncs.join(','), planHash, approved],
  );
  if (retryOf !== undefined)
    await db.run(`insert into c360.sync_run_retries values ($1, $2)`, [runId, retryOf]);
}

export async function recordTarget(db: Database, runId: string, t: TargetResult): Promise<void> {
  await db.run(`insert into c360.sync_run_targets values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
    runId,
    t.sync,
    t.target,
    t.planned,
    t.sent,
    t.succeeded,
    t.failed,
    t.skipped,
    t.apiCalls,
    t.throttled,
    Math.round(t.durationMs),
  ]);
}

export async function finishRun(
  db: Database,
  runId: string,
  status: RunStatus,
  error: string | null,
  summary?: unknown,
): Promise<void> {
  await db.run(
    `update c360.sync_runs set status = $2, finished_at = ${SQL_NOW}, error = $3, summary = $4 where run_id = $1`,
    [runId, status, error, summary === undefined ? null : JSON.stringify(summary)],
  );
}

function toTarget(r: Record<string, unknown>): TargetResult {
  return {
    sync: String(r.sync) as SyncKind,
    target: String(r.target),
    planned: Number(r.planned),
    sent: Number(r.sent),
    succeeded: Number(r.succeeded),
    failed: Number(r.failed),
    skipped: Number(r.skipped),
    apiCalls: Number(r.api_calls),
    throttled: Number(r.throttled),
    durationMs: Number(r.duration_ms),
  };
}

export async function listRuns(db: Database, limit = 20, runId?: string): Promise<RunSummary[]> {
  // A read: a workspace that never synced has no run tables, and no runs.
  if (!(await hasC360Table(db, 'sync_runs'))) return [];
  // Workspaces opened read-only by an older schema have no retry table (schema version 5).
  const retries = await hasC360Table(db, 'sync_run_retries');
  const runs = await db.queryJson(
    `select run_id, strftime(started_at, '%Y-%m-%dT%H:%M:%SZ') as started_at,
       strftime(finished_at, '%Y-%m-%dT%H:%M:%SZ') as finished_at, status, syncs, plan_hash, approved, error,
       epoch_ms(finished_at) - epoch_ms(started_at) as duration_ms,
       ${retries ? '(select t.retry_of from c360.sync_run_retries t where t.run_id = r.run_id)' : 'null'} as retry_of
     from c360.sync_runs r ${runId === undefined ? '' : 'where run_id = $1'}
     order by started_at desc, run_id desc limit ${Math.max(1, Math.floor(limit))}`,
    runId === undefined ? [] : [runId],
  );
  if (!runs.length) return [];
  const targets = await db.queryJson(
    `select * from c360.sync_run_targets where run_id in (${runs.map((_, i) => `$${i + 1}`).join(', ')})`,
    runs.map((r) => String(r.run_id)),
  );
  return runs.map((r) => {
    const mine = targets.filter((t) => t.run_id === r.run_id).map(toTarget);
    const sum = (k: keyof RunSummary['totals']) => mine.reduce((s, t) => s + t[k], 0);
    return {
      runId: String(r.run_id),
      startedAt: String(r.started_at),
      finishedAt: r.finished_at === null ? null : String(r.finished_at),
      status: String(r.status) as RunStatus,
      syncs: String(r.syncs).split(','),
      planHash: r.plan_hash === null ? null : String(r.plan_hash),
      approved: r.approved === true,
      error: r.error === null ? null : String(r.error),
      targets: mine,
      totals: {
        planned: sum('planned'),
        sent: sum('sent'),
        succeeded: sum('succeeded'),
        failed: sum('failed'),
        skipped: sum('skipped'),
        apiCalls: sum('apiCalls'),
        throttled: sum('throttled'),
      },
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      retryOf: r.retry_of === null || r.retry_of === undefined ? null : String(r.retry_of),
    };
  });
}

export class RunNotFoundError extends C360Error {
  override name = 'RunNotFoundError';
  constructor(message: string, options?: C360ErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

function requestsOf(summary: unknown): RunRequests[] {
  if (typeof summary !== 'string') return [];
  let parsed: { apiCalls?: unknown; requests?: unknown };
  try {
    parsed = JSON.parse(summary) as typeof parsed;
  } catch {
    return [];
  }
  const calls = parsed.apiCalls;
  if (!calls || typeof calls !== 'object') return [];
  const answers = (parsed.requests ?? {}) as Partial<Record<string, RequestTally>>;
  return Object.entries(calls as Record<string, unknown>)
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .map(([key, n]) => {
      const tally = answers[key];
      return {
        endpoint: key in ENDPOINTS ? ENDPOINTS[key as keyof typeof ENDPOINTS].label : key,
        key,
        calls: n as number,
        ...(tally
          ? {
              statuses: { ...tally.statuses },
              sentBytes: tally.sentBytes,
              receivedBytes: tally.receivedBytes,
              totalMs: Math.round(tally.totalMs),
              slowestMs: Math.round(tally.slowestMs),
            }
          : {}),
      };
    });
}

export async function showRun(
  db: Database,
  runId: string,
  page: { offset?: number; limit?: number } = {},
): Promise<RunDetail> {
  const [match] = (await hasC360Table(db, 'sync_runs'))
    ? await db.queryJson(
        `select run_id from c360.sync_runs where run_id = $1 or run_id like $1 || '%' order by started_at desc limit 1`,
        [runId],
      )
    : [];
  const [run] = match ? await listRuns(db, 1, String(match.run_id)) : [];
  if (!run) throw new RunNotFoundError(`No sync run '${runId}'. \`c360 runs\` lists the recent runs.`);
  const offset = Math.max(0, Math.floor(page.offset ?? 0));
  const limit = Math.max(1, Math.floor(page.limit ?? RUN_ERRORS_PAGE));
  const [counted] = await db.queryJson(
    `select (select count(*) from c360.sync_run_errors where run_id = $1) as n,
       (select summary from c360.sync_runs where run_id = $1) as summary`,
    [run.runId],
  );
  const errors = await db.queryJson(
    `select sync, target, item_key, code, error from c360.sync_run_errors where run_id = $1
     order by sync, target, item_key limit ${limit} offset ${offset}`,
    [run.runId],
  );
  return {
    ...run,
    errorsTotal: Number(counted?.n ?? 0),
    offset,
    requests: requestsOf(counted?.summary),
    errors: errors.map((e) => ({
      sync: String(e.sync),
      target: String(e.target),
      key: String(e.item_key),
      code: String(e.code),
      error: String(e.error),
    })),
  };
}
