import type { Database } from '../db/duckdb.ts';
import { repositorySources, type SalesChannelModels, type SourceDoc } from './sourceFile.ts';

/**
 * The raw source tables of SPEC §3: what the demo generator writes, what `c360 load` accepts and what
 * the staging models read through `{{ source(...) }}`. One schema per source (`raw_<source>`). Declared in
 * YAML beside the models (`sql/models/staging/_sources.yml`); this module turns the declarations into tables.
 * Types are DuckDB types; timestamps are UTC without a zone.
 */
export interface RawColumn {
  name: string;
  type: string;
  description: string;
  /** Added after the first release: missing in a file or an older table, it reads as null. */
  optional?: boolean;
}

export interface RawTable {
  source: SourceName;
  table: string;
  description: string;
  columns: RawColumn[];
}

/** A source name as declared in the sources YAML (shopify, amazon, …). */
export type SourceName = string;

/** A sales channel: a source whose staging models provide the channel contract (sql/DEFINITIONS.md). */
export interface SalesChannel extends SalesChannelModels {
  channel: string;
}

export function rawTablesOf(sources: SourceDoc[]): RawTable[] {
  return sources.flatMap((source) =>
    source.tables.map((table) => ({
      source: source.name,
      table: table.name,
      description: table.description,
      columns: table.columns,
    })),
  );
}

export function salesChannelsOf(sources: SourceDoc[]): SalesChannel[] {
  return sources.flatMap((source) =>
    source.sales_channel ? [{ channel: source.name, ...source.sales_channel }] : [],
  );
}

/** The repository's own model project's sources: the demo generator writes exactly these. */
export const DEFAULT_SOURCES: SourceDoc[] = repositorySources();
export const RAW_TABLES: RawTable[] = rawTablesOf(DEFAULT_SOURCES);

export function rawSchemaName(source: SourceName): string {
  return `raw_${source}`;
}

export function findRawTable(
  source: string,
  table: string,
  tables: RawTable[] = RAW_TABLES,
): RawTable | undefined {
  return tables.find((t) => t.source === source && t.table === table);
}

/** `CREATE TABLE` statement for a raw table: replacing an existing one, or only when it is missing. */
export function rawTableDdl(table: RawTable, options: { ifNotExists?: boolean } = {}): string {
  const cols = table.columns.map((col) => `  "${col.name}" ${col.type}`).join(',\n');
  const create = options.ifNotExists ? 'create table if not exists' : 'create or replace table';
  return `${create} ${rawSchemaName(table.source)}."${table.table}" (\n${cols}\n)`;
}

export async function createRawSchemas(
  run: (sql: string) => Promise<void>,
  tables: RawTable[] = RAW_TABLES,
): Promise<void> {
  for (const source of new Set(tables.map((t) => t.source)))
    await run(`create schema if not exists ${rawSchemaName(source)}`);
}

/**
 * Creates the raw schemas and every raw table that does not exist yet (empty); returns `schema.table` names.
 * A table written by an older version lacks the columns declared `optional` since: they are added (null), so
 * old workspaces keep building.
 */
export async function createMissingRawTables(
  db: Database,
  tables: RawTable[] = RAW_TABLES,
): Promise<string[]> {
  await createRawSchemas((sql) => db.run(sql), tables);
  const columns = await db.queryJs(
    `select table_schema || '.' || table_name as t, column_name as c from information_schema.columns`,
  );
  const existing = new Map<string, Set<string>>();
  for (const row of columns) {
    const name = String(row.t);
    existing.set(name, (existing.get(name) ?? new Set()).add(String(row.c)));
  }
  const created: string[] = [];
  for (const table of tables) {
    const name = `${rawSchemaName(table.source)}.${table.table}`;
    const present = existing.get(name);
    if (!present) {
      await db.run(rawTableDdl(table, { ifNotExists: true }));
      created.push(name);
      continue;
    }
    for (const column of table.columns.filter((col) => col.optional && !present.has(col.name))) {
      await db.run(
        `alter table ${rawSchemaName(table.source)}."${table.table}" add column if not exists "${column.name}" ${column.type}`,
      );
    }
  }
  return created;
}
