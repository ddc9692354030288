import { call } from '../../api/procedure.ts';
import { withWorkspace } from './workspaceSession.ts';
import { demoProcedure, loadProcedure } from '../../api/sourceProcedures.ts';
import { createOutput, formatCount, formatSeconds, formatTable } from '../output.ts';
import { EXIT, type GlobalOptions } from '../common.ts';

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

export async function load(
  g: GlobalOptions,
  dir: string,
  options: { maxRejectShare?: number; force?: boolean },
): Promise<void> {
  const out = createOutput(g.json);
  const report = await withWorkspace(g, { create: true }, (service) =>
    call(
      loadProcedure,
      { workspace: g.workspace, dir, force: options.force, maxRejectShare: options.maxRejectShare },
      {
        service,
        onProgress: (event) => {
          const data = event.data as {
            file: string;
            status: string;
            rowsLoaded?: number;
            rowsRejected?: number;
            seconds: number;
          };
          if (data.status === 'loading') return;
          const rows = data.rowsLoaded !== undefined ? `${formatCount(data.rowsLoaded)} rows` : '';
          const rejected = data.rowsRejected ? `, ${formatCount(data.rowsRejected)} rejected` : '';
          out.progress(
            `  ${data.file.padEnd(40)} ${data.status.padEnd(7)} ${rows}${rejected} ${formatSeconds(data.seconds)}`,
            g.json ? data : undefined,
          );
        },
      },
    ),
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
