import { existsSync, statSync } from 'node:fs';
import { quoteIdent, quoteText, withSetting, type Database } from '../db/duckdb.ts';
import { withTransaction } from '../db/transaction.ts';
import { interruptible, uninterruptible } from '../db/interrupt.ts';
import { C360Error } from '../errors.ts';
import {
  castText,
  describeFormats,
  detectColumnFormats,
  expectation,
  type ColumnFormat,
} from './columnFormats.ts';
import { scanCsv, showDelimiter } from './csvDialect.ts';
import {
  csvSettingsFor,
  DEFAULT_MAX_REJECT_SHARE,
  type CsvSettings,
  type SourcesLoadConfig,
} from './loadConfig.ts';
import { discoverRawFiles, type RawFile, type UnknownFile } from './rawFileDiscovery.ts';
import {
  createMissingRawTables,
  createRawSchemas,
  RAW_TABLES,
  rawSchemaName,
  type RawColumn,
  type RawTable,
} from './rawTables.ts';
import { FileProblem, stageFile, type SourceColumn, type Staged } from './stageFile.ts';

/**
 * `c360 load DIR`: replaces raw tables with the contents of CSV, Parquet or JSON-lines files.
 *
 * - Every declared column must be present (any order, case-insensitive), except those declared `optional`
 *   (added after the first release; read as null when missing); extra columns are ignored.
 * - CSV dialects (encoding, delimiter, decimal comma, DD.MM.YYYY dates) are detected per file and column or
 *   set in the config (csvDialect.ts, columnFormats.ts); Windows-1252 files are converted to UTF-8 first.
 * - Values are cast to the raw types. A row whose non-empty value does not cast is not loaded; it goes to
 *   `main.load_rejections` with its line, column and the bad value, so one bad date never blocks a million
 *   good rows. Timestamps with an offset (`…+01:00`, `…Z`) are converted to UTC.
 * - A file that would reject more than `maxRejectShare` of its rows or leave its table empty replaces
 *   nothing (it is refused) unless forced: a wrong dialect or a failed export upstream must not wipe data.
 * - Each table is replaced atomically: rows are written to a build table first and swapped in inside
 *   one transaction, together with that table's rejections. A failing or refused file leaves the table as
 *   it was; the other files of the load still load (each table stands alone, as with a failing file).
 * - Raw tables without a file keep their rows; missing raw tables are created empty so models build.
 */
export interface LoadedFile {
  file: string;
  source: string;
  table: string;
  rowsLoaded: number;
  rowsRejected: number;
  warnings: string[];
  /** How a CSV was read where it differs from UTF-8 with commas and ISO values (e.g. `Windows-1252`). */
  readAs: string[];
}

export interface RejectionExample {
  /** Physical line in the file (CSV: where the row starts; JSON lines: the line); null for Parquet. */
  line: number | null;
  column: string;
  reason: string;
}

/** A file that was read but replaced nothing, because loading it would lose data (see LoadOptions). */
export interface RefusedFile {
  file: string;
  source: string;
  table: string;
  rows: number;
  rowsRejected: number;
  /** Rows the table keeps. */
  rowsKept: number;
  reason: string;
  examples: RejectionExample[];
  /** Reason, examples and how to load it anyway, for people. */
  message: string;
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
  refused: RefusedFile[];
  /** Raw tables that did not exist and were created empty (`schema.table`). */
  createdEmpty: string[];
  seconds: number;
}

export interface LoadProgressEvent {
  file: string;
  source: string;
  table: string;
  status: 'loading' | 'loaded' | 'refused' | 'failed';
  rowsLoaded?: number;
  rowsRejected?: number;
  seconds: number;
}

export interface LoadOptions {
  onProgress?: (event: LoadProgressEvent) => void;
  /** The raw tables of the workspace's model project (default: the repository's sources). */
  tables?: RawTable[];
  /** CSV settings per source and table (`c360.config.yaml` `sources:`); unset settings are detected. */
  sources?: SourcesLoadConfig;
  /** A file rejecting more than this share of its rows replaces nothing (default DEFAULT_MAX_REJECT_SHARE). */
  maxRejectShare?: number;
  /** Load refused files anyway (too many rejections, or an empty file emptying its table). */
  force?: boolean;
  /**
   * Cancels the load: the file being loaded stops at once (DuckDB's interrupt) and its table stays as it was,
   * no further file starts, and the load ends with CANCELLED naming the files already loaded (they stay).
   */
  signal?: AbortSignal;
}

