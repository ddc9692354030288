import { openAsBlob, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { call } from '../../api/procedure.ts';
import { withWorkspace, withWorkspaceOrOwner } from './workspaceSession.ts';
import { routedNote } from './ownerRouting.ts';
import { demoProcedure, loadProcedure, payloadTooLarge } from '../../api/sourceProcedures.ts';
import {
  isLoadFileName,
  MAX_LOAD_UPLOAD_BYTES,
  type LoadInput,
  type LoadProgressEventData,
  type LoadReportData,
} from '../../api/schemas/load.ts';
import { C360Error } from '../../errors.ts';
import type { UnknownFile } from '../../sources/rawFileDiscovery.ts';
import { createOutput, formatCount, formatSeconds, formatTable } from '../output.ts';
import { cancelOnSigint, EXIT, type GlobalOptions } from '../common.ts';

export interface DemoOptions {
  customers: number;
  seed: number;
  asOf?: string;
  dirtyShare: number;
}

export async function demo(g: GlobalOptions, options: DemoOptions): Promise<void> {
  const out = createOutput(g.json);
  const summary = await withWorkspace(g, { create: true }, (service) =>
    call(
      demoProcedure,
      {
        workspace: g.workspace,
        customers: options.customers,
        seed: options.seed,
        asOf: options.asOf,
        dirtyShare: options.dirtyShare,
      },
      {
        service,
        onProgress: (event) => {
          const data = event.data as { stage: string; rows?: number; seconds: number };
          const rows = data.rows !== undefined ? ` ${formatCount(data.rows)} rows` : '';
          out.progress(
            `  ${data.stage.padEnd(28)}${rows.padStart(18)} ${formatSeconds(data.seconds).padStart(9)}`,
            g.json ? data : undefined,
          );
        },
      },
    ),
  );
  out.result(summary, () =>
    [
      formatTable(
        ['table', 'rows'],
        summary.tables.map((t) => [`${t.schema}.${t.table}`, formatCount(t.rows)]),
      ),
      `Demo shop for ${formatCount(summary.customers)} people (seed ${summary.seed}, history until ${summary.asOf}) ` +
        `written to ${summary.workspace} in ${formatSeconds(summary.totalSeconds)}. Next: c360 build`,
    ].join('\n'),
  );
}

/** A file's progress line; the same for a local load's events and the typed events of a routed one. */
function describeLoadEvent(event: LoadProgressEventData): string | undefined {
  if (event.status === 'loading') return undefined;
  const rows = event.rowsLoaded !== undefined ? `${formatCount(event.rowsLoaded)} rows` : '';
  const rejected = event.rowsRejected ? `, ${formatCount(event.rowsRejected)} rejected` : '';
  return `  ${event.file.padEnd(40)} ${event.status.padEnd(7)} ${rows}${rejected} ${formatSeconds(event.seconds)}`;
}

interface Upload {
  files: LoadInput['files'];
  /** Entries the load never reads, reported as a local load reports them. */
  unknown: UnknownFile[];
}

/**
 * The files of `dir` as `c360 load DIR` finds them (core/sources/rawFileDiscovery.ts: files and the files of
 * its folders, one level deep, hidden entries skipped), to send as contents to the process that holds the
 * workspace. A file the load would not read goes along empty, so the owner reports it as a local load would;
 * contents are read from disk as they are sent (file-backed blobs), never all held in memory.
 */
async function collectUpload(dir: string): Promise<Upload> {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new C360Error(
      'INVALID_INPUT',
      `The folder ${dir} does not exist or is not a folder. Pass the folder that holds the exports, ` +
        'laid out as <source>/<table>.csv (or .parquet, .jsonl) or <source>__<table>.csv, e.g. shopify/orders.csv.',
    );
  const found: { name: string; path: string }[] = [];
  const unknown: UnknownFile[] = [];
  const visible = (folder: string) =>
    readdirSync(folder)
      .filter((entry) => !entry.startsWith('.'))
      .sort();
  for (const entry of visible(dir)) {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) {
      found.push({ name: entry, path });
      continue;
    }
    for (const inner of visible(path)) {
      const innerPath = join(path, inner);
      if (statSync(innerPath).isDirectory())
        unknown.push({ file: `${entry}/${inner}`, reason: 'folders are only read one level deep' });
      else found.push({ name: `${entry}/${inner}`, path: innerPath });
    }
  }
  if (!found.length)
    throw new C360Error(
      'INVALID_INPUT',
      `No files found in ${dir}. Name them <source>/<table>.csv or <source>__<table>.csv ` +
        '(also .parquet, .jsonl, .ndjson), e.g. shopify/orders.csv, and run the load again.',
    );
  const bytes = found
    .filter((file) => isLoadFileName(file.name))
    .reduce((sum, file) => sum + statSync(file.path).size, 0);
  if (bytes > MAX_LOAD_UPLOAD_BYTES) throw payloadTooLarge(bytes);
  const files = await Promise.all(
    found.map(async ({ name, path }) => ({
      name,
      content: isLoadFileName(name) ? await openAsBlob(path) : new Blob([]),
    })),
  );
  return { files, unknown };
}

