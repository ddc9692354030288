import { quoteText, type Database } from '../db/duckdb.ts';
import { C360Error, type C360ErrorOptions } from '../errors.ts';
import { hasC360Table } from '../workspace/schema.ts';
import type { SyncKind } from './guardrails.ts';

/**
 * "Retry failed rows" (`c360 sync --retry-failed [RUN]`): a plan limited to the rows Klaviyo rejected in one run.
 * The scope is the run's rejected rows (c360.sync_run_errors) that are still failing (c360.sync_failures): a row
 * that a later run delivered left sync_failures then and is not sent again. Each planner keeps only the rows of
 * the scope (temp table `c360_plan_retry`), so a row fixed since is sent with its current data and a row still
 * invalid is skipped or rejected again, with its reason.
 */

/** What a retry plan retries: the run whose rejected rows it sends again. */
export interface RetryFailed {
  runId: string;
}

/** The scope's rows per sync, and per segment for lists. */
export interface RetryScope {
  runId: string;
  rows: Record<SyncKind, number>;
  segments: string[];
  /** Rows the run rejected in all (also those delivered since). */
  rejected: number;
}

/** A retry that cannot be planned: no such run, no run with failures, or nothing of it left to send. */
export class NothingToRetryError extends C360Error {
  override name = 'NothingToRetryError';
  constructor(message: string, options?: C360ErrorOptions) {
    super('INVALID_INPUT', message, options);
  }
}

export const RETRY_TABLE = 'c360_plan_retry';

const kindsSql = (syncs: SyncKind[]) => syncs.map((s) => quoteText(s)).join(', ') || 'null';

/**
 * The run to retry: `runId` (or its first characters) or, left out, the newest run that has rejected rows still
 * failing. Throws NothingToRetryError with what to do when there is none.
 */
export async function resolveRetryRun(db: Database, runId?: string): Promise<string> {
  const tables = (await hasC360Table(db, 'sync_run_errors')) && (await hasC360Table(db, 'sync_failures'));
  if (runId !== undefined) {
    const [match] = (await hasC360Table(db, 'sync_runs'))
      ? await db.queryJson(
          `select run_id from c360.sync_runs where run_id = $1 or run_id like $1 || '%'
           order by started_at desc limit 1`,
          [runId],
        )
      : [];
    if (!match)
      throw new NothingToRetryError(`No sync run '${runId}' to retry. \`c360 runs\` lists the recent runs.`);
    return String(match.run_id);
  }
  const [latest] = tables
    ? await db.queryJson(
        `select e.run_id from c360.sync_run_errors e join c360.sync_runs r using (run_id)
         where exists (select 1 from c360.sync_failures f
                       where f.sync = e.sync and f.target = e.target and f.item_key = e.item_key)
         order by r.started_at desc, r.run_id desc limit 1`,
      )
    : [];
  if (!latest)
    throw new NothingToRetryError(
      'No sync run has rejected rows that are still failing: there is nothing to retry. `c360 runs` lists the runs.',
    );
  return String(latest.run_id);
}

/**
 * Fills the temp table `c360_plan_retry (sync, target, item_key)` with the run's rejected rows of `syncs` that are
 * still failing, and counts them. Throws NothingToRetryError when none is left (it names why).
 */
export async function prepareRetryScope(db: Database, runId: string, syncs: SyncKind[]): Promise<RetryScope> {
  await db.run(
    `create or replace temp table ${RETRY_TABLE} as
     select distinct e.sync, e.target, e.item_key from c360.sync_run_errors e
     where e.run_id = $1 and e.sync in (${kindsSql(syncs)})
       and exists (select 1 from c360.sync_failures f
                   where f.sync = e.sync and f.target = e.target and f.item_key = e.item_key)`,
    [runId],
  );
  const counts = await db.queryJson(
    `select sync, count(*) as n, list(distinct target order by target) filter (where sync = 'lists') as segments
     from ${RETRY_TABLE} group by sync`,
  );
  const [rejected] = await db.queryJson(
    `select count(*) as n from c360.sync_run_errors where run_id = $1 and sync in (${kindsSql(syncs)})`,
    [runId],
  );
  const rows: Record<SyncKind, number> = { profiles: 0, lists: 0, events: 0 };
  let segments: string[] = [];
  for (const c of counts) {
    rows[String(c.sync) as SyncKind] = Number(c.n);
    if (c.sync === 'lists') segments = (c.segments as unknown[]).map(String);
  }
  const total = Number(rejected?.n ?? 0);
  if (rows.profiles + rows.lists + rows.events === 0) {
    const what = syncs.length === 3 ? 'rows' : `${syncs.join(' or ')} rows`;
    throw new NothingToRetryError(
      total === 0
        ? `Sync run ${runId} has no rejected ${what}: there is nothing to retry. \`c360 runs show ${runId}\` shows the run.`
        : `The ${total.toLocaleString('en-US')} rejected ${what} of sync run ${runId} were all delivered by a later run: ` +
            'there is nothing left to retry.',
    );
  }
  return { runId, rows, segments, rejected: total };
}

/** The SQL condition "this key is in the retry scope of `sync` (and `target`)", for the planners. */
export function inRetryScope(sync: SyncKind, keySql: string, targetSql?: string): string {
  return `${keySql} in (select item_key from ${RETRY_TABLE} where sync = '${sync}'${
    targetSql ? ` and target = ${targetSql}` : ''
  })`;
}
