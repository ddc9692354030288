import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import iconv from 'iconv-lite';
import { CSV_DELIMITERS, type CsvDelimiter, type CsvEncoding, type CsvSettings } from './loadConfig.ts';

/**
 * How a CSV export is written: encoding and delimiter, sniffed in Node from the first 64 KB unless the
 * workspace config sets them. Everything here reads bytes, never whole files into memory, and the per-byte
 * scans run only when a file failed to read or has rejected rows (the happy path is DuckDB's own reader).
 */
export interface CsvDialect {
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
  /** Whether the encoding / delimiter came from the file (true) or the config. */
  detected: { encoding: boolean; delimiter: boolean };
  /** The file (decompressed) has no bytes at all. */
  empty: boolean;
}

const SNIFF_BYTES = 64 * 1024;
const QUOTE = 0x22;
const NEWLINE = 0x0a;
const CR = 0x0d;

/** The file's bytes, decompressed when it ends in .gz (DuckDB reads those transparently too). */
export function openBytes(path: string): Readable {
  const raw = createReadStream(path);
  if (!path.toLowerCase().endsWith('.gz')) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

async function readHead(path: string): Promise<{ bytes: Buffer; complete: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = openBytes(path);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= SNIFF_BYTES) {
      stream.destroy();
      return { bytes: Buffer.concat(chunks).subarray(0, SNIFF_BYTES), complete: false };
    }
  }
  return { bytes: Buffer.concat(chunks), complete: true };
}

/** Cuts a multi-byte UTF-8 sequence that the sample boundary split in two. */
function trimPartialUtf8(bytes: Buffer): Buffer {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = bytes[end - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    if (b >= 0xc0) end -= back; // a lead byte whose sequence may be cut: drop it and its continuations
    break;
  }
  return bytes.subarray(0, end);
}

export function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Counts of each candidate delimiter per record (outside quotes) in the sample; the last, maybe cut record is left out. */
function delimiterCounts(bytes: Buffer, complete: boolean): Map<CsvDelimiter, number[]> {
  const codes = CSV_DELIMITERS.map((d) => d.charCodeAt(0));
  const counts = new Map<CsvDelimiter, number[]>(CSV_DELIMITERS.map((d) => [d, []]));
  let current = codes.map(() => 0);
  let inQuote = false;
  let content = false;
  const finish = (): void => {
    if (content) CSV_DELIMITERS.forEach((d, i) => counts.get(d)?.push(current[i] ?? 0));
    current = codes.map(() => 0);
    content = false;
  };
  for (const b of bytes) {
    if (b === QUOTE) inQuote = !inQuote;
    else if (!inQuote && b === NEWLINE) {
      finish();
      continue;
    } else if (!inQuote) {
      const i = codes.indexOf(b);
      if (i >= 0) current[i] = (current[i] ?? 0) + 1;
    }
    if (b !== CR) content = true;
  }
  if (complete) finish();
  return counts;
}

/** The delimiter whose count per line is the same on most lines (ties: the one splitting the header most). */
export function sniffDelimiter(bytes: Buffer, complete: boolean): CsvDelimiter {
  let best: { delimiter: CsvDelimiter; consistent: number; fields: number } | undefined;
  for (const [delimiter, perLine] of delimiterCounts(bytes, complete)) {
    const header = perLine[0] ?? 0;
    if (header === 0) continue;
    const consistent = perLine.filter((n) => n === header).length / perLine.length;
    if (!best || consistent > best.consistent || (consistent === best.consistent && header > best.fields))
      best = { delimiter, consistent, fields: header };
  }
  return best?.delimiter ?? ',';
}

export async function sniffCsv(path: string, settings: CsvSettings): Promise<CsvDialect> {
  const { bytes, complete } = await readHead(path);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  // a BOM declares UTF-8: other bytes further down are then an error to show, not a reason to read it as Windows-1252
  const encoding =
    settings.encoding ??
    (bom || isValidUtf8(complete ? bytes : trimPartialUtf8(bytes)) ? 'utf-8' : 'windows-1252');
  return {
    encoding,
    delimiter: settings.delimiter ?? sniffDelimiter(bytes, complete),
    detected: {
      encoding: settings.encoding === undefined && !bom,
      delimiter: settings.delimiter === undefined,
    },
    empty: bytes.length === 0,
  };
}

