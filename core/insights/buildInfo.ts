import type { Database } from '../db/duckdb.ts';
import { DEFAULT_SHOP_TIME_ZONE } from '../models/dialect/dialect.ts';
import type { BuildStatus } from './schemas.ts';
import { ISO_INSTANT, numOrNull, textOrNull as text } from './sqlText.ts';

/**
 * What the pages need to know about the builds (c360.build_runs): the reference time and calendar of the
 * published tables, and the most recent build of any outcome for the data freshness card.
 */
export interface BuildInfo {
  /** as_of of the published build as an ISO instant; null when the tables have no build record. */
  asOf: string | null;
  /** as_of as `YYYY-MM-DD HH:MM:SS` (UTC) for SQL: the published build's, else the current time. */
  asOfSql: string;
  shopTimeZone: string;
  lastPublishedAt: string | null;
  lastBuild: {
    runId: string;
    startedAt: string | null;
    finishedAt: string | null;
    status: BuildStatus;
    seconds: number | null;
  } | null;
}

const STATUSES: ReadonlySet<string> = new Set<BuildStatus>([
  'running',
  'published',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
]);

/**
 * The history table's columns today are run_id, finished_at, as_of, ok, published, seconds, …; a row written
 * when a build starts (started_at, status) may be added by the schema migration, so optional columns are read
 * only when they exist.
 */
async function historyColumns(db: Database): Promise<Set<string>> {
  const rows = await db.queryJson(
    `select column_name from information_schema.columns
     where table_catalog = current_database() and table_schema = 'c360' and table_name = 'build_runs'`,
  );
  return new Set(rows.map((r) => String(r.column_name)));
}

function statusOf(row: Record<string, unknown>): BuildStatus {
  if (typeof row.status === 'string' && STATUSES.has(row.status)) return row.status as BuildStatus;
  if (row.ok === true) return row.published === true ? 'published' : 'succeeded';
  if (row.ok === false) return 'failed';
  return row.finished_at === null ? 'running' : 'failed';
}

export async function readBuildInfo(db: Database): Promise<BuildInfo> {
  const columns = await historyColumns(db);
  const nowSql = new Date().toISOString().slice(0, 19).replace('T', ' ');
  if (!columns.has('run_id'))
    return {
      asOf: null,
      asOfSql: nowSql,
      shopTimeZone: DEFAULT_SHOP_TIME_ZONE,
      lastPublishedAt: null,
      lastBuild: null,
    };
  const started = columns.has('started_at')
    ? 'started_at'
    : `finished_at - to_microseconds(cast(coalesce(seconds, 0) * 1e6 as bigint))`;
  const status = columns.has('status') ? 'status' : 'null::varchar';
  const [published] = await db.queryJson(
    `select strftime(as_of, '${ISO_INSTANT}') as as_of_iso, strftime(as_of, '%Y-%m-%d %H:%M:%S') as as_of_sql,
            strftime(finished_at, '${ISO_INSTANT}') as finished_at, vars
     from c360.build_runs where ok and published order by finished_at desc limit 1`,
  );
  const [last] = await db.queryJson(
    `select run_id, ok, published, ${status} as status, seconds,
            strftime(${started}, '${ISO_INSTANT}') as started_at,
            strftime(finished_at, '${ISO_INSTANT}') as finished_at
     from c360.build_runs order by coalesce(${started}, finished_at) desc nulls last, finished_at desc limit 1`,
  );
  let shopTimeZone = DEFAULT_SHOP_TIME_ZONE;
  try {
    const vars = JSON.parse(String(published?.vars ?? '{}')) as { shop_time_zone?: unknown };
    if (typeof vars.shop_time_zone === 'string' && vars.shop_time_zone) shopTimeZone = vars.shop_time_zone;
  } catch {
    // unreadable variables of an old record: the default calendar
  }
  return {
    asOf: text(published?.as_of_iso),
    asOfSql: text(published?.as_of_sql) ?? nowSql,
    shopTimeZone,
    lastPublishedAt: text(published?.finished_at),
    lastBuild: last
      ? {
          runId: String(last.run_id),
          startedAt: text(last.started_at),
          finishedAt: text(last.finished_at),
          status: statusOf(last),
          seconds: numOrNull(last.seconds),
        }
      : null,
  };
}
