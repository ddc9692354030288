import type { Database } from '../db/duckdb.ts';
import { hasC360Table, migrateWorkspaceSchema } from '../workspace/schema.ts';
import type { BuildResult } from './runner.ts';
import type { Vars } from './types.ts';

/**
 * Build runs are kept in the workspace (schema `c360`, core/workspace/schema.ts) so the app and `c360 runs` can
 * show them. Recording one is a write: it brings the schema up to date when the build runs without the workspace
 * service (tests, benches).
 */
export async function recordBuildRun(
  db: Database,
  result: BuildResult,
  vars: Vars,
  select: string[],
): Promise<void> {
  await migrateWorkspaceSchema(db);
  await db.run(
    `insert into c360.build_runs values ($1, current_timestamp, cast($2 as timestamp), $3, $4, $5, $6, $7, $8, $9)`,
    [
      result.runId,
      result.asOf,
      result.ok,
      result.published,
      result.seconds,
      JSON.stringify(select),
      JSON.stringify(vars),
      JSON.stringify(result.models),
      JSON.stringify(result.tests.filter((t) => t.status !== 'pass')),
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
