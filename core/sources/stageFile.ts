import { quoteText, withSetting, type Database } from '../db/duckdb.ts';
import { convertToUtf8, scanCsv, showDelimiter, sniffCsv, type CsvDialect } from './csvDialect.ts';
import type { CsvSettings } from './loadConfig.ts';
import type { RawFile } from './rawFileDiscovery.ts';
import { C360Error, type C360ErrorOptions } from '../errors.ts';

/**
 * The first step of loading a file: reading it as it is into temp table `load_src(__row, …)` (CSV as text in its
 * dialect, Parquet typed, JSON lines as documents), or saying why it cannot be read.
 */

/** A problem the user can fix in the file; the message says what is wrong and what to do. */
export class FileProblem extends C360Error {
  override name = 'FileProblem';
  constructor(message: string, options?: C360ErrorOptions) {
    super('INVALID_INPUT', message, options);
  }
}

export interface SourceColumn {
  name: string;
  type: string;
}

export interface Staged {
  columns: SourceColumn[];
  json: boolean;
  /** The CSV as DuckDB read it (a UTF-8 copy of a Windows-1252 file) and its dialect. */
  csv?: { path: string; dialect: CsvDialect };
  /** A 0-byte file: no header, no rows. */
  zeroBytes: boolean;
}

export interface StageContext {
  /** The CSV settings of the file's table from the config (unset ones are detected). */
  settings: CsvSettings;
  /** Collects what the user should know about how the file was read. */
  warnings: string[];
  /** Collects the removal of temp files, run once the file is loaded. */
  cleanup: (() => Promise<void>)[];
}

const WHAT = {
  csv: 'CSV with a header row',
  parquet: 'Parquet',
  jsonl: 'JSON lines (one JSON object per line)',
};
/**
 * Allowed on a second try when DuckDB finds a line longer than its default 2 MB (a long text field). The read
 * buffer is set beside it: by default DuckDB sizes it at 16 times the line size, 1 GB per thread here.
 */
const LONG_LINE_BYTES = 64 * 1024 * 1024;

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/** Creates temp table `load_src(__row, …)` from `select`; row numbers need the scan order, kept only with insertion order preserved. */
async function createLoadSrc(db: Database, select: string): Promise<void> {
  await withSetting(db, 'preserve_insertion_order', true, () =>
    db.run(`create or replace temp table load_src as ${select}`),
  );
}

async function loadSrcColumns(db: Database): Promise<SourceColumn[]> {
  const described = await db.queryJs('describe load_src');
  return described
    .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
    .filter((c) => c.name !== '__row');
}

const csvSelect = (path: string, dialect: CsvDialect, maxLineSize?: number): string =>
  `select row_number() over () as __row, * from read_csv(${quoteText(path)}, header = true, all_varchar = true,
    delim = ${quoteText(dialect.delimiter)}, quote = '"', escape = '"'${maxLineSize ? `, max_line_size = ${maxLineSize}, buffer_size = ${2 * maxLineSize}` : ''})`;

/**
 * Reads a CSV into `load_src` as text. Windows-1252 is converted to a temp UTF-8 copy first (`cleanup` removes
 * it); a file detected as UTF-8 that has other bytes further down is read again as Windows-1252 (and says so).
 * When DuckDB cannot read it, the file is walked in Node to say why and on which line.
 */
async function stageCsv(db: Database, file: RawFile, context: StageContext): Promise<Staged> {
  const { settings, warnings, cleanup } = context;
  const unchanged = `${file.table.source}.${file.table.table} was left unchanged.`;
  const dialect = await sniffCsv(file.path, settings);
  if (dialect.empty) {
    await createLoadSrc(db, 'select 1::BIGINT as __row where false');
    return { columns: [], json: false, zeroBytes: true };
  }
  let path = file.path;
  const convert = async (): Promise<void> => {
    const converted = await convertToUtf8(file.path);
    cleanup.push(converted.remove);
    path = converted.path;
  };
  if (dialect.encoding === 'windows-1252') await convert();
  const read = async (maxLineSize?: number): Promise<void> =>
    createLoadSrc(db, csvSelect(path, dialect, maxLineSize));
  try {
    try {
      await read();
    } catch (error) {
      const message = String(error);
      if (/invalid unicode/i.test(message) && dialect.encoding === 'utf-8' && dialect.detected.encoding) {
        const scan = await scanCsv(file.path, dialect.delimiter, { checkUtf8: true });
        warnings.push(`read as Windows-1252: ${scan.problem ?? 'it is not UTF-8'}`);
        dialect.encoding = 'windows-1252';
        await convert();
        await read();
      } else if (/maximum line size/i.test(message)) await read(LONG_LINE_BYTES);
      else throw error;
    }
  } catch (error) {
    const scan = await scanCsv(path, dialect.delimiter, { checkUtf8: dialect.encoding === 'utf-8' });
    const how = `${dialect.encoding === 'utf-8' ? 'UTF-8' : 'Windows-1252'}, delimiter ${showDelimiter(dialect.delimiter)}`;
    throw new FileProblem(
      `${file.file} could not be read as ${WHAT.csv} (${how}): ${scan.problem ?? firstLine(error)}. ` +
        `Fix or re-export the file${dialect.detected.delimiter || dialect.detected.encoding ? ', or set the delimiter and encoding of the source in c360.config.yaml (sources:)' : ''}; ${unchanged}`,
    );
  }
  return { columns: await loadSrcColumns(db), json: false, csv: { path, dialect }, zeroBytes: false };
}

/** Reads the file into temp table `load_src(__row, …)` and returns its columns (JSON lines: the keys). */
export async function stageFile(db: Database, file: RawFile, context: StageContext): Promise<Staged> {
  if (file.format === 'csv') return stageCsv(db, file, context);
  const path = quoteText(file.path);
  const read = {
    parquet: `select file_row_number + 1 as __row, * exclude (file_row_number) from read_parquet(${path}, file_row_number = true)`,
    jsonl: `select row_number() over () as __row, json as __doc from read_json_objects(${path}, format = 'newline_delimited')`,
  };
  try {
    await createLoadSrc(db, read[file.format]);
  } catch (error) {
    throw new FileProblem(
      `${file.file} could not be read as ${WHAT[file.format]}: ${firstLine(error)}. Fix or re-export the file; ` +
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
    return {
      columns: keys.map((k) => ({ name: String(k.key), type: 'JSON' })),
      json: true,
      zeroBytes: false,
    };
  }
  return { columns: await loadSrcColumns(db), json: false, zeroBytes: false };
}
