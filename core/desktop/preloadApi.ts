/**
 * The exact surface the preload exposes to the page as `window.c360` (contextBridge.exposeInMainWorld). Browser-
 * safe and free of Node/Electron imports: electron/preload.ts passes in a small wrapper around `ipcRenderer`, and
 * the renderer imports the types.
 *
 * Deliberately narrow: one function per action, each bound to one channel of IPC_CHANNELS. No generic
 * `invoke(channel, …)`, no `ipcRenderer`, no Node APIs (Bruno's and Insomnia's mistakes). Everything the pages
 * read or write about a workspace goes through the typed oRPC client over a MessagePort (see connectApi); the
 * calls here are only the ones that need the main process: the folder dialog and the Klaviyo key in safeStorage.
 */
import {
  IPC_CHANNELS,
  ORPC_PORT_MESSAGE,
  WORKSPACE_CHANGED_CHANNEL,
  type IpcChannel,
} from './ipcChannels.ts';

/** The name of the global the preload defines (`window.c360`). */
export const PRELOAD_API_KEY = 'c360';

export interface WorkspaceInfo {
  /** Absolute folder, as chosen in the folder dialog (shown to the user; never sent back as an API input). */
  dir: string;
  /** The folder's name, for titles and menus. */
  name: string;
}

export type WorkspaceState =
  | { status: 'none' }
  | { status: 'opening'; workspace: WorkspaceInfo }
  | { status: 'open'; workspace: WorkspaceInfo }
  | { status: 'failed'; workspace: WorkspaceInfo; code: string; message: string };

export type WorkspaceChoice = { status: 'cancelled' } | WorkspaceState;

/** What the page may know about the Klaviyo key: whether one is stored, never the key itself. */
export interface KlaviyoKeyStatus {
  isSet: boolean;
  /** ISO time the key was saved, null when none is. */
  savedAt: string | null;
  /** false when the OS offers no key store safeStorage can use; then no key can be saved. */
  encryptionAvailable: boolean;
}

export type KlaviyoKeyCheck =
  | { ok: true; accountName: string | null }
  | { ok: false; reason: 'not-set' | 'rejected' | 'unreachable' | 'unexpected'; message: string };

export interface C360DesktopApi {
  readonly kind: 'electron';
  /**
   * Asks for a MessagePort to the open workspace's API. The port arrives as a window message
   * (`isOrpcPortMessage`, type ORPC_PORT_MESSAGE) because contextBridge cannot pass ports; the page builds its
   * oRPC client on it. Resolves with the workspace state (no port is sent when no workspace is open).
   */
  connectApi(): Promise<WorkspaceState>;
  /** Called after the open workspace changes; a new port follows when one is open. Returns an unsubscribe. */
  onWorkspaceChanged(listener: (state: WorkspaceState) => void): () => void;
  readonly workspace: {
    current(): Promise<WorkspaceState>;
    /** Workspaces opened before on this computer, newest first (switchTo accepts only these). */
    recent(): Promise<WorkspaceInfo[]>;
    /** Folder dialog: open an existing workspace folder. */
    open(): Promise<WorkspaceChoice>;
    /** Folder dialog: create a workspace in a new or empty folder. */
    create(): Promise<WorkspaceChoice>;
    /** Switch to a workspace from `recent()`. */
    switchTo(dir: string): Promise<WorkspaceChoice>;
  };
  readonly klaviyoKey: {
    status(): Promise<KlaviyoKeyStatus>;
    /** Stores the key encrypted (safeStorage); the page never gets it back. */
    save(key: string): Promise<KlaviyoKeyStatus>;
    clear(): Promise<KlaviyoKeyStatus>;
    /** Calls Klaviyo with the stored key (from the main process) and says whether it works. */
    test(): Promise<KlaviyoKeyCheck>;
  };
}

/** The part of ipcRenderer the preload API uses; electron/preload.ts adapts the real one. */
export interface PreloadIpc {
  invoke(channel: IpcChannel, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (...args: unknown[]) => void): () => void;
}

/**
 * Builds `window.c360`. The results are typed by the main process's handlers (trusted side); inputs are validated
 * there (ipcValidation.ts), not here, because a compromised page could bypass anything done in this object.
 */
export function createPreloadApi(ipc: PreloadIpc): C360DesktopApi {
  const call =
    <T>(channel: IpcChannel) =>
    (...args: unknown[]): Promise<T> =>
      ipc.invoke(channel, ...args) as Promise<T>;
  return Object.freeze({
    kind: 'electron' as const,
    connectApi: () => call<WorkspaceState>(IPC_CHANNELS.connectApi)(),
    onWorkspaceChanged: (listener: (state: WorkspaceState) => void) =>
      ipc.on(WORKSPACE_CHANGED_CHANNEL, (state) => listener(state as WorkspaceState)),
    workspace: Object.freeze({
      current: () => call<WorkspaceState>(IPC_CHANNELS.workspaceCurrent)(),
      recent: () => call<WorkspaceInfo[]>(IPC_CHANNELS.workspaceRecent)(),
      open: () => call<WorkspaceChoice>(IPC_CHANNELS.workspaceOpen)(),
      create: () => call<WorkspaceChoice>(IPC_CHANNELS.workspaceCreate)(),
      switchTo: (dir: string) => call<WorkspaceChoice>(IPC_CHANNELS.workspaceSwitch)(dir),
    }),
    klaviyoKey: Object.freeze({
      status: () => call<KlaviyoKeyStatus>(IPC_CHANNELS.klaviyoKeyStatus)(),
      save: (key: string) => call<KlaviyoKeyStatus>(IPC_CHANNELS.klaviyoKeySave)(key),
      clear: () => call<KlaviyoKeyStatus>(IPC_CHANNELS.klaviyoKeyClear)(),
      test: () => call<KlaviyoKeyCheck>(IPC_CHANNELS.klaviyoKeyTest)(),
    }),
  });
}

/**
 * Hands a port that main sent to the preload on to the page, where the renderer's oRPC client picks it up.
 * Targeted at the page's own origin so no other frame can receive it.
 */
export function forwardPortToPage<Port>(
  page: {
    postMessage(message: unknown, targetOrigin: string, transfer: Port[]): void;
    location: { origin: string };
  },
  ports: readonly Port[],
): void {
  if (ports.length !== 1) return;
  page.postMessage({ type: ORPC_PORT_MESSAGE }, page.location.origin, [...ports]);
}