export async function load(
  g: GlobalOptions,
  dir: string,
  options: { maxRejectShare?: number; force?: boolean },
): Promise<void> {
  const out = createOutput(g.json);
  // Ctrl-C of a routed load cancels its call; a local load stops at Ctrl-C as it always did (each table is
  // replaced in one transaction), so the handler is installed for the routed call only.
  const routedCancel = new AbortController();
  const onEvent = (event: LoadProgressEventData) => {
    const message = describeLoadEvent(event);
    if (message) out.progress(message, g.json ? event : undefined);
  };
  const report: LoadReportData = await withWorkspaceOrOwner(
    g,
    { create: true },
    (service) =>
      call(
        loadProcedure,
        { workspace: g.workspace, dir, force: options.force, maxRejectShare: options.maxRejectShare },
        { service, onProgress: (event) => onEvent(event.data as LoadProgressEventData) },
      ),
    // `c360 web` (or the app) holds the workspace: the files travel there as contents, its events print here.
    async ({ owner, client }) => {
      out.progress(routedNote('load', owner), g.json ? { routedTo: owner } : undefined);
      cancelOnSigint(out).signal.addEventListener('abort', () => routedCancel.abort(), { once: true });
      const folder = resolve(dir);
      const upload = await collectUpload(folder);
      const events = await client.sources.load(
        {
          files: upload.files,
          folder,
          ...(options.force !== undefined ? { force: options.force } : {}),
          ...(options.maxRejectShare !== undefined ? { maxRejectShare: options.maxRejectShare } : {}),
        },
        { signal: routedCancel.signal },
      );
      for (;;) {
        const step = await events.next();
        if (step.done)
          return { ...step.value, unknownFiles: [...step.value.unknownFiles, ...upload.unknown] };
        onEvent(step.value);
      }
    },
    routedCancel.signal,
  );
  for (const file of report.files) {
    if (file.readAs.length) out.progress(`  ${file.file}: read as ${file.readAs.join(', ')}`);
    for (const warning of file.warnings) out.warn(`${file.file}: ${warning}`);
  }
  for (const unknown of report.unknownFiles) out.warn(`${unknown.file} was not loaded: ${unknown.reason}`);
  out.result(report, () => {
    const lines = [
      formatTable(
        ['file', 'table', 'loaded', 'rejected'],
        report.files.map((f) => [
          f.file,
          `raw_${f.source}.${f.table}`,
          formatCount(f.rowsLoaded),
          formatCount(f.rowsRejected),
        ]),
      ),
    ];
    const rejected = report.files.reduce((sum, f) => sum + f.rowsRejected, 0);
    if (rejected)
      lines.push(`${formatCount(rejected)} rows were rejected; see them with: c360 show load_rejections`);
    if (report.createdEmpty.length)
      lines.push(`Created empty (no file given): ${report.createdEmpty.join(', ')}`);
    for (const refused of report.refused) lines.push(`refused: ${refused.message}`);
    for (const error of report.errors) lines.push(`error: ${error.message}`);
    lines.push(
      report.errors.length || report.refused.length
        ? `Some files were not loaded; their tables are unchanged${report.files.length ? ' (the other files were loaded)' : ''}.`
        : 'Loaded. Next: c360 build',
    );
    return lines.join('\n');
  });
  // a refused file is a data problem like a failing one: a scheduled load must notice it
  process.exitCode = report.errors.length || report.refused.length ? EXIT.failed : EXIT.ok;
}
