import { existsSync, statSync } from 'node:fs';
import { quoteIdent, withSetting, type Database } from '../db/duckdb.ts';
import { discoverRawFiles, type RawFile, type UnknownFile } from './rawFileDiscovery.ts';
import {
  createMissingRawTables,
  createRawSchemas,
  RAW_TABLES,
  rawSchemaName,
  type RawColumn,
  type RawTable,
} from './rawTables.ts';

/**
 * `c360 load DIR`: replaces raw tables with the contents of CSV, Parquet or JSON-lines files.
 *
 * - Every declared column must be present (any order, case-insensitive), except those declared `optional`
 *   (added after the first release; read as null when missing); extra columns are ignored.
 * - Values are cast to the raw types with try_cast. A row whose non-empty value does not cast is not
 *   loaded; it goes to `main.load_rejections` with the column and the bad value, so one bad date
 *   never blocks a million good rows. Timestamps with an offset (`…+01:00`, `…Z`) are converted to UTC.
 * - Each table is replaced atomically: rows are written to a build table first and swapped in inside
 *   one transaction, together with that table's rejections. A failing file leaves the table as it was.
 * - Raw tables without a file keep their rows; missing raw tables are created empty so models build.
 */
export interface LoadedFile {
  file: string;
  source: string;
  table: string;
  rowsLoaded: number;
  rowsRejected: number;
  warnings: string[];
}

export interface LoadError {
  file?: string;
  source?: string;
  table?: string;
  message: string;
}

export interface LoadReport {
  dir: string;
  files: LoadedFile[];
  unknownFiles: UnknownFile[];
  errors: LoadError[];
  /** Raw tables that did not exist and were created empty (`schema.table`). */
  createdEmpty: string[];
  seconds: number;
}

export interface LoadProgressEvent {
  file: string;
  source: string;
  table: string;
  status: 'loading' | 'loaded' | 'failed';
  rowsLoaded?: number;
  rowsRejected?: number;
  seconds: number;
}

export interface LoadOptions {
  onProgress?: (event: LoadProgressEvent) => void;
  /** The raw tables of the workspace's model project (default: the repository's sources). */
  tables?: RawTable[];
}

export const LOAD_REJECTIONS_TABLE = 'main.load_rejections';

/** A problem the user can fix in the file; the message says what is wrong and what to do. */
class FileProblem extends Error {}

const sqlText = (value: string): string => `'${value.replace(/'/g, "''")}'`;
const BUILD_SUFFIX = '__load_build';

export async function loadRawFiles(
  db: Database,
  dir: string,
  options: LoadOptions = {},
): Promise<LoadReport> {
  const started = performance.now();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(
      `The folder ${dir} does not exist or is not a folder. Pass the folder that holds the exports, ` +
        'laid out as <source>/<table>.csv (or .parquet, .jsonl) or <source>__<table>.csv, e.g. shopify/orders.csv.',
    );
  }
  const tables = options.tables ?? RAW_TABLES;
  const discovery = discoverRawFiles(dir, tables);
  const report: LoadReport = {
    dir,
    files: [],
    unknownFiles: discovery.unknown,
    errors: [],
    createdEmpty: [],
    seconds: 0,
  };
  for (const conflict of discovery.conflicts) {
    report.errors.push({
      source: conflict.table.source,
      table: conflict.table.table,
      message:
        `${conflict.files.join(' and ')} all hold ${conflict.table.source}.${conflict.table.table}; none was loaded. ` +
        'Keep one file per table and run the load again.',
    });
  }
  if (discovery.files.length === 0 && discovery.conflicts.length === 0) {
    report.errors.push({
      message:
        `No raw table files found in ${dir}. Name them <source>/<table>.csv or <source>__<table>.csv ` +
        `(also .parquet, .jsonl, .ndjson), e.g. shopify/orders.csv; sources: ${[...new Set(tables.map((t) => t.source))].join(', ')}.`,
    });
  }

  await createRawSchemas((sql) => db.run(sql), tables);
  await db.run(`create table if not exists ${LOAD_REJECTIONS_TABLE} (
    source VARCHAR, "table" VARCHAR, file VARCHAR, row_number BIGINT, reason VARCHAR, raw_row VARCHAR)`);

  await withSetting(db, 'preserve_insertion_order', false, async () => {
    for (const file of discovery.files) {
      const t0 = performance.now();
      const base = { file: file.file, source: file.table.source, table: file.table.table };
      options.onProgress?.({ ...base, status: 'loading', seconds: 0 });
      try {
        const loaded = await loadFile(db, file);
        report.files.push({ ...base, ...loaded });
        options.onProgress?.({
          ...base,
          status: 'loaded',
          rowsLoaded: loaded.rowsLoaded,
          rowsRejected: loaded.rowsRejected,
          seconds: (performance.now() - t0) / 1000,
        });
      } catch (error) {
        const message =
          error instanceof FileProblem
            ? error.message
            : `Could not load ${file.file}: ${error instanceof Error ? error.message : String(error)}. ` +
              `The table ${file.table.source}.${file.table.table} was left unchanged.`;
        report.errors.push({ ...base, message });
        options.onProgress?.({ ...base, status: 'failed', seconds: (performance.now() - t0) / 1000 });
      }
    }
  });

  report.createdEmpty = await createMissingRawTables(db, tables);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

