import { createHttpClient, createPortClient, type ApiMessagePort } from '../../../core/api/client/index.ts';
import type { C360Client } from './types.ts';

/** Type of the window message that carries the API port (core/desktop/ipcChannels.ts ORPC_PORT_MESSAGE). */
export const ORPC_PORT_MESSAGE = 'c360:orpc-port';

/** The part of the Electron preload's `window.c360` (core/desktop/preloadApi.ts C360DesktopApi) used here. */
export interface DesktopBridge {
  readonly kind: 'electron';
  /** Asks main for a port to the open workspace's API; resolves with the workspace state. */
  connectApi(): Promise<{ status: string; code?: string; message?: string }>;
}

interface PortMessage {
  data: unknown;
  ports: readonly unknown[];
  source: unknown;
  origin: string;
}

/** What connect() needs of `window`. */
export interface ConnectWindow {
  location: { origin: string };
  addEventListener(type: 'message', listener: (event: PortMessage) => void): void;
  c360?: unknown;
}

export interface ConnectOptions {
  /** Called when the desktop app switched workspaces and a new port arrived: cached data is stale. */
  onReconnect?: () => void;
}

function isDesktopBridge(value: unknown): value is DesktopBridge {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'electron' &&
    typeof (value as { connectApi?: unknown }).connectApi === 'function'
  );
}

/**
 * Picks the transport. In Electron the preload exposes `window.c360` (kind 'electron'); the oRPC port arrives
 * as a window message from the preload, because contextBridge cannot pass ports. Otherwise (web mode) the API
 * is served same-origin under /api and authenticated by the HttpOnly session cookie the server set. Both
 * clients come from core/api/client, the one place that knows the transports' links; its ApiClient (typed
 * by the contract) is assignable to C360Client, the part of the API the pages call.
 */
export function connect(
  win: ConnectWindow = window as unknown as ConnectWindow,
  options: ConnectOptions = {},
): C360Client {
  if (isDesktopBridge(win.c360)) return connectDesktop(win, win.c360, options);
  return createHttpClient(win.location.origin);
}

/** A workspace-level failure as the pages' error state shows it (message + code). */
function workspaceError(state: { status: string; code?: string; message?: string }): Error {
  const code = state.code ?? 'WORKSPACE_NOT_OPEN';
  const message =
    state.message ?? 'No workspace is open. Open or create a workspace from the app menu, then try again.';
  return Object.assign(new Error(message), { code, data: { code } });
}

/**
 * Desktop: every call waits for the current port's client. A later port (the user switched workspaces)
 * replaces it; calls made from then on go to the new workspace and `onReconnect` lets the app drop its cache.
 */
function connectDesktop(win: ConnectWindow, bridge: DesktopBridge, options: ConnectOptions): C360Client {
  let resolveFirst!: (client: C360Client) => void;
  let rejectFirst!: (error: Error) => void;
  let current = new Promise<C360Client>((resolve, reject) => {
    resolveFirst = resolve;
    rejectFirst = reject;
  });
  let connected = false;

  win.addEventListener('message', (event) => {
    const data = event.data as { type?: unknown } | null;
    // Only the preload's message on our own window and origin is trusted as the API port.
    if (event.source !== win || event.origin !== win.location.origin || data?.type !== ORPC_PORT_MESSAGE)
      return;
    const port = event.ports[0] as ApiMessagePort | undefined;
    if (!port || event.ports.length !== 1) return;
    // createPortClient starts the port (a DOM MessagePort queues messages until started).
    const client: C360Client = createPortClient(port);
    if (!connected) {
      connected = true;
      resolveFirst(client);
    } else {
      current = Promise.resolve(client);
      options.onReconnect?.();
    }
  });

  void bridge.connectApi().then(
    (state) => {
      if (state.status !== 'open' && state.status !== 'opening' && !connected)
        rejectFirst(workspaceError(state));
    },
    (error: unknown) => {
      if (!connected) rejectFirst(error instanceof Error ? error : new Error(String(error)));
    },
  );

  return forwardCalls(() => current) as C360Client;
}

/**
 * A client whose every call (any path: `segments.save`, `sync.run`, …) waits for the current port's client and
 * makes the same call there, so a call the contract gains works in the desktop app without an entry here.
 * `then` is not forwarded: the client must not look like a promise when awaited or returned from one.
 */
function forwardCalls(client: () => Promise<unknown>, path: readonly string[] = []): unknown {
  return new Proxy(() => undefined, {
    get: (_target, key) =>
      typeof key === 'string' && key !== 'then' ? forwardCalls(client, [...path, key]) : undefined,
    apply: async (_target, _this, args: unknown[]) => {
      let node = (await client()) as Record<string, unknown>;
      let parent: unknown = node;
      for (const key of path) {
        parent = node;
        node = node[key] as Record<string, unknown>;
      }
      // Reflect.apply, not node.apply: on oRPC's client every property, `apply` too, is a path of the API.
      return Reflect.apply(node as unknown as (...a: unknown[]) => unknown, parent, args);
    },
  });
}
