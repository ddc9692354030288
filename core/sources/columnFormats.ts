import { quoteIdent, quoteText, type Database } from '../db/duckdb.ts';
import type { CsvDateFormat, CsvSettings } from './loadConfig.ts';
import type { RawColumn } from './rawTables.ts';

/**
 * How the text of one CSV column is read: decimal comma or point, and the date format. Decided once per column
 * from all its values (or set in the config), never per value: `01.02.2026` is always 1 February and `1.234` in a
 * decimal-comma column is always 1234, so a value can be rejected but never silently change its meaning.
 */
export interface ColumnFormat {
  decimalComma: boolean;
  dateFormat: CsvDateFormat;
}

const NUMERIC = /^(DECIMAL|NUMERIC|DOUBLE|FLOAT|REAL)\b/i;
const INTEGER = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/i;
const DATED = /^(TIMESTAMP|DATE)$/i;

/** `1.234,50`, `12,5`, `-3,00`: the comma is the decimal separator (dots group thousands). */
const COMMA_NUMBER = String.raw`[+-]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?`;
/** `12.5`, `1,234.50`: a point decimal that cannot be a German thousands group (`1.234` could be either). */
const POINT_DECIMAL = String.raw`[+-]?[0-9]*(,[0-9]{3})*\.([0-9]{1,2}|[0-9]{4,})`;
const DOTTED_DATE = String.raw`[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?`;

/** strptime patterns of each date format, the longest first (time with seconds, without, date only). */
const STRPTIME: Record<Exclude<CsvDateFormat, 'YYYY-MM-DD'>, string[]> = {
  'DD.MM.YYYY': ['%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y'],
  'DD/MM/YYYY': ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y'],
  'MM/DD/YYYY': ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y'],
};

export const isNumericType = (type: string): boolean => NUMERIC.test(type);
export const isDatedType = (type: string): boolean => DATED.test(type);

/**
 * Decides the format of each numeric and date column of a CSV file staged as text in `temp.load_src`: a column
 * is decimal-comma when more of its values are written that way than as point decimals, and DD.MM.YYYY when more
 * values are dotted dates than ISO dates. Config settings win over the values. The first scan only counts the
 * values in the other format, behind cheap character tests; the counter-check runs only for columns that have
 * some, so an ordinary ISO file costs one light scan.
 */
export async function detectColumnFormats(
  db: Database,
  columns: readonly { column: RawColumn; source: string }[],
  settings: CsvSettings,
): Promise<Map<string, ColumnFormat>> {
  const formats = new Map<string, ColumnFormat>();
  const asked: { name: string; kind: 'number' | 'date'; ours: string; theirs: string }[] = [];
  for (const { column, source } of columns) {
    formats.set(column.name, {
      decimalComma: settings.decimal === ',',
      dateFormat: settings.date_format ?? 'YYYY-MM-DD',
    });
    const raw = quoteIdent(source);
    const value = `trim(${raw})`;
    if (isNumericType(column.type) && !settings.decimal)
      asked.push({
        name: column.name,
        kind: 'number',
        ours: `contains(${raw}, ',') and regexp_full_match(${value}, ${quoteText(COMMA_NUMBER)})`,
        theirs: `contains(${raw}, '.') and regexp_full_match(${value}, ${quoteText(POINT_DECIMAL)})`,
      });
    else if (isDatedType(column.type) && !settings.date_format)
      asked.push({
        name: column.name,
        kind: 'date',
        ours: `contains(left(${value}, 3), '.') and regexp_full_match(${value}, ${quoteText(DOTTED_DATE)})`,
        theirs: `substr(${value}, 5, 1) = '-'`,
      });
  }
  const count = async (conditions: string[]): Promise<number[]> => {
    if (conditions.length === 0) return [];
    const [row] = await db.queryJs(
      `select ${conditions.map((c, i) => `count(*) filter (where ${c})::BIGINT as n${i}`).join(', ')} from temp.load_src`,
    );
    return conditions.map((_, i) => Number(row?.[`n${i}`] ?? 0));
  };
  const ours = await count(asked.map((a) => a.ours));
  const candidates = asked.flatMap((a, i) => ((ours[i] ?? 0) > 0 ? [{ ...a, ours: ours[i] ?? 0 }] : []));
  const theirs = await count(candidates.map((c) => c.theirs));
  candidates.forEach((candidate, i) => {
    const format = formats.get(candidate.name);
    if (!format || candidate.ours <= (theirs[i] ?? 0)) return;
    if (candidate.kind === 'number') format.decimalComma = true;
    else format.dateFormat = 'DD.MM.YYYY';
  });
  return formats;
}

/** SQL of the typed value of a trimmed, non-empty text value `input` (null when it does not fit). */
export function castText(input: string, type: string, format: ColumnFormat): string {
  if (isNumericType(type) && format.decimalComma)
    return `case when regexp_full_match(${input}, ${quoteText(COMMA_NUMBER)})
      then try_cast(replace(replace(${input}, '.', ''), ',', '.') as ${type}) end`;
  if (isDatedType(type) && format.dateFormat !== 'YYYY-MM-DD') {
    const parsed = `try_strptime(${input}, [${STRPTIME[format.dateFormat].map(quoteText).join(', ')}])`;
    return type.toUpperCase() === 'DATE' ? `${parsed}::DATE` : parsed;
  }
  if (type.toUpperCase() === 'TIMESTAMP')
    // An offset ('Z', '+01:00', '-0500') can only follow the time part, i.e. after character 11; it is
    // converted to UTC. Without one the time is stored as written.
    return `case when ends_with(${input}, 'Z') or strpos(substr(${input}, 12), '+') > 0 or strpos(substr(${input}, 12), '-') > 0
            then timezone('UTC', try_cast(${input} as TIMESTAMPTZ)) else try_cast(${input} as TIMESTAMP) end`;
  return `try_cast(${input} as ${type})`;
}

/** What a value of the column should look like, for the rejection reason ("is not a number"). */
export function expectation(type: string, format: ColumnFormat): string {
  if (isNumericType(type))
    return format.decimalComma ? 'a number (decimal comma, e.g. 1.234,50)' : 'a number';
  if (INTEGER.test(type)) return 'a whole number';
  if (isDatedType(type)) {
    const time = type.toUpperCase() === 'TIMESTAMP';
    if (format.dateFormat === 'YYYY-MM-DD')
      return time ? 'a date and time (YYYY-MM-DD HH:MM:SS)' : 'a date (YYYY-MM-DD)';
    return `a date (${format.dateFormat}${time ? '[ HH:MM[:SS]]' : ''})`;
  }
  if (type.toUpperCase() === 'BOOLEAN') return 'true or false';
  return `a valid ${type}`;
}

/** How the file was read, for the report: only what differs from the defaults. */
export function describeFormats(formats: Map<string, ColumnFormat>): string[] {
  const comma = [...formats].filter(([, f]) => f.decimalComma).map(([name]) => name);
  const dated = [...formats].filter(([, f]) => f.dateFormat !== 'YYYY-MM-DD');
  const notes: string[] = [];
  if (comma.length) notes.push(`decimal comma in ${comma.join(', ')}`);
  for (const format of new Set(dated.map(([, f]) => f.dateFormat)))
    notes.push(
      `${format} dates in ${dated
        .filter(([, f]) => f.dateFormat === format)
        .map(([n]) => n)
        .join(', ')}`,
    );
  return notes;
}
