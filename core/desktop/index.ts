/**
 * core/desktop: everything the Electron shell decides that can be tested without Electron (no `electron` import
 * anywhere in this folder). electron/main.ts and electron/preload.ts only wire these to Electron's APIs.
 * The service host (serviceHost.ts) is not re-exported: it loads oRPC's server and runs in its own process.
 */
export { APP_ENTRY_URL, APP_HOST, APP_ORIGIN, APP_SCHEME } from './appOrigin.ts';
export { resolveAppRequest, type AppRequestResolution } from './appProtocol.ts';
export { desktopCsp, securityHeaders, DESKTOP_CSP_DIRECTIVES } from './csp.ts';
export {
  IPC_CHANNELS,
  PORT_CHANNEL,
  WORKSPACE_CHANGED_CHANNEL,
  ORPC_PORT_MESSAGE,
  isOrpcPortMessage,
} from './ipcChannels.ts';
export type { IpcChannel } from './ipcChannels.ts';
export { registerIpcHandlers, validateIpcCall, IpcRejectedError, IPC_INPUTS } from './ipcValidation.ts';
export type { IpcHandlers, IpcSender, IpcMainLike } from './ipcValidation.ts';
export { KlaviyoKeyStore, KeyStoreError, klaviyoKeySchema, type KeyEncryption } from './keyStore.ts';
export { checkKlaviyoKey } from './klaviyoKeyCheck.ts';
export {
  allowPermission,
  allowWebviewAttach,
  applyDecision,
  decideNavigation,
  decideWindowOpen,
  externalUrl,
  isAppUrl,
} from './navigationPolicy.ts';
export { PRELOAD_API_KEY, createPreloadApi, forwardPortToPage } from './preloadApi.ts';
export type {
  C360DesktopApi,
  KlaviyoKeyCheck,
  KlaviyoKeyStatus,
  WorkspaceChoice,
  WorkspaceInfo,
  WorkspaceState,
} from './preloadApi.ts';
export { RecentWorkspaces, initialWorkspace, workspaceInfo } from './recentWorkspaces.ts';
export { mainWindowOptions, type MainWindowOptions } from './windowOptions.ts';
