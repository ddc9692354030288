import type { Database } from '../db/duckdb.ts';
import type { BuildResult } from './runner.ts';
import type { Vars } from './types.ts';

/** Build runs are kept in the workspace (schema `c360`) so the app and `c360 runs` can show them. */
export async function ensureStateSchema(db: Database): Promise<void> {
  await db.run('create schema if not exists c360');
  await db.run(`create table if not exists c360.build_runs (
    run_id varchar primary key,
    finished_at timestamp,
    as_of timestamp,
    ok boolean,
    published boolean,
    seconds double,
    selectors varchar,
    vars varchar,
    models varchar,
    tests varchar
  )`);
}

export async function recordBuildRun(
  db: Database,
  result: BuildResult,
  vars: Vars,
  select: string[],
): Promise<void> {
  await ensureStateSchema(db);
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
  await ensureStateSchema(db);
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
