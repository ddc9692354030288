import type { Command } from 'commander';
import { call } from '../../api/procedure.ts';
import { demoProcedure, loadProcedure } from '../../api/sourceProcedures.ts';
import { createOutput, formatCount, formatSeconds, formatTable } from '../output.ts';
import { EXIT, type GlobalOptions } from '../common.ts';

const number = (value: string): number => (value.trim() === '' ? Number.NaN : Number(value));

export function registerSourceCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('demo')
    .description('Generate a realistic, deterministic demo shop into the raw tables of the workspace')
    .option('-n, --customers <n>', 'number of people in the shop', number, 20_000)
    .option('--seed <n>', 'random seed: the same seed gives the same shop', number, 42)
    .option(
      '--as-of <date>',
      'the history ends just before this day (the as_of of the build), YYYY-MM-DD (default: today, UTC)',
    )
    .option('--dirty-share <share>', 'share of deliberately dirty rows (0 to 0.5)', number, 0.02)
    .action(async (options: { customers: number; seed: number; asOf?: string; dirtyShare: number }) => {
      const g = globals();
      const out = createOutput(g.json);
      const summary = await call(
        demoProcedure,
        {
          workspace: g.workspace,
          customers: options.customers,
          seed: options.seed,
          asOf: options.asOf,
          dirtyShare: options.dirtyShare,
        },
        {
          onProgress: (event) => {
            const data = event.data as { stage: string; rows?: number; seconds: number };
            const rows = data.rows !== undefined ? ` ${formatCount(data.rows)} rows` : '';
            out.progress(
              `  ${data.stage.padEnd(28)}${rows.padStart(18)} ${formatSeconds(data.seconds).padStart(9)}`,
              g.json ? data : undefined,
            );
          },
        },
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
    });

  program
    .command('load <dir>')
    .description(
      'Load raw tables from CSV, Parquet or JSON-lines files named <source>/<table>.<ext> or <source>__<table>.<ext>. ' +
        'CSV: UTF-8 (with or without BOM) or Windows-1252, delimiter , ; tab or |, decimal comma and DD.MM.YYYY dates ' +
        'are detected (or set under sources: in c360.config.yaml). A file rejecting more than the allowed share of its rows, ' +
        'or with no rows, replaces nothing and the command exits 1; the other files still load.',
    )
    .option(
      '--max-reject-share <share>',
      "share of a file's rows that may be rejected before the file replaces nothing (0 to 1; default: load.max_reject_share of the config, 0.01)",
      number,
    )
    .option('--force', 'load refused files anyway: over the reject share, or emptying their table')
    .action(async (dir: string, options: { maxRejectShare?: number; force?: boolean }) => {
      const g = globals();
      const out = createOutput(g.json);
      const report = await call(
        loadProcedure,
        { workspace: g.workspace, dir, force: options.force, maxRejectShare: options.maxRejectShare },
        {
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
      );
      for (const file of report.files) {
        if (file.readAs.length) out.progress(`  ${file.file}: read as ${file.readAs.join(', ')}`);
        for (const warning of file.warnings) out.warn(`${file.file}: ${warning}`);
      }
      for (const unknown of report.unknownFiles)
        out.warn(`${unknown.file} was not loaded: ${unknown.reason}`);
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
    });
}
