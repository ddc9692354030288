import { quoteIdent, type Database } from '../db/duckdb.ts';
import type { DerivedContext, DerivedResult, DerivedTables } from '../models/index.ts';
import { SEGMENT_TABLE } from './catalogue.ts';
import { formatProblem, type LoadedSegment } from './definition.ts';
import { SegmentEngine } from './engine.ts';
import { dependencyOrder } from './segmentSet.ts';
import { measureSegment, recordSegmentSizes, type SegmentSizeMeasure } from './sizeHistory.ts';

/**
 * The build's segment tables: every saved segment of the workspace (`segments/*.yaml`) becomes the table
 * `seg_<name>` — its list members (held-out customers left out) with customer_id, email and the segment's
 * `properties:` — computed by the same membership function as the Klaviyo list sync (engine.listMembers), on
 * the dim_customers of the build in progress. The runner publishes them in the same transaction as the models,
 * so a segment table never describes other data than the dim_customers next to it. Each segment's size is
 * measured on the way and recorded in the same publish transaction (sizeHistory.ts): the segment list's size
 * history gets a point at every build that publishes.
 */

export const SEGMENT_TABLE_PREFIX = 'seg_';

export interface SegmentTablesOptions {
  /** The workspace's `segments/` folder. */
  segmentsDir?: string;
  /** Segments given directly (tests). */
  segments?: LoadedSegment[];
  /** Model project (column docs, health tags, variable declarations); default: the build's. */
  projectDir?: string;
}

export function segmentTableName(segment: string): string {
  return `${SEGMENT_TABLE_PREFIX}${segment}`;
}

async function mainTables(db: Database): Promise<string[]> {
  return (
    await db.queryJson(`select table_name from duckdb_tables() where schema_name = 'main' order by 1`)
  ).map((r) => String(r.table_name));
}

/** Published `seg_*` tables that are not models: tables of segments (possibly made by an older version). */
function publishedSegmentTables(tables: string[], ctx: DerivedContext): string[] {
  const building = ctx.buildTableFor('');
  return tables.filter(
    (t) => t.startsWith(SEGMENT_TABLE_PREFIX) && !t.endsWith(building) && !ctx.modelNames.has(t),
  );
}

export function segmentTables(options: SegmentTablesOptions): DerivedTables {
  return {
    async build(ctx: DerivedContext): Promise<DerivedResult> {
      const tables = await mainTables(ctx.db);
      const published = publishedSegmentTables(tables, ctx);
      const customers = ctx.tableFor(SEGMENT_TABLE);
      if (!tables.includes(customers))
        return {
          tables: [],
          drop: [],
          warnings: [`${SEGMENT_TABLE} is not built: segment tables were not made`],
        };
      const engine = await SegmentEngine.open(ctx.db, {
        ...(options.segmentsDir ? { segmentsDir: options.segmentsDir } : {}),
        ...(options.segments ? { segments: options.segments } : {}),
        projectDir: options.projectDir ?? ctx.projectDir,
        table: customers,
        build: { asOf: ctx.asOf, vars: ctx.vars },
      });
      const warnings = engine.problems.map(
        (p) => `no segment table for a broken segment: ${formatProblem(p)}`,
      );
      const made: string[] = [];
      const sizes: SegmentSizeMeasure[] = [];
      try {
        // Segments read by others ("in segment", exclude) first; their SQL is pasted into the readers anyway.
        for (const loaded of dependencyOrder(engine.segments)) {
          const name = segmentTableName(loaded.definition.name);
          if (ctx.modelNames.has(name)) {
            warnings.push(
              `segment ${loaded.definition.name}: a model is called ${name}; the model's table is kept`,
            );
            continue;
          }
          const members = await engine.listMembers(loaded.definition.name);
          const target = `main.${quoteIdent(ctx.buildTableFor(name))}`;
          await ctx.db.run(`drop table if exists ${target}`);
          await ctx.db.run(
            `create table ${target} as
             select * exclude (is_holdout) from (${members.sql}) where not is_holdout order by customer_id`,
            members.values as never[],
          );
          made.push(name);
          sizes.push(await measureSegment(ctx.db, engine.set, loaded, members));
        }
      } catch (error) {
        for (const name of made)
          await ctx.db.run(`drop table if exists main.${quoteIdent(ctx.buildTableFor(name))}`);
        throw error;
      } finally {
        // The engine's working tables were built over the build's table: the next engine starts afresh.
        await engine.release();
      }
      return {
        tables: made,
        drop: published.filter((t) => !made.includes(t)),
        warnings,
        onPublish: (db) => recordSegmentSizes(db, { runId: ctx.runId, asOf: ctx.asOf }, sizes),
      };
    },
  };
}
