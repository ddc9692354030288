import type { Database } from '../db/duckdb.ts';
import { hasC360Table, migrateWorkspaceSchema } from '../workspace/schema.ts';
import type { BuildResult } from './runner.ts';
import type { Vars } from './types.ts';

/**
 * Build runs are kept in the workspace (schema `c360`, core/workspace/schema.ts) so the app and `c360 runs` can
 * show them. A build is recorded when it starts (status `running`) and updated when it ends, so a build killed
 * with kill -9 leaves a row; the next build, which runs only when this process is the workspace's writer, marks
 * such rows `interrupted`. Recording is a write: it brings the schema up to date when the build runs without the
 * workspace service (tests, benches).
 */
export type BuildRunStatus = 'running' | 'published' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** Marks builds still recorded as running as interrupted: their process died (only one writer at a time). */
export async function markInterruptedBuilds(db: Database): Promise<number> {
  if (!(await hasC360Table(db, 'build_runs'))) return 0;
  const rows = await db.queryJs(
    `update c360.build_runs set status = 'interrupted', ok = false, published = false
     where status = 'running' returning run_id`,
  );
  return rows.length;
}

/** Records a build that ended with an error before it could report its result. */
export async function recordBuildError(db: Database, runId: string): Promise<void> {
  await db.run(
    `update c360.build_runs set status = 'failed', ok = false, published = false,
       finished_at = current_timestamp::timestamp where run_id = $1 and status = 'running'`,
    [runId],
  );
}

export async function startBuildRun(
  db: Database,
  run: { runId: string; asOf: string; vars: Vars; select: string[] },
): Promise<void> {
  await migrateWorkspaceSchema(db);
  await markInterruptedBuilds(db);
  await db.run(
    `insert into c360.build_runs (run_id, started_at, as_of, published, selectors, vars, models, tests, status)
     values ($1, current_timestamp::timestamp, cast($2 as timestamp), false, $3, $4, '[]', '[]', 'running')`,
    [run.runId, run.asOf, JSON.stringify(run.select), JSON.stringify(run.vars)],
  );
}

/** Records how a build ended (a build started with startBuildRun). */
export async function recordBuildRun(
  db: Database,
  result: BuildResult,
  status: BuildRunStatus,
): Promise<void> {
  await db.run(
    `update c360.build_runs set finished_at = current_timestamp::timestamp, ok = $2, published = $3, seconds = $4,
       models = $5, tests = $6, status = $7
     where run_id = $1`,
    [
      result.runId,
      result.ok,
      result.published,
      result.seconds,
      JSON.stringify(result.models),
      JSON.stringify(result.tests.filter((t) => t.status !== 'pass')),
      status,
    ],
  );
}

/** Seconds per model of the last successful build (empty without one): the scheduler's expected durations. */
export async function lastModelSeconds(db: Database): Promise<Map<string, number>> {
  if (!(await hasC360Table(db, 'build_runs'))) return new Map();
  const [row] = await db.queryJs(
    'select models from c360.build_runs where ok order by finished_at desc limit 1',
  );
  const seconds = new Map<string, number>();
  if (typeof row?.models !== 'string') return seconds;
  try {
    for (const model of JSON.parse(row.models) as { name?: unknown; seconds?: unknown }[])
      if (typeof model.name === 'string' && typeof model.seconds === 'number')
        seconds.set(model.name, model.seconds);
  } catch {
    // an unreadable history only costs the scheduler its hints
  }
  return seconds;
}
