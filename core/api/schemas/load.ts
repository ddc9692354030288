import { z } from 'zod';

/**
 * `sources.load` (browser-safe: zod only): the files of a load travel as their contents, named by their path
 * relative to the load folder as `c360 load DIR` finds them (`shopify/orders.csv` or `shopify__orders.csv`),
 * never as a path on the server. The report and progress events mirror core/sources/loadFiles.ts.
 */

/**
 * The most a load may upload in one call (all files together), on every transport. The receiving process holds
 * the files in memory before writing them to a private temporary folder, so the cap bounds its memory. Shop
 * exports of tens of MB fit; compressed files (`.csv.gz`, `.jsonl.gz`) are read as they are, so compressing
 * bigger exports is the first remedy, running the load where the workspace is not held the second.
 */
export const MAX_LOAD_UPLOAD_BYTES = 256 * 1024 * 1024;

/** At most this many files in one load (a load folder holds one file per raw table). */
export const MAX_LOAD_FILES = 500;

/** The endings core/sources/rawFileDiscovery.ts reads; other files are reported as not loaded. */
export const LOAD_FILE_EXTENSIONS = [
  '.csv.gz',
  '.csv',
  '.parquet',
  '.jsonl.gz',
  '.ndjson.gz',
  '.jsonl',
  '.ndjson',
] as const;

export function isLoadFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return LOAD_FILE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/**
 * A file's name relative to the load folder: one name, or a folder and a name (folders are read one level
 * deep), with forward slashes. No absolute path, no `..`, no hidden entries (the load skips them), no
 * backslashes or control characters: the receiver writes the file under this name into its own folder.
 */
export const loadFileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (name) =>
      // eslint-disable-next-line no-control-regex
      !/[\\\u0000-\u001f]/.test(name) &&
      !name.startsWith('/') &&
      !/^[A-Za-z]:/.test(name) &&
      name.split('/').length <= 2 &&
      name.split('/').every((part) => part.length > 0 && !part.startsWith('.')),
    {
      message:
        'a file name is relative to the load folder (e.g. shopify/orders.csv): no absolute path, no "..", ' +
        'no hidden file, at most one folder deep',
    },
  );

/** How a load treats files with rejected rows: the same for a local `c360 load DIR` and an uploaded load. */
export const loadPolicySchema = z.object({
  /** Load files that would otherwise be refused (too many rejected rows, or emptying their table). */
  force: z.boolean().optional(),
  /** Over the config's load.max_reject_share for this load. */
  maxRejectShare: z
    .number()
    .min(0, 'the share is between 0 and 1, e.g. 0.05 for 5 %')
    .max(1, 'the share is between 0 and 1, e.g. 0.05 for 5 %')
    .optional(),
});

export const loadInputSchema = loadPolicySchema.extend({
  files: z
    .array(z.object({ name: loadFileNameSchema, content: z.instanceof(Blob) }))
    .min(1, 'give at least one file')
    .max(MAX_LOAD_FILES, `at most ${MAX_LOAD_FILES} files in one load`),
  /** Shown as the report's folder (e.g. the folder the CLI read); never used as a path. */
  folder: z.string().max(1000).optional(),
});

export const loadProgressEventSchema = z.object({
  file: z.string(),
  source: z.string(),
  table: z.string(),
  status: z.enum(['loading', 'loaded', 'refused', 'failed']),
  rowsLoaded: z.number().optional(),
  rowsRejected: z.number().optional(),
  seconds: z.number(),
});

const rejectionExampleSchema = z.object({
  line: z.number().nullable(),
  column: z.string(),
  reason: z.string(),
});

export const loadReportSchema = z.object({
  dir: z.string(),
  files: z.array(
    z.object({
      file: z.string(),
      source: z.string(),
      table: z.string(),
      rowsLoaded: z.number(),
      rowsRejected: z.number(),
      warnings: z.array(z.string()),
      readAs: z.array(z.string()),
    }),
  ),
  unknownFiles: z.array(z.object({ file: z.string(), reason: z.string() })),
  errors: z.array(
    z.object({
      file: z.string().optional(),
      source: z.string().optional(),
      table: z.string().optional(),
      message: z.string(),
    }),
  ),
  refused: z.array(
    z.object({
      file: z.string(),
      source: z.string(),
      table: z.string(),
      rows: z.number(),
      rowsRejected: z.number(),
      rowsKept: z.number(),
      reason: z.string(),
      examples: z.array(rejectionExampleSchema),
      message: z.string(),
    }),
  ),
  createdEmpty: z.array(z.string()),
  seconds: z.number(),
});

export type LoadInput = z.input<typeof loadInputSchema>;
export type LoadProgressEventData = z.infer<typeof loadProgressEventSchema>;
export type LoadReportData = z.infer<typeof loadReportSchema>;