/** A UTF-8 copy of a Windows-1252 file in a fresh temp folder, converted as a stream; `remove` deletes it. */
export async function convertToUtf8(path: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-load-'));
  const out = join(dir, 'converted.csv');
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await pipeline(
      openBytes(path),
      iconv.decodeStream('win1252'),
      iconv.encodeStream('utf8'),
      createWriteStream(out),
    );
  } catch (error) {
    await remove();
    throw error;
  }
  return { path: out, remove };
}

/** Length of the valid UTF-8 sequence starting at `i`, 0 when the byte there starts none; -1: cut by the chunk end. */
function utf8SequenceLength(bytes: Buffer, i: number): number {
  const b = bytes[i] ?? 0;
  const need =
    b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
  if (need < 0) return 0;
  for (let k = 1; k <= need; k++) {
    if (i + k >= bytes.length) return -1;
    if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return 0;
  }
  return need + 1;
}

export interface CsvScan {
  /** Physical line (1-based) on which each wanted data row (1-based, header not counted) starts. */
  lines: Map<number, number>;
  /** Why the file cannot be read as CSV with this delimiter, naming the line; undefined when it can. */
  problem?: string;
}

/**
 * Walks the file's bytes the way a CSV reader does (quotes may hold delimiters and line breaks, blank lines are
 * skipped) to find the physical line of given data rows and the first structural problem: a line with another
 * number of fields than the header, a quote never closed, or (with `checkUtf8`) a byte that is not UTF-8.
 */
export async function scanCsv(
  path: string,
  delimiter: CsvDelimiter,
  options: { wantedRows?: readonly number[]; checkUtf8?: boolean; jsonLines?: boolean } = {},
): Promise<CsvScan> {
  // JSON lines: one record per non-blank line, quotes and commas are the JSON's business
  const quote = options.jsonLines ? -1 : QUOTE;
  const delim = options.jsonLines ? -1 : delimiter.charCodeAt(0);
  const wanted = [...(options.wantedRows ?? [])].sort((a, b) => a - b);
  let nextWanted = 0;
  const lines = new Map<number, number>();
  let line = 1;
  let record = options.jsonLines ? 0 : -1; // a CSV header is record 0; JSON lines have none
  let recordLine = 1;
  let fields = 1;
  let headerFields = options.jsonLines ? 1 : 0;
  let content = false;
  let inQuote = false;
  let quoteLine = 0;
  let problem: string | undefined;
  let carry: Buffer = Buffer.alloc(0);

  const endRecord = (): void => {
    if (!content) return;
    record += 1;
    if (record === 0) headerFields = fields;
    else if (fields !== headerFields && !problem)
      problem = `line ${recordLine} has ${fields} field${fields === 1 ? '' : 's'}, the header has ${headerFields} (delimiter ${showDelimiter(delimiter)})`;
    while (nextWanted < wanted.length && (wanted[nextWanted] ?? 0) < record) nextWanted++;
    if (wanted[nextWanted] === record) lines.set(record, recordLine);
    fields = 1;
    content = false;
  };

  for await (const chunk of openBytes(path) as AsyncIterable<Buffer>) {
    const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    carry = Buffer.alloc(0);
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] ?? 0;
      if (b >= 0x80 && options.checkUtf8 && !problem) {
        const length = utf8SequenceLength(bytes, i);
        if (length < 0) {
          carry = bytes.subarray(i);
          break;
        }
        if (length === 0) {
          problem = `the byte 0x${b.toString(16).toUpperCase()} on line ${line} is not UTF-8 (the file looks like Windows-1252, Excel's "CSV" default)`;
        } else {
          content = true;
          i += length - 1;
          continue;
        }
      }
      if (b === NEWLINE) {
        if (!inQuote) endRecord();
        line += 1;
        continue;
      }
      if (!content && b !== CR) {
        content = true;
        recordLine = line;
      }
      if (b === quote) {
        inQuote = !inQuote;
        if (inQuote) quoteLine = line;
      } else if (b === delim && !inQuote) fields += 1;
    }
    if (problem && wanted.length === 0) break;
  }
  if (inQuote && !problem)
    problem = `a quote (") opened on line ${quoteLine} is never closed; the file may be cut off or a field holds a stray quote`;
  if (!inQuote) endRecord();
  return { lines, problem };
}

export function showDelimiter(delimiter: CsvDelimiter): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}
