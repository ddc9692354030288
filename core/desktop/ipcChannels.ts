/**
 * The IPC channels between the preload and the main process: the whole list. Browser-safe and free of zod, so
 * the (sandboxed, bundled) preload imports it without pulling in the validation code; electron/main.ts registers a
 * handler for each through `registerIpcHandlers` (ipcValidation.ts), which validates every input.
 */
export const IPC_CHANNELS = {
  /** Asks main for a fresh MessagePort to the service host (delivered on PORT_CHANNEL, not as a reply). */
  connectApi: 'c360:api:connect',
  workspaceCurrent: 'c360:workspace:current',
  workspaceRecent: 'c360:workspace:recent',
  workspaceOpen: 'c360:workspace:open',
  workspaceCreate: 'c360:workspace:create',
  workspaceSwitch: 'c360:workspace:switch',
  klaviyoKeyStatus: 'c360:klaviyo-key:status',
  klaviyoKeySave: 'c360:klaviyo-key:save',
  klaviyoKeyClear: 'c360:klaviyo-key:clear',
  klaviyoKeyTest: 'c360:klaviyo-key:test',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** main → preload: carries one MessagePort to the service host (webContents.postMessage). */
export const PORT_CHANNEL = 'c360:api:port';
/** main → preload: the open workspace changed (opened, switched, closed, or its host stopped). */
export const WORKSPACE_CHANGED_CHANNEL = 'c360:workspace:changed';

/**
 * preload → page: the `window.postMessage` message that carries the oRPC port (contextBridge cannot pass a
 * MessagePort, so the preload forwards it as a window message with the port in `event.ports`).
 */
export const ORPC_PORT_MESSAGE = 'c360:orpc-port';

/** What the renderer checks before trusting a window message as the oRPC port from the preload. */
export function isOrpcPortMessage(
  event: {
    data: unknown;
    ports: readonly unknown[];
    source: unknown;
    origin: string;
  },
  self: { location: { origin: string } },
): boolean {
  return (
    event.source === self &&
    event.origin === self.location.origin &&
    typeof event.data === 'object' &&
    event.data !== null &&
    (event.data as { type?: unknown }).type === ORPC_PORT_MESSAGE &&
    event.ports.length === 1
  );
}
