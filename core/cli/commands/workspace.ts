import type { Command } from 'commander';
import { initWorkspace, resolveWorkspaceDir } from '../../workspace/index.ts';
import { createOutput } from '../output.ts';
import type { GlobalOptions } from '../common.ts';

export function registerWorkspaceCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('init')
    .description('Create a workspace folder with a commented c360.config.yaml and a segments/ folder')
    .action(async () => {
      const g = globals();
      const out = createOutput(g.json);
      const result = await initWorkspace(resolveWorkspaceDir(g.workspace));
      out.result(result, () =>
        result.createdConfig
          ? `Created workspace ${result.dir}. Next: \`c360 demo\` or \`c360 load DIR\`, then \`c360 build\`.`
          : `Workspace ${result.dir} already has a config; nothing changed.`,
      );
    });
}
