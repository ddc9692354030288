import type { Command } from 'commander';
import type { GlobalOptions } from '../common.ts';
import type { BuildOptions } from '../actions/models.ts';

/** What the actions run lives in ../actions/models.ts, loaded only when one of these commands runs. */
const actions = () => import('../actions/models.ts');

export function registerModelCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('build')
    .description('Build the models into the workspace database, run the data tests, publish atomically')
    .option(
      '-s, --select <selectors...>',
      'models to build: NAME, NAME+ (and downstream), +NAME (and upstream)',
    )
    .option('--var <name=value...>', 'set a model variable (repeatable), e.g. --var lifecycle_active_days=45')
    .option('--no-test', 'skip the data tests (not recommended)')
    .option(
      '--keep-intermediate',
      'also keep the build steps (persist: false, e.g. staging) in the workspace file, to inspect them with c360 show',
      false,
    )
    .action(async (options: BuildOptions) => (await actions()).build(globals(), options));

  program
    .command('test')
    .description('Run the data tests against the published tables')
    .option('-s, --select <selectors...>', 'models to test')
    .action(async (options: { select?: string[] }) => (await actions()).test(globals(), options));

  program
    .command('show <model>')
    .description('Print rows of a built model')
    .option('-n, --limit <n>', 'rows to show', '10')
    .action(async (model: string, options: { limit: string }) =>
      (await actions()).show(globals(), model, options),
    );

  program
    .command('models')
    .description('List the models in dependency order with their row counts')
    .action(async () => (await actions()).models(globals()));
}
