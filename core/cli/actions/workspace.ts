import { initWorkspace, resolveWorkspaceDir } from '../../workspace/index.ts';
import { createOutput } from '../output.ts';
import type { GlobalOptions } from '../common.ts';

export async function init(g: GlobalOptions): Promise<void> {
  const out = createOutput(g.json);
  const result = await initWorkspace(resolveWorkspaceDir(g.workspace));
  out.result(result, () =>
    result.createdConfig
      ? `Created workspace ${result.dir}. Next: \`c360 demo\` or \`c360 load DIR\`, then \`c360 build\`.`
      : `Workspace ${result.dir} already has a config; nothing changed.`,
  );
}
