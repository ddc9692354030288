import type { Database } from '../db/duckdb.ts';
import { hasC360Table } from '../workspace/schema.ts';
import type { RunError, RunSummary } from '../sync/index.ts';
import type { BuildRunData, RunDetailData, RunSummaryData } from './schemas/runs.ts';

/**
 * What the Runs page reads besides core/sync/runs.ts: the build history (c360.build_runs, written by
 * core/models/buildHistory.ts) and one page of a run's rejected rows.
 */

/** The newest builds first; a workspace that never built has no history. */
export async function listBuildRuns(db: Database, limit: number): Promise<BuildRunData[]> {
  if (!(await hasC360Table(db, 'build_runs'))) return [];
  const rows = await db.queryJs(
    `select run_id, strftime(started_at, '%Y-%m-%dT%H:%M:%SZ') as started_text,
       strftime(finished_at, '%Y-%m-%dT%H:%M:%SZ') as finished_text, strftime(as_of, '%Y-%m-%d') as as_of_text,
       coalesce(status, case when published then 'published' when ok then 'succeeded' else 'failed' end) as status,
       coalesce(ok, false) as ok, coalesce(published, false) as published, seconds,
       coalesce(json_array_length(try_cast(models as json)), 0) as model_count,
       coalesce(json_array_length(try_cast(tests as json)), 0) as failed_tests
     from c360.build_runs order by coalesce(started_at, finished_at) desc nulls last, run_id desc
     limit ${Math.max(1, Math.floor(limit))}`,
  );
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return rows.map((row) => ({
    runId: String(row.run_id),
    startedAt: text(row.started_text),
    finishedAt: text(row.finished_text),
    asOf: text(row.as_of_text),
    status: String(row.status),
    ok: row.ok === true,
    published: row.published === true,
    seconds: row.seconds === null ? null : Number(row.seconds),
    models: Number(row.model_count),
    failedTests: Number(row.failed_tests),
  }));
}

/**
 * A run record as the loose API schema takes it: core/sync/runs.ts's interfaces have no index signature, plain
 * copies do (so a field added there travels without a change here).
 */
export function asLooseRun(run: RunSummary): RunSummaryData {
  return { ...run, targets: run.targets.map((target) => ({ ...target })), totals: { ...run.totals } };
}

/**
 * A run with one page of its rejected rows. runs.show of core/sync/runs.ts may page itself (then it sends
 * `errorsTotal`) or return every row it read: then the page is cut here and the total is what it read.
 */
export function runDetail(
  run: RunSummary & { errors: RunError[]; errorsTotal?: number },
  offset: number,
  limit: number,
): RunDetailData {
  const errors = run.errors.map((error) => ({ ...error }));
  if (typeof run.errorsTotal === 'number')
    return { ...asLooseRun(run), errors, errorsTotal: run.errorsTotal, offset };
  return {
    ...asLooseRun(run),
    errors: errors.slice(offset, offset + limit),
    errorsTotal: errors.length,
    offset,
  };
}