function columnDdl(columns: readonly RawColumn[]): string {
  return columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
}

interface SourceColumn {
  name: string;
  type: string;
}

/** Reads the file into temp table `load_src(__row, …)` and returns its columns (JSON lines: the keys). */
async function stageFile(db: Database, file: RawFile): Promise<{ columns: SourceColumn[]; json: boolean }> {
  const path = sqlText(file.path);
  const read: Record<RawFile['format'], string> = {
    csv: `select row_number() over () as __row, * from read_csv(${path}, header = true, all_varchar = true)`,
    parquet: `select file_row_number + 1 as __row, * exclude (file_row_number) from read_parquet(${path}, file_row_number = true)`,
    jsonl: `select row_number() over () as __row, json as __doc from read_json_objects(${path}, format = 'newline_delimited')`,
  };
  const what = {
    csv: 'UTF-8 CSV with a header row',
    parquet: 'Parquet',
    jsonl: 'JSON lines (one JSON object per line)',
  };
  try {
    // Row numbers come from scan order, which DuckDB keeps only with insertion order preserved; the
    // later steps do not need it and run in parallel without it.
    await withSetting(db, 'preserve_insertion_order', true, () =>
      db.run(`create or replace temp table load_src as ${read[file.format]}`),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new FileProblem(
      `${file.file} could not be read as ${what[file.format]}: ${reason}. Fix or re-export the file; ` +
        `${file.table.source}.${file.table.table} was left unchanged.`,
    );
  }
  if (file.format === 'jsonl') {
    const keys = await db.queryJs(
      `select key, min(__row) as first from (select __row, unnest(json_keys(__doc)) as key from load_src where json_type(__doc) = 'OBJECT') group by key order by first, key`,
    );
    const notObjects = await db.queryJs(
      `select min(__row) as r, count(*) as n from load_src where json_type(__doc) <> 'OBJECT'`,
    );
    if (Number(notObjects[0]?.n ?? 0) > 0) {
      throw new FileProblem(
        `${file.file} line ${String(notObjects[0]?.r)} is not a JSON object; every line must be one object like {"id": 1, …}. ` +
          `${file.table.source}.${file.table.table} was left unchanged.`,
      );
    }
    return { columns: keys.map((k) => ({ name: String(k.key), type: 'JSON' })), json: true };
  }
  const described = await db.queryJs('describe load_src');
  return {
    columns: described
      .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
      .filter((c) => c.name !== '__row'),
    json: false,
  };
}

/** Loads one file; throws FileProblem for problems the user has to fix in the file. */
async function loadFile(db: Database, file: RawFile): Promise<Omit<LoadedFile, 'file' | 'source' | 'table'>> {
  const table = file.table;
  const warnings: string[] = [];
  const build = `${rawSchemaName(table.source)}.${quoteIdent(table.table + BUILD_SUFFIX)}`;
  try {
    const { columns, json } = await stageFile(db, file);
    const [count] = await db.queryJs('select count(*)::BIGINT as n from load_src');
    const totalRows = Number(count?.n ?? 0);
    const mapping = mapColumns(file, table, columns, json && totalRows === 0);
    if (json && totalRows === 0) warnings.push('the file has no rows; the table is now empty');
    const absent = table.columns.filter((col) => col.optional && !mapping.sources.has(col.name));
    if (absent.length > 0 && !(json && totalRows === 0))
      warnings.push(
        `optional columns not in the file, read as empty: ${absent.map((c) => c.name).join(', ')}`,
      );
    if (mapping.extra.length > 0)
      warnings.push(`ignored columns not in ${table.source}.${table.table}: ${mapping.extra.join(', ')}`);

    const casts = table.columns.map((col) => castColumn(col, mapping.sources.get(col.name), json));
    // Typed values and "had a value" flags are materialised once: filtering on plain columns is far
    // cheaper for DuckDB than re-evaluating every cast inside one long OR filter.
    await db.run(`create or replace temp table load_typed as select __row,
      ${casts.map((c, i) => `${c.value} as __v${i}, ${c.input} is not null as __h${i}`).join(',\n      ')}
      from load_src`);
    const bad = casts.map((_, i) => `(__h${i} and __v${i} is null)`).join(' or ') || 'false';
    await db.run(`create or replace table ${build} (${columnDdl(table.columns)})`);
    await db.run(`insert into ${build} select ${casts.map((c, i) => `__v${i} as ${quoteIdent(c.name)}`).join(', ')}
      from load_typed where not (${bad})`);

    const rawRow = json
      ? '__doc::VARCHAR'
      : `json_object(${columns.map((c) => `${sqlText(c.name)}, ${quoteIdent(c.name)}`).join(', ')})::VARCHAR`;
    const reasons = casts.map((c) => `case when ${c.failed} then ${c.reason} end`).join(', ');
    await db.run(`create or replace temp table load_rej as
      select ${sqlText(table.source)} as source, ${sqlText(table.table)} as "table", ${sqlText(file.file)} as file,
        __row as row_number, concat_ws('; ', ${reasons}) as reason, ${rawRow} as raw_row
      from load_src where __row in (select __row from load_typed where ${bad})`);
    const [rej] = await db.queryJs('select count(*)::BIGINT as n from load_rej');
    const rowsRejected = Number(rej?.n ?? 0);
    if (rowsRejected > 0) {
      warnings.push(
        `${rowsRejected} row(s) with values that do not fit the column type were skipped; see ${LOAD_REJECTIONS_TABLE}`,
      );
    }

    await db.run('begin transaction');
    try {
      await db.run(`drop table if exists ${rawSchemaName(table.source)}.${quoteIdent(table.table)}`);
      await db.run(`alter table ${build} rename to ${quoteIdent(table.table)}`);
      await db.run(
        `delete from ${LOAD_REJECTIONS_TABLE} where source = ${sqlText(table.source)} and "table" = ${sqlText(table.table)}`,
      );
      await db.run(`insert into ${LOAD_REJECTIONS_TABLE} select * from load_rej`);
      await db.run('commit');
    } catch (error) {
      await db.run('rollback');
      throw error;
    }
    return { rowsLoaded: totalRows - rowsRejected, rowsRejected, warnings };
  } finally {
    await db.run(`drop table if exists ${build}`).catch(() => undefined);
    await db.run('drop table if exists temp.load_src').catch(() => undefined);
    await db.run('drop table if exists temp.load_rej').catch(() => undefined);
    await db.run('drop table if exists temp.load_typed').catch(() => undefined);
  }
}

/** Matches file columns to raw columns by name, ignoring case and surrounding spaces. */
function mapColumns(
  file: RawFile,
  table: RawTable,
  columns: SourceColumn[],
  emptyJson: boolean,
): { sources: Map<string, SourceColumn>; extra: string[] } {
  const byKey = new Map<string, SourceColumn[]>();
  for (const c of columns) {
    const key = c.name.trim().toLowerCase();
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const sources = new Map<string, SourceColumn>();
  const missing: string[] = [];
  for (const col of table.columns) {
    const matches = byKey.get(col.name) ?? [];
    if (matches.length > 1) {
      throw new FileProblem(
        `${file.file} has the column ${col.name} more than once (${matches.map((m) => `"${m.name}"`).join(', ')}). ` +
          `Keep one and run the load again; ${table.source}.${table.table} was left unchanged.`,
      );
    }
    const match = matches[0];
    if (match) sources.set(col.name, match);
    else if (!emptyJson && !col.optional) missing.push(col.name);
  }
  if (missing.length > 0) {
    throw new FileProblem(
      `${file.file} is missing the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${table.source}.${table.table}. ` +
        `Expected columns: ${table.columns.map((c) => c.name + (c.optional ? ' (optional)' : '')).join(', ')}. Add the missing columns (empty values are fine) ` +
        `and run the load again; the table was left unchanged.`,
    );
  }
  const known = new Set(table.columns.map((c) => c.name));
  const extra = columns.filter((c) => !known.has(c.name.trim().toLowerCase())).map((c) => c.name);
  return { sources, extra };
}

interface ColumnCast {
  name: string;
  /** SQL of the source value as read (null when empty). */
  input: string;
  /** SQL of the typed value. */
  value: string;
  /** SQL that is true when a non-empty source value did not cast. */
  failed: string;
  /** SQL of the rejection reason for this column. */
  reason: string;
}

const NESTED = /^(STRUCT|MAP|UNION)\b|\]$|^JSON$/;

function castColumn(col: RawColumn, source: SourceColumn | undefined, json: boolean): ColumnCast {
  if (!source)
    return { name: col.name, input: 'null', value: `null::${col.type}`, failed: 'false', reason: 'null' };
  const ref = json ? `(__doc ->> ${sqlText(source.name)})` : quoteIdent(source.name);
  const text = json || source.type === 'VARCHAR';
  let input: string;
  let value: string;
  if (col.type === 'VARCHAR') {
    // Text stays as written (whitespace and case are the models' business); nested values become JSON.
    input = text ? ref : NESTED.test(source.type) ? `to_json(${ref})::VARCHAR` : `cast(${ref} as VARCHAR)`;
    value = input;
  } else if (text) {
    // An empty field means "no value" for typed columns, not a bad value.
    input = `nullif(trim(${ref}), '')`;
    value =
      col.type === 'TIMESTAMP'
        ? // An offset ('Z', '+01:00', '-0500') can only follow the time part, i.e. after character 11.
          `case when ends_with(${input}, 'Z') or strpos(substr(${input}, 12), '+') > 0 or strpos(substr(${input}, 12), '-') > 0
            then timezone('UTC', try_cast(${input} as TIMESTAMPTZ)) else try_cast(${input} as TIMESTAMP) end`
        : `try_cast(${input} as ${col.type})`;
  } else {
    input = ref;
    value =
      col.type === 'TIMESTAMP' && source.type === 'TIMESTAMP WITH TIME ZONE'
        ? `timezone('UTC', ${ref})`
        : `try_cast(${ref} as ${col.type})`;
  }
  const shown = `left(cast(${input} as VARCHAR), 100)`;
  return {
    name: col.name,
    input,
    value,
    failed: `(${input} is not null and (${value}) is null)`,
    reason: `${sqlText(`${col.name}: `)} || '''' || ${shown} || ${sqlText(`' is not a valid ${col.type}`)}`,
  };
}
