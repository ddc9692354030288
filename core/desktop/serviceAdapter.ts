/**
 * The one seam between the desktop service host and the rest of core: how a workspace folder becomes a running
 * service plus the oRPC router that serves it. The host (serviceHost.ts) serves `router` with `context` on every
 * renderer's MessagePort; tests pass their own OpenWorkspace.
 */
import type { AnyRouter } from '@orpc/server';
import type { ApiContext } from '../api/context.ts';
import { createRouter } from '../api/router.ts';
import { startWebServer, type WebServer } from '../api/server/webServer.ts';
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
 * workspace lock) and the one router. The window talks to it over a MessagePort; for `c360` commands started
 * while the app holds the workspace, the same router also listens on 127.0.0.1 (API only, a random port and
 * token, both recorded in the lock's owner file, readable only by this user), so `c360 build` and the other
 * routed commands run here and show their progress instead of failing. WORKSPACE_LOCKED when another process
 * holds the folder: the host reports it as 'open-failed' with that code and the message naming the holder.
 *
 * A sync (from the window or routed from a terminal) uses the key main handed to this host, else the
 * environment variable the config names.
 */
export const openWorkspaceService: OpenWorkspace = async (dir, options) => {
  const service = await WorkspaceService.open(dir, {
    create: options.create,
    owner: { kind: 'app', command: 'c360 desktop app' },
  });
  // The key the app keeps (safeStorage), else the environment's, as for the CLI: a sync routed here from a
  // terminal uses the app's key, never one sent with the call.
  const context: ApiContext = {
    service,
    klaviyoKey: () => options.klaviyoKey() ?? process.env[service.config.sync.klaviyo.api_key_env],
  };
  const router = createRouter();
  let listener: WebServer | undefined;
  try {
    listener = await startWebServer({ router, context, host: '127.0.0.1' });
    await service.lock?.update({ url: listener.url, token: listener.token });
  } catch (error) {
    await listener?.close();
    await service.close();
    throw error;
  }
  const api = listener;
  // As in `c360 web`: the segment engine is ready before the first page asks it for a count.
  const warming = new AbortController();
  void service.segments.warm(warming.signal);
  return {
    dir: service.dir,
    router,
    context: { ...context },
    async close() {
      warming.abort();
      await api.close();
      await service.close();
    },
  };
};
