/**
 * The one seam between the desktop service host and the rest of core: how a workspace folder becomes a running
 * service plus the oRPC router that serves it. The service layer (core/service) and the router (core/api/router.ts)
 * are built on other branches; the lead wires them here, and nothing else in core/desktop or electron/ changes:
 *
 *   const service = await WorkspaceService.open(dir);            // core/service/workspaceService.ts
 *   return { dir: service.dir, router, context: { service, klaviyoKey }, close: () => service.close() };
 *
 * (`klaviyoKey` is how a sync started from the app gets the key main decrypted from safeStorage; the sync
 * today reads it from env[config.klaviyo.api_key_env], so the service needs a key source option for this.)
 * Until then the host is fully usable with any router passed in (tests, and `createServiceHost`'s option).
 */
import type { AnyRouter } from '@orpc/server';
import { initWorkspace } from '../workspace/index.ts';

export interface OpenedWorkspace {
  /** Absolute workspace folder. */
  dir: string;
  router: AnyRouter;
  /** The oRPC context every call of this workspace gets (e.g. `{ service }`). */
  context: Record<string, unknown>;
  /** Stops running jobs, closes DuckDB and releases the workspace lock. */
  close(): Promise<void>;
}

export interface OpenWorkspaceOptions {
  /** true: make the folder a workspace first (the "create workspace" dialog). */
  create: boolean;
  /** The Klaviyo key main passed to this host, read when a sync needs it (never stored by the host). */
  klaviyoKey: () => string | undefined;
}

export type OpenWorkspace = (dir: string, options: OpenWorkspaceOptions) => Promise<OpenedWorkspace>;

export class ServiceNotWiredError extends Error {
  override name = 'ServiceNotWiredError';
  readonly code = 'INTERNAL';
}

export const openWorkspaceService: OpenWorkspace = async (dir, options) => {
  if (options.create) await initWorkspace(dir);
  throw new ServiceNotWiredError(
    'This build of the desktop app cannot open workspaces yet: the workspace service is not connected to the ' +
      'desktop service host (core/desktop/serviceAdapter.ts). Use `c360 web` meanwhile.',
  );
};
