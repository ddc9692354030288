import { C360Error } from '../../errors.ts';
import { WorkspaceService, type ServiceOptions } from '../../service/workspaceService.ts';
import { resolveWorkspaceDir } from '../../workspace/workspace.ts';
import type { GlobalOptions } from '../common.ts';
import { routableOwner, routedFailure, type RoutableOwner } from './ownerRouting.ts';

/**
 * One command, one workspace service: the command's calls share its DuckDB instance and segment engine, and
 * the service is closed (jobs stopped, database closed, lock released) when the command ends, also when it
 * fails. When another process holds the workspace, opening throws WORKSPACE_LOCKED naming it (exit 3).
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

/**
 * Like withWorkspace, for a command the API can run in another process: when the workspace is held by a
 * process that serves the API on this computer (`c360 web`, the desktop app), the call goes there (`routed`,
 * with a typed client that carries the owner's token) instead of failing. Its connection failing is
 * WORKSPACE_UNREACHABLE; `signal` aborting (Ctrl-C) is CANCELLED. Any other holder: WORKSPACE_LOCKED.
 */
export async function withWorkspaceOrOwner<T>(
  g: GlobalOptions,
  options: ServiceOptions,
  local: (service: WorkspaceService) => Promise<T>,
  routed: (target: RoutableOwner) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  let service: WorkspaceService;
  try {
    service = await WorkspaceService.open(g.workspace, options);
  } catch (error) {
    if (!(error instanceof C360Error)) throw error;
    const dir = resolveWorkspaceDir(g.workspace);
    const target = await routableOwner(dir, error);
    if (!target) throw error;
    try {
      return await routed(target);
    } catch (failure) {
      throw routedFailure(dir, target.owner, failure, signal);
    }
  }
  try {
    return await local(service);
  } finally {
    await service.close();
  }
}
