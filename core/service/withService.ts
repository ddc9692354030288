import { WorkspaceService, type ServiceOptions } from './workspaceService.ts';

/**
 * The service of a call: the one in the call's context (the app, the web server, a CLI command), or, for a
 * caller without one, a service opened for this call and closed after it.
 */
export async function withService<T>(
  given: WorkspaceService | undefined,
  dir: string | undefined,
  options: ServiceOptions,
  work: (service: WorkspaceService) => Promise<T>,
): Promise<T> {
  if (given) return work(given);
  const service = await WorkspaceService.open(dir, options);
  try {
    return await work(service);
  } finally {
    await service.close();
  }
}
