/**
 * The one seam between the desktop service host and the rest of core: how a workspace folder becomes a running
 * service plus the oRPC router that serves it. The host (serviceHost.ts) serves `router` with `context` on every
 * renderer's MessagePort; tests pass their own OpenWorkspace.
 */
import type { AnyRouter } from '@orpc/server';
import type { ApiContext } from '../api/context.ts';
import { createRouter } from '../api/router.ts';
import { WorkspaceService } from '../service/workspaceService.ts';

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

/**
 * Opens the workspace for the desktop app: one WorkspaceService for the host process (owner kind 'app' in the
 * workspace lock, so a `c360` command started meanwhile names the app; the app serves no HTTP API, so nothing is
 * routed to it yet) and the one router. WORKSPACE_LOCKED when another process holds the folder: the host reports
 * it as 'open-failed' with that code and the message naming the holder.
 *
 * The Klaviyo key (options.klaviyoKey) is not in the API context yet: the router has no sync procedure, and
 * the sync reads its key from env[config.klaviyo.api_key_env]; the sync's procedure will take a key source.
 */
export const openWorkspaceService: OpenWorkspace = async (dir, options) => {
  const service = await WorkspaceService.open(dir, {
    create: options.create,
    owner: { kind: 'app', command: 'c360 desktop app' },
  });
  const context: ApiContext = { service };
  return { dir: service.dir, router: createRouter(), context: { ...context }, close: () => service.close() };
};
