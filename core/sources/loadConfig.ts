import { z } from 'zod';

/**
 * `c360.config.yaml` settings of `c360 load`: the CSV dialect per source (optionally per table) and the share of
 * rejected rows above which a file replaces nothing. Anything left out is detected from the file (csvDialect.ts).
 */
export const CSV_ENCODINGS = ['utf-8', 'windows-1252'] as const;
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
/** Date formats a CSV column can be read with; only DD.MM.YYYY is also detected from the values. */
export const CSV_DATE_FORMATS = ['YYYY-MM-DD', 'DD.MM.YYYY', 'DD/MM/YYYY', 'MM/DD/YYYY'] as const;

export type CsvEncoding = (typeof CSV_ENCODINGS)[number];
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];
export type CsvDateFormat = (typeof CSV_DATE_FORMATS)[number];

const choice = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, {
    error: () => `${what} must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
  });

export const csvSettingsSchema = z.strictObject({
  delimiter: choice(CSV_DELIMITERS, 'delimiter').optional(),
  decimal: choice(['.', ','] as const, 'decimal').optional(),
  date_format: choice(CSV_DATE_FORMATS, 'date_format').optional(),
  encoding: z
    .preprocess(
      (raw) => (typeof raw === 'string' ? normaliseEncoding(raw) : raw),
      choice(CSV_ENCODINGS, 'encoding'),
    )
    .optional(),
});
export type CsvSettings = z.infer<typeof csvSettingsSchema>;

/** Common spellings of the two encodings (Excel calls Windows-1252 "ANSI"; Latin-1 is read as its superset). */
function normaliseEncoding(raw: string): string {
  const key = raw.trim().toLowerCase().replace(/[_ ]/g, '-');
  if (['utf8', 'utf-8', 'utf-8-bom'].includes(key)) return 'utf-8';
  if (['windows-1252', 'cp1252', 'win1252', 'latin1', 'latin-1', 'iso-8859-1', 'ansi'].includes(key))
    return 'windows-1252';
  return raw;
}

export const sourceLoadSchema = z.strictObject({
  csv: csvSettingsSchema.optional(),
  /** Per table of the source, over the source's settings. */
  tables: z.record(z.string(), z.strictObject({ csv: csvSettingsSchema.optional() })).optional(),
});

/** Default share of a file's rows that may be rejected before the file replaces nothing (README). */
export const DEFAULT_MAX_REJECT_SHARE = 0.01;

export const loadSettingsSchema = z.strictObject({
  max_reject_share: z
    .number({ error: () => 'max_reject_share must be a share between 0 and 1, e.g. 0.01 for 1 %' })
    .min(0, 'max_reject_share must be a share between 0 and 1, e.g. 0.01 for 1 %')
    .max(1, 'max_reject_share must be a share between 0 and 1, e.g. 0.01 for 1 %')
    .default(DEFAULT_MAX_REJECT_SHARE),
});

export type SourcesLoadConfig = Record<string, z.infer<typeof sourceLoadSchema>>;

/** The CSV settings of one table: the table's own over its source's. */
export function csvSettingsFor(
  config: SourcesLoadConfig | undefined,
  source: string,
  table: string,
): CsvSettings {
  const forSource = config?.[source];
  return { ...forSource?.csv, ...forSource?.tables?.[table]?.csv };
}