export const LOAD_REJECTIONS_TABLE = 'main.load_rejections';

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
    refused: [],
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
  for (const message of unknownConfigNames(options.sources, tables)) report.errors.push({ message });
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
  // line and column came later: workspaces loaded before get them (empty for their old rejections)
  await db.run(`alter table ${LOAD_REJECTIONS_TABLE} add column if not exists line BIGINT`);
  await db.run(`alter table ${LOAD_REJECTIONS_TABLE} add column if not exists "column" VARCHAR`);

  await withSetting(db, 'preserve_insertion_order', false, async () => {
    for (const file of discovery.files) {
      if (options.signal?.aborted) throw loadCancelled(report);
      const t0 = performance.now();
      const base = { file: file.file, source: file.table.source, table: file.table.table };
      options.onProgress?.({ ...base, status: 'loading', seconds: 0 });
      try {
        const outcome = await loadFile(options.signal ? interruptible(db, options.signal) : db, file, {
          settings: csvSettingsFor(options.sources, file.table.source, file.table.table),
          maxRejectShare: options.maxRejectShare ?? DEFAULT_MAX_REJECT_SHARE,
          force: options.force ?? false,
        });
        if ('refused' in outcome) {
          report.refused.push({ ...base, ...outcome.refused });
          options.onProgress?.({
            ...base,
            status: 'refused',
            rowsLoaded: 0,
            rowsRejected: outcome.refused.rowsRejected,
            seconds: (performance.now() - t0) / 1000,
          });
          continue;
        }
        report.files.push({ ...base, ...outcome });
        options.onProgress?.({
          ...base,
          status: 'loaded',
          rowsLoaded: outcome.rowsLoaded,
          rowsRejected: outcome.rowsRejected,
          seconds: (performance.now() - t0) / 1000,
        });
      } catch (error) {
        if (options.signal?.aborted) {
          options.onProgress?.({ ...base, status: 'failed', seconds: (performance.now() - t0) / 1000 });
          throw loadCancelled(report, file.file);
        }
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

/** The error a cancelled load ends with: what was loaded stays, the file it was loading is unchanged. */
function loadCancelled(report: LoadReport, stoppedAt?: string): C360Error {
  const loaded = report.files.map((f) => f.file);
  return new C360Error(
    'CANCELLED',
    `The load was cancelled${stoppedAt ? ` while loading ${stoppedAt}, whose table was left unchanged` : ''}. ` +
      (loaded.length ? `Loaded before that and kept: ${loaded.join(', ')}. ` : 'Nothing was loaded. ') +
      'Run the load again to load the rest.',
    { details: { loaded } },
  );
}

/** Sources and tables named under `sources:` in the config that the project does not declare (a typo would be ignored). */
function unknownConfigNames(config: SourcesLoadConfig | undefined, tables: RawTable[]): string[] {
  const sources = [...new Set(tables.map((t) => t.source))];
  return Object.entries(config ?? {}).flatMap(([source, settings]) => {
    if (!sources.includes(source))
      return [
        `c360.config.yaml sources: "${source}" is not a source of this project (sources: ${sources.join(', ')}); its CSV settings were not used.`,
      ];
    const known = tables.filter((t) => t.source === source).map((t) => t.table);
    return Object.keys(settings.tables ?? {})
      .filter((table) => !known.includes(table))
      .map(
        (table) =>
          `c360.config.yaml sources: ${source} has no table "${table}" (tables: ${known.join(', ')}); its CSV settings were not used.`,
      );
  });
}

function columnDdl(columns: readonly RawColumn[]): string {
  return columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
}

interface FilePolicy {
  settings: CsvSettings;
  maxRejectShare: number;
  force: boolean;
}

type FileOutcome =
  Omit<LoadedFile, 'file' | 'source' | 'table'> | { refused: Omit<RefusedFile, 'file' | 'source' | 'table'> };

const EXAMPLES = 5;
const percent = (share: number): string => `${Number((share * 100).toFixed(2)).toLocaleString('en')} %`;

/**
 * Fills `line` of the rejections in `load_rej` (all of them, or only the first `limit`) by walking the file in
 * Node: CSV quoted fields may span lines, and DuckDB skips blank lines of both CSV and JSON lines. Parquet has
 * no lines.
 */
async function fillRejectionLines(
  db: Database,
  file: RawFile,
  staged: Staged,
  limit?: number,
): Promise<void> {
  if (!staged.csv && !staged.json) return;
  const rows = await db.queryJs(
    `select row_number from load_rej order by row_number${limit ? ` limit ${limit}` : ''}`,
  );
  const scan = await scanCsv(staged.csv?.path ?? file.path, staged.csv?.dialect.delimiter ?? ',', {
    wantedRows: rows.map((r) => Number(r.row_number)),
    jsonLines: staged.json,
  });
  if (scan.lines.size === 0) return;
  await db.run('create or replace temp table load_lines (row_number BIGINT, line BIGINT)');
  const pairs = [...scan.lines];
  for (let i = 0; i < pairs.length; i += 1000) {
    const values = pairs.slice(i, i + 1000).map(([row, line]) => `(${row}, ${line})`);
    await db.run(`insert into load_lines values ${values.join(', ')}`);
  }
  await db.run(
    'update load_rej set line = l.line from load_lines l where load_rej.row_number = l.row_number',
  );
  await db.run('drop table if exists temp.load_lines');
}

/** Why the file must not replace its table, or undefined when it may. */
function refusalReason(staged: Staged, rows: number, rejected: number, maxShare: number): string | undefined {
  if (staged.zeroBytes) return 'the file is empty: no header row';
  if (rows === 0) return 'the file has no data rows';
  if (rejected === rows) return `all ${rows} rows were rejected`;
  if (rejected / rows > maxShare)
    return `${rejected} of ${rows} rows (${percent(rejected / rows)}) were rejected, more than the allowed ${percent(maxShare)}`;
  return undefined;
}

async function countRows(db: Database, table: string): Promise<number> {
  try {
    const [row] = await db.queryJs(`select count(*)::BIGINT as n from ${table}`);
    return Number(row?.n ?? 0);
  } catch {
    return 0;
  }
}

/** Loads one file; throws FileProblem for problems the user has to fix in the file. */
async function loadFile(db: Database, file: RawFile, policy: FilePolicy): Promise<FileOutcome> {
  const table = file.table;
  const warnings: string[] = [];
  const cleanup: (() => Promise<void>)[] = [];
  const target = `${rawSchemaName(table.source)}.${quoteIdent(table.table)}`;
  const build = `${rawSchemaName(table.source)}.${quoteIdent(table.table + BUILD_SUFFIX)}`;
  try {
    const staged = await stageFile(db, file, { settings: policy.settings, warnings, cleanup });
    const { columns, json } = staged;
    const [count] = await db.queryJs('select count(*)::BIGINT as n from load_src');
    const totalRows = Number(count?.n ?? 0);
    // A file without columns (0 bytes, or JSON lines without rows) can only empty the table: nothing is missing.
    const empty = totalRows === 0 && columns.length === 0;
    const mapping = mapColumns(file, table, columns, empty || (json && totalRows === 0));
    const absent = table.columns.filter((col) => col.optional && !mapping.sources.has(col.name));
    if (absent.length > 0 && totalRows > 0)
      warnings.push(
        `optional columns not in the file, read as empty: ${absent.map((c) => c.name).join(', ')}`,
      );
    if (mapping.extra.length > 0)
      warnings.push(`ignored columns not in ${table.source}.${table.table}: ${mapping.extra.join(', ')}`);

    const formats = staged.csv
      ? await detectColumnFormats(
          db,
          table.columns.flatMap((column) => {
            const source = mapping.sources.get(column.name);
            return source ? [{ column, source: source.name }] : [];
          }),
          policy.settings,
        )
      : new Map<string, ColumnFormat>();
    const readAs = staged.csv
      ? [
          ...(staged.csv.dialect.encoding === 'windows-1252' ? ['Windows-1252'] : []),
          ...(staged.csv.dialect.delimiter === ','
            ? []
            : [`delimiter ${showDelimiter(staged.csv.dialect.delimiter)}`]),
          ...describeFormats(formats),
        ]
      : [];

    const casts = table.columns.map((col) =>
      castColumn(col, mapping.sources.get(col.name), json, formats.get(col.name)),
    );
    // Typed values and "had a value" flags are materialised once: filtering on plain columns is far
    // cheaper for DuckDB than re-evaluating every cast inside one long OR filter.
    await db.run(`create or replace temp table load_typed as select __row,
      ${casts.map((c, i) => `${c.value} as __v${i}, ${c.input} is not null as __h${i}`).join(',\n      ')}
      from load_src`);
    const failed = casts.map((_, i) => `(__h${i} and __v${i} is null)`);
    const bad = failed.join(' or ') || 'false';

    const rawRow = json
      ? '__doc::VARCHAR'
      : `json_object(${columns.map((c) => `${quoteText(c.name)}, ${quoteIdent(c.name)}`).join(', ')})::VARCHAR`;
    const reasons = casts.map((c, i) => `case when ${failed[i]} then ${c.reason} end`).join(', ');
    const names = casts.map((c, i) => `case when ${failed[i]} then ${quoteText(c.name)} end`).join(', ');
    await db.run(`create or replace temp table load_rej as
      select ${quoteText(table.source)} as source, ${quoteText(table.table)} as "table", ${quoteText(file.file)} as file,
        s.__row as row_number, null::BIGINT as line, concat_ws(', ', ${names || 'null'}) as "column",
        concat_ws('; ', ${reasons || 'null'}) as reason, ${rawRow} as raw_row
      from load_src s join (select * from load_typed where ${bad}) t on s.__row = t.__row`);
    const [rej] = await db.queryJs('select count(*)::BIGINT as n from load_rej');
    const rowsRejected = Number(rej?.n ?? 0);

    const refusal = refusalReason(staged, totalRows, rowsRejected, policy.maxRejectShare);
    if (refusal && !policy.force) {
      await fillRejectionLines(db, file, staged, EXAMPLES);
      const examples = (
        await db.queryJs(`select line, "column", reason from load_rej order by row_number limit ${EXAMPLES}`)
      ).map((r) => ({
        line: r.line === null ? null : Number(r.line),
        column: String(r.column),
        reason: String(r.reason),
      }));
      const rowsKept = await countRows(db, target);
      const shown = examples.map((e) => `${e.line === null ? '' : `line ${e.line}, `}${e.reason}`);
      return {
        refused: {
          rows: totalRows,
          rowsRejected,
          rowsKept,
          reason: refusal,
          examples,
          message:
            `${file.file} was not loaded: ${refusal}${readAs.length ? ` (read as ${readAs.join(', ')})` : ''}. ` +
            `raw_${table.source}.${table.table} keeps its ${rowsKept} rows.` +
            (shown.length ? ` First rejections: ${shown.join(' | ')}.` : '') +
            ` Fix the file${staged.csv && rowsRejected > 0 ? ' (or set its dialect under sources: in c360.config.yaml)' : ''}, or load it anyway with c360 load --force` +
            (rowsRejected > 0 && rowsRejected < totalRows ? ' or a higher --max-reject-share.' : '.'),
        },
      };
    }
    if (refusal) warnings.push(`loaded because of --force although ${refusal}`);
    if (rowsRejected > 0) {
      await fillRejectionLines(db, file, staged);
      warnings.push(
        `${rowsRejected} row(s) with values that do not fit the column type were skipped; see ${LOAD_REJECTIONS_TABLE}`,
      );
    }

    await db.run(`create or replace table ${build} (${columnDdl(table.columns)})`);
    await db.run(`insert into ${build} select ${casts.map((c, i) => `__v${i} as ${quoteIdent(c.name)}`).join(', ')}
      from load_typed where not (${bad})`);
    await withTransaction(db, async (tx) => {
      await tx.run(`drop table if exists ${target}`);
      await tx.run(`alter table ${build} rename to ${quoteIdent(table.table)}`);
      await tx.run(
        `delete from ${LOAD_REJECTIONS_TABLE} where source = ${quoteText(table.source)} and "table" = ${quoteText(table.table)}`,
      );
      await tx.run(`insert into ${LOAD_REJECTIONS_TABLE} by name select * from load_rej`);
    });
    return { rowsLoaded: totalRows - rowsRejected, rowsRejected, warnings, readAs };
  } finally {
    // on the connection without the signal: a cancelled load still cleans up after itself
    const plain = uninterruptible(db);
    await plain.run(`drop table if exists ${build}`).catch(() => undefined);
    await plain.run('drop table if exists temp.load_src').catch(() => undefined);
    await plain.run('drop table if exists temp.load_rej').catch(() => undefined);
    await plain.run('drop table if exists temp.load_typed').catch(() => undefined);
    for (const remove of cleanup) await remove().catch(() => undefined);
  }
}

/** Matches file columns to raw columns by name, ignoring case and surrounding spaces. */
function mapColumns(
  file: RawFile,
  table: RawTable,
  columns: SourceColumn[],
  noColumnsNeeded: boolean,
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
    else if (!noColumnsNeeded && !col.optional) missing.push(col.name);
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

const ISO: ColumnFormat = { decimalComma: false, dateFormat: 'YYYY-MM-DD' };

function castColumn(
  col: RawColumn,
  source: SourceColumn | undefined,
  json: boolean,
  format: ColumnFormat = ISO,
): ColumnCast {
  if (!source)
    return { name: col.name, input: 'null', value: `null::${col.type}`, failed: 'false', reason: 'null' };
  const ref = json ? `(__doc ->> ${quoteText(source.name)})` : quoteIdent(source.name);
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
    value = castText(input, col.type, format);
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
    reason: `${quoteText(`${col.name}: `)} || '''' || ${shown} || ${quoteText(`' is not ${expectation(col.type, format)}`)}`,
  };
}
