import type { Database } from '../db/duckdb.ts';
import { hasC360Table } from '../workspace/schema.ts';
import { definitionHash, type LoadedSegment } from './definition.ts';
import { readOnlyWhen } from './expertSql.ts';
import { memberQuery } from './members.ts';
import type { SegmentSet } from './segmentSet.ts';

/**
 * Size history of the saved segments: one point per segment at every build that publishes (not only at the
 * Klaviyo publishes that take snapshots), so the segment list can draw a sparkline of how a segment grew or
 * shrank from one day's data to the next. The build measures each segment while it makes the `seg_<name>`
 * tables (materialise.ts) and writes the points in its publish transaction: a point exists exactly when the
 * tables it describes were published.
 *
 *   c360.segment_sizes  build_run_id, segment, as_of, recorded_at, members, holdout, matched, definition_hash
 */

/** Points per segment the segment list shows (the sparkline's width). */
export const SIZE_HISTORY_POINTS = 30;

export interface SegmentSizeMeasure {
  segment: string;
  /** On the Klaviyo list: eligible and not held out (the rows of `seg_<name>`). */
  members: number;
  /** Eligible but held out (the control group). */
  holdout: number;
  /**
   * What the rules alone select: before marketability, exclusions, priority and the holdout, and before a
   * declared consent column (the consent that health data read by the rules requires is never lifted). Null
   * when it could not be counted.
   */
  matched: number | null;
  definitionHash: string;
}

export interface SizePoint {
  buildRunId: string;
  /** As-of day of the build's data (YYYY-MM-DD). */
  asOf: string;
  /** When the build published (UTC, ISO 8601). */
  recordedAt: string;
  members: number;
  holdout: number;
  matched: number | null;
  definitionHash: string;
}

/** The segment with only its rules: what `matched` counts. */
function rulesOnly(loaded: LoadedSegment): LoadedSegment {
  const {
    priority: _priority,
    priority_group: _group,
    consent_column: _consent,
    ...rest
  } = loaded.definition;
  return {
    ...loaded,
    definition: {
      ...rest,
      include_non_marketable: true,
      exclude: [],
      holdout_percent: 0,
      sensitive: false,
    },
  };
}

/**
 * Measures a saved segment from its list-member query (customer_id, is_holdout, … as engine.listMembers gives
 * it) on the connection whose working tables that query reads. One aggregate over the members, one count of
 * the rules alone over the same projection.
 */
export async function measureSegment(
  db: Database,
  set: SegmentSet,
  loaded: LoadedSegment,
  members: { sql: string; values: unknown[] },
): Promise<SegmentSizeMeasure> {
  const [counts] = await db.queryJs(
    `select count(*) filter (where not is_holdout)::bigint as members,
            count(*) filter (where is_holdout)::bigint as holdout
       from (${members.sql})`,
    members.values as never[],
  );
  let matched: number | null = null;
  try {
    const query = await memberQuery(db, set, rulesOnly(loaded));
    const [row] = await readOnlyWhen(db, query.readOnly, () =>
      db.queryJs(`select count(*)::bigint as n from (${query.sql})`, query.params.values as never[]),
    );
    matched = Number(row?.n ?? 0);
  } catch {
    // The rules-only count is extra information: a segment whose rules need its other settings to compile
    // (none today) records members and holdout without it rather than failing the build.
    matched = null;
  }
  return {
    segment: loaded.definition.name,
    members: Number(counts?.members ?? 0),
    holdout: Number(counts?.holdout ?? 0),
    matched,
    definitionHash: definitionHash(loaded.definition),
  };
}

/**
 * Writes one build's points. Runs inside the build's publish transaction (the schema is current: the build
 * migrated it when it started); a rerun of the same run id replaces its points.
 */
export async function recordSegmentSizes(
  db: Database,
  build: { runId: string; asOf: string },
  sizes: readonly SegmentSizeMeasure[],
): Promise<void> {
  for (const size of sizes) {
    await db.run(
      `insert or replace into c360.segment_sizes
         (build_run_id, segment, as_of, recorded_at, members, holdout, matched, definition_hash)
       values ($1, $2, cast(cast($3 as timestamp) as date), current_timestamp::timestamp, $4, $5, $6, $7)`,
      [
        build.runId,
        size.segment,
        build.asOf,
        size.members,
        size.holdout,
        size.matched,
        size.definitionHash,
      ] as never[],
    );
  }
}

/**
 * The last `limit` points of each segment (of the given ones, or all), oldest first. A workspace without the
 * table (written by an older version, or opened read-only before any build) has no history: empty, never an
 * error.
 */
export async function readSizeHistory(
  db: Database,
  options: { segments?: readonly string[]; limit?: number } = {},
): Promise<Map<string, SizePoint[]>> {
  const history = new Map<string, SizePoint[]>();
  if (!(await hasC360Table(db, 'segment_sizes'))) return history;
  if (options.segments && options.segments.length === 0) return history;
  const limit = Math.max(1, Math.floor(options.limit ?? SIZE_HISTORY_POINTS));
  const filter = options.segments
    ? `where segment in (${options.segments.map((_, i) => `$${i + 1}`).join(', ')})`
    : '';
  const rows = await db.queryJs(
    `select segment, build_run_id, strftime(as_of, '%Y-%m-%d') as as_of_text,
            strftime(recorded_at, '%Y-%m-%dT%H:%M:%SZ') as recorded_text, members, holdout, matched,
            definition_hash
       from (select *, row_number() over (partition by segment order by recorded_at desc, build_run_id desc) as n
               from c360.segment_sizes ${filter})
      where n <= ${limit}
      order by segment, recorded_at, build_run_id`,
    (options.segments ?? []) as never[],
  );
  for (const row of rows) {
    const segment = String(row.segment);
    const points = history.get(segment) ?? [];
    points.push({
      buildRunId: String(row.build_run_id),
      asOf: String(row.as_of_text),
      recordedAt: String(row.recorded_text),
      members: Number(row.members),
      holdout: Number(row.holdout),
      matched: row.matched === null ? null : Number(row.matched),
      definitionHash: String(row.definition_hash),
    });
    history.set(segment, points);
  }
  return history;
}
