import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { findRawTable, RAW_TABLES, type RawTable } from './rawTables.ts';

/** How a raw file is read; gzip-compressed variants are read transparently by DuckDB. */
export type RawFileFormat = 'csv' | 'parquet' | 'jsonl';

export interface RawFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the load folder, with forward slashes, as shown to the user. */
  file: string;
  format: RawFileFormat;
  table: RawTable;
}

export interface UnknownFile {
  file: string;
  reason: string;
}

export interface RawFileDiscovery {
  files: RawFile[];
  unknown: UnknownFile[];
  /** Tables named by more than one file (e.g. orders.csv and orders.parquet): none of them is loaded. */
  conflicts: { table: RawTable; files: string[] }[];
}

const EXTENSIONS: readonly (readonly [string, RawFileFormat])[] = [
  ['.csv.gz', 'csv'],
  ['.csv', 'csv'],
  ['.parquet', 'parquet'],
  ['.jsonl.gz', 'jsonl'],
  ['.ndjson.gz', 'jsonl'],
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
];

function splitExtension(name: string): { stem: string; format: RawFileFormat } | undefined {
  const lower = name.toLowerCase();
  const match = EXTENSIONS.find(([ext]) => lower.endsWith(ext));
  return match ? { stem: name.slice(0, name.length - match[0].length), format: match[1] } : undefined;
}

const sourceNames = (tables: RawTable[]): string[] => [...new Set(tables.map((t) => t.source))];
const tableNames = (tables: RawTable[]): string =>
  sourceNames(tables)
    .map((s) => `${s}/<table>`)
    .join(', ');

/**
 * Finds raw table files in `dir`: `<source>/<table>.<ext>` or `<source>__<table>.<ext>` with ext csv,
 * parquet, jsonl or ndjson (optionally .gz). Everything else is reported as unknown, never loaded.
 */
export function discoverRawFiles(dir: string, tables: RawTable[] = RAW_TABLES): RawFileDiscovery {
  const found: RawFile[] = [];
  const unknown: UnknownFile[] = [];
  const show = (path: string): string => relative(dir, path).split(sep).join('/');

  const consider = (path: string, source: string, stemTable: string | undefined, name: string): void => {
    const parsed = splitExtension(name);
    if (!parsed) {
      unknown.push({ file: show(path), reason: 'not a .csv, .parquet, .jsonl or .ndjson file' });
      return;
    }
    const tableName = stemTable ?? parsed.stem;
    const table = findRawTable(source, tableName, tables);
    if (!table) {
      unknown.push({
        file: show(path),
        reason: sourceNames(tables).includes(source)
          ? `${source} has no raw table "${tableName}"`
          : `no raw table matches this name; expected ${tableNames(tables)} or <source>__<table>`,
      });
      return;
    }
    found.push({ path, file: show(path), format: parsed.format, table });
  };

  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      for (const inner of readdirSync(path).sort()) {
        if (inner.startsWith('.')) continue;
        const innerPath = join(path, inner);
        if (statSync(innerPath).isDirectory()) {
          unknown.push({ file: show(innerPath), reason: 'folders are only read one level deep' });
          continue;
        }
        consider(innerPath, entry, undefined, inner);
      }
      continue;
    }
    const parsed = splitExtension(entry);
    const separator = parsed ? parsed.stem.indexOf('__') : -1;
    if (!parsed || separator < 0) {
      consider(path, '', undefined, entry);
      continue;
    }
    consider(path, parsed.stem.slice(0, separator), parsed.stem.slice(separator + 2), entry);
  }

  const byTable = new Map<RawTable, RawFile[]>();
  for (const file of found) byTable.set(file.table, [...(byTable.get(file.table) ?? []), file]);
  const files: RawFile[] = [];
  const conflicts: RawFileDiscovery['conflicts'] = [];
  for (const [table, list] of byTable) {
    if (list.length === 1 && list[0]) files.push(list[0]);
    else conflicts.push({ table, files: list.map((f) => f.file) });
  }
  return { files, unknown, conflicts };
}
