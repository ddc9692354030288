import type { Command } from 'commander';
import type { GlobalOptions } from '../common.ts';

/** What the action runs lives in ../actions/workspace.ts, loaded only when the command runs. */
const actions = () => import('../actions/workspace.ts');

export function registerWorkspaceCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('init')
    .description('Create a workspace folder with a commented c360.config.yaml and a segments/ folder')
    .action(async () => (await actions()).init(globals()));
}
