import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Database } from '../db/duckdb.ts';
import type { FunnelStep } from './compiler.ts';
import type { FoldState } from './fold.ts';
import type { BaseProjection, Cube } from './projection.ts';
import type { SegmentSet } from './segmentSet.ts';

/** The last figures per preview shape, to apply the next threshold edit as a delta (preview.ts). */
export interface LastFold {
  key: string;
  steps: FunnelStep[];
  values: DuckDBValue[];
  state: FoldState;
}

/**
 * What a segment engine knows about its working tables (projection.ts): the base and the current cube (DuckDB
 * TEMP tables, so they belong to one connection) and the last preview folds. One object per engine, a field of
 * the engine, handed to every set the engine prepares; keys inside name the data (build run, table object,
 * saved segments), so a build or an edited segment file makes them stale and they are rebuilt.
 */
export class WorkingTables {
  base: BaseProjection | undefined;
  cube: Cube | undefined;
  /** Cube keys that did not shrink the data enough. */
  readonly uncubeable = new Set<string>();
  /** Numbers the cube tables, so that a cube being replaced never shares a name with its successor. */
  counter = 0;
  folds: LastFold[] = [];
  /** The hash of the saved segments of the last set asked for (projection.ts savedHash). */
  savedHash: { set: SegmentSet; hash: string } | undefined;

  constructor(readonly connection: DuckDBConnection) {}

  /** Forgets everything; the caller drops the tables. */
  forget(): void {
    this.base = undefined;
    this.cube = undefined;
    this.uncubeable.clear();
    this.folds = [];
    this.savedHash = undefined;
  }
}

/**
 * The working tables of `set` on `db`'s connection. A set prepared without an engine gets its own on first use;
 * a set used on another connection than its tables' is a programming error (the temp tables are not there).
 */
export function workingTablesOf(db: Database, set: SegmentSet): WorkingTables {
  set.working ??= new WorkingTables(db.connection);
  if (set.working.connection !== db.connection)
    throw new Error(
      'the segment working tables belong to another DuckDB connection; use the engine on the connection it was opened with',
    );
  return set.working;
}
