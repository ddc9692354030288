import type { Command } from 'commander';
import type { GlobalOptions } from '../common.ts';
import type { DemoOptions } from '../actions/sources.ts';

/** What the actions run lives in ../actions/sources.ts, loaded only when one of these commands runs. */
const actions = () => import('../actions/sources.ts');

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
    .action(async (options: DemoOptions) => (await actions()).demo(globals(), options));

  program
    .command('load <dir>')
    .description(
      'Load raw tables from CSV, Parquet or JSON-lines files named <source>/<table>.<ext> or <source>__<table>.<ext>. ' +
        'CSV: UTF-8 (with or without BOM) or Windows-1252, delimiter , ; tab or |, decimal comma and DD.MM.YYYY dates ' +
        'are detected (or set under sources: in c360.config.yaml). A file rejecting more than the allowed share of its rows, ' +
        'or with no rows, replaces nothing and the command exits 1; the other files still load. While `c360 web` or ' +
        'the desktop app holds the workspace, the files are sent there as contents (at most 256 MB per load).',
    )
    .option(
      '--max-reject-share <share>',
      "share of a file's rows that may be rejected before the file replaces nothing (0 to 1; default: load.max_reject_share of the config, 0.01)",
      number,
    )
    .option('--force', 'load refused files anyway: over the reject share, or emptying their table')
    .action(async (dir: string, options: { maxRejectShare?: number; force?: boolean }) =>
      (await actions()).load(globals(), dir, options),
    );
}
