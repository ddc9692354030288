import { WorkspaceService, type ServiceOptions } from '../../service/workspaceService.ts';
import type { GlobalOptions } from '../common.ts';

/**
 * One command, one workspace service: the command's calls share its DuckDB instance and segment engine, and
 * the service is closed (jobs stopped, database closed) when the command ends, also when it fails.
 */
export async function withWorkspace<T>(
  g: GlobalOptions,
  options: ServiceOptions,
  work: (service: WorkspaceService) => Promise<T>,
): Promise<T> {
  const service = await WorkspaceService.open(g.workspace, options);
  try {
    return await work(service);
  } finally {
    await service.close();
  }
}
