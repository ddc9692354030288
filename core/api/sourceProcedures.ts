import { z } from 'zod';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { C360Error } from '../errors.ts';
import { withService } from '../service/withService.ts';
import type { WorkspaceService, WriteJob } from '../service/workspaceService.ts';
import { demoOptionsSchema, generateDemoShop, type DemoSummary } from '../demo/index.ts';
import { loadRawFiles, type LoadProgressEvent, type LoadReport } from '../sources/loadFiles.ts';
import { rawTablesOf } from '../sources/rawTables.ts';
import { projectSources } from '../sources/sourceFile.ts';
import { defineProcedure } from './procedure.ts';
import { MAX_LOAD_UPLOAD_BYTES, loadFileNameSchema, loadPolicySchema } from './schemas/load.ts';

export const demoInput = demoOptionsSchema.extend({ workspace: z.string().optional() });

export const demoProcedure = defineProcedure({
  name: 'sources.demo',
  summary: 'Generate a deterministic demo shop into the raw tables of the workspace',
  input: demoInput,
  async handler(input, ctx): Promise<DemoSummary & { workspace: string }> {
    return withService(ctx.service, input.workspace, { create: true }, async (service) => {
      const summary = await service.write(
        'demo',
        (job) =>
          generateDemoShop(job.db, {
            customers: input.customers,
            seed: input.seed,
            asOf: input.asOf,
            dirtyShare: input.dirtyShare,
            onProgress: (event) =>
              ctx.onProgress?.({ procedure: 'sources.demo', message: event.stage, data: { ...event } }),
          }),
        ctx.signal ? { signal: ctx.signal } : {},
      );
      return { ...summary, workspace: service.dir };
    });
  },
});

export const loadInput = loadPolicySchema.extend({
  workspace: z.string().optional(),
  dir: z.string().min(1, 'give the folder that holds the files'),
});

export interface LoadRunOptions {
  force?: boolean | undefined;
  maxRejectShare?: number | undefined;
  onProgress?: (event: LoadProgressEvent) => void;
}

/**
 * The one load of a folder on the workspace's writer: `c360 load DIR` in the process that holds the workspace,
 * and `sources.load` of the API after it wrote the received files to a folder of its own.
 */
export function loadOnService(
  service: WorkspaceService,
  job: Pick<WriteJob, 'db' | 'signal'>,
  dir: string,
  options: LoadRunOptions,
): Promise<LoadReport> {
  return loadRawFiles(job.db, dir, {
    // stops the file being loaded (its table stays as it was) and loads no further file
    signal: job.signal,
    // the sources the workspace's models declare (a shop's own channels included)
    tables: rawTablesOf(projectSources(service.projectDir)),
    sources: service.config.sources,
    maxRejectShare: options.maxRejectShare ?? service.config.load.max_reject_share,
    force: options.force,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

export const loadProcedure = defineProcedure({
  name: 'sources.load',
  summary: 'Load raw tables from CSV, Parquet or JSON-lines files',
  input: loadInput,
  async handler(input, ctx): Promise<LoadReport> {
    return withService(ctx.service, input.workspace, { create: true }, (service) =>
      service.write(
        'load',
        (job) =>
          loadOnService(service, job, resolve(input.dir), {
            force: input.force,
            maxRejectShare: input.maxRejectShare,
            onProgress: (event) =>
              ctx.onProgress?.({ procedure: 'sources.load', message: 'load', data: { ...event } }),
          }),
        ctx.signal ? { signal: ctx.signal } : {},
      ),
    );
  },
});

/** A file of a load sent as its contents (`sources.load` of the API). */
export interface UploadedFile {
  /** Relative to the load folder, e.g. `shopify/orders.csv`. */
  name: string;
  content: Blob;
}

export interface UploadedLoad extends LoadRunOptions {
  files: UploadedFile[];
  /** What the report names as its folder (the sender's folder); the receiving folder never leaves this process. */
  folder?: string | undefined;
}

function invalidFiles(message: string): C360Error {
  return new C360Error('INVALID_INPUT', message, {
    hint: 'Send the files as `c360 load DIR` finds them in DIR: <source>/<table>.csv or <source>__<table>.csv.',
  });
}

/** The file's place in `dir`, or an error when its name could leave `dir` or is given twice. */
function placeOf(dir: string, name: string, seen: Set<string>): string {
  const checked = loadFileNameSchema.safeParse(name);
  const target = resolve(dir, name);
  if (!checked.success || !target.startsWith(`${dir}${sep}`))
    throw invalidFiles(
      `The file name "${name}" is not allowed: ${checked.success ? 'it points outside the load folder' : checked.error.issues[0]?.message}.`,
    );
  if (seen.has(name)) throw invalidFiles(`The file ${name} was sent twice; send each file once.`);
  seen.add(name);
  return target;
}

/** Every string of the report with the receiving folder taken out, so it names the sender's files only. */
function withoutFolder<T>(value: T, dir: string): T {
  if (typeof value === 'string') return value.split(`${dir}${sep}`).join('').split(dir).join('.') as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutFolder(item, dir)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, withoutFolder(item, dir)]),
    ) as T;
  return value;
}

/**
 * `sources.load` of the API: the received files are written into a private temporary folder (mode 0700), loaded
 * by the same code as `c360 load DIR` and removed again, also when the load fails or is cancelled.
 */
export async function loadUploadedFiles(
  service: WorkspaceService,
  upload: UploadedLoad,
  signal?: AbortSignal,
): Promise<LoadReport> {
  const bytes = upload.files.reduce((sum, file) => sum + file.content.size, 0);
  if (bytes > MAX_LOAD_UPLOAD_BYTES) throw payloadTooLarge(bytes);
  // mkdtemp creates the folder readable by this user only (0700)
  const dir = await mkdtemp(join(tmpdir(), 'c360-load-'));
  try {
    const seen = new Set<string>();
    for (const file of upload.files) {
      const target = placeOf(dir, file.name, seen);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await pipeline(
        Readable.fromWeb(file.content.stream() as WebReadableStream<Uint8Array>),
        createWriteStream(target, { flags: 'wx', mode: 0o600 }),
        signal ? { signal } : {},
      );
    }
    const report = await service.write(
      'load',
      (job) => loadOnService(service, job, dir, upload),
      signal ? { signal } : {},
    );
    return { ...withoutFolder(report, dir), dir: upload.folder ?? 'the uploaded files' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An upload over MAX_LOAD_UPLOAD_BYTES: what to do instead. */
export function payloadTooLarge(bytes: number): C360Error {
  const mb = (n: number) => `${Math.ceil(n / (1024 * 1024))} MB`;
  return new C360Error(
    'PAYLOAD_TOO_LARGE',
    `The files of this load are ${mb(bytes)} together, over the ${mb(MAX_LOAD_UPLOAD_BYTES)} one load may send to the process that holds the workspace.`,
    {
      hint:
        'Compress the exports (.csv.gz and .jsonl.gz are read as they are), load fewer files at a time, or stop ' +
        'the process that holds the workspace and run `c360 load` again.',
      details: { bytes, maxBytes: MAX_LOAD_UPLOAD_BYTES },
    },
  );
}
