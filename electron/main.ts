/**
 * Electron main process: wiring only. Every decision (window options, navigation, CSP, IPC validation, key store,
 * recent workspaces, the app:// file mapping) lives in core/desktop and is tested there without Electron; the
 * workspace itself (DuckDB, jobs, the oRPC router) runs in a utility process (electron/serviceHost.ts), one per
 * open workspace, so no query ever blocks this process's event loop.
 *
 * Built to dist/electron/main.js as an ES module (package.json "type": "module"; Electron ≥ 28 loads ESM mains).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  MessageChannelMain,
  protocol,
  safeStorage,
  session,
  shell,
  utilityProcess,
  type UtilityProcess,
} from 'electron';
import {
  allowPermission,
  allowWebviewAttach,
  APP_ENTRY_URL,
  APP_SCHEME,
  applyDecision,
  checkKlaviyoKey,
  decideNavigation,
  decideWindowOpen,
  initialWorkspace,
  IPC_CHANNELS,
  KlaviyoKeyStore,
  mainWindowOptions,
  PORT_CHANNEL,
  RecentWorkspaces,
  registerIpcHandlers,
  resolveAppRequest,
  securityHeaders,
  WORKSPACE_CHANGED_CHANNEL,
  workspaceInfo,
  type KeyEncryption,
  type WorkspaceChoice,
  type WorkspaceState,
} from '../core/desktop/index.ts';
import { hostEventSchema, type HostEvent, type HostRequest } from '../core/desktop/hostProtocol.ts';

// The app folder (the repository in development, resources/app.asar when packaged), as laid out by
// scripts/buildElectron.ts and electron-builder.yml. Not import.meta.url: the build rewrites that to source paths.
const APP_DIR = app.getAppPath();
const PRELOAD = join(APP_DIR, 'dist', 'electron', 'preload.cjs');
const SERVICE_HOST = join(APP_DIR, 'dist', 'electron', 'serviceHost.js');
const RENDERER_DIR = join(APP_DIR, 'renderer', 'dist');
/** How long a host may take to close its workspace (finish the running write job's rollback) before it is killed. */
const HOST_CLOSE_TIMEOUT_MS = 15_000;

// Must happen before 'ready': app:// is a standard, secure origin with fetch support, so 'self' in the CSP and
// the origin checks mean exactly our pages.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  // A second start focuses the first window instead (two app instances would fight over the workspace lock).
  app.quit();
}

const report = (what: string) => (error: unknown) =>
  console.error(`c360 desktop: ${what}: ${error instanceof Error ? error.message : String(error)}`);

let mainWindow: BrowserWindow | undefined;
let state: WorkspaceState = { status: 'none' };

// ---- the service host (one utility process per open workspace) ----

interface Host {
  process: UtilityProcess;
  events: EventTarget;
  exited: Promise<number>;
  stopping: boolean;
}
let host: Host | undefined;

function nextHostEvent<T extends HostEvent['type']>(
  current: Host,
  types: readonly T[],
): Promise<Extract<HostEvent, { type: T }> | { type: 'exit'; code: number }> {
  return new Promise((resolve) => {
    const onEvent = (event: Event) => {
      const data = (event as CustomEvent<HostEvent>).detail;
      if ((types as readonly string[]).includes(data.type)) {
        current.events.removeEventListener('event', onEvent);
        resolve(data as Extract<HostEvent, { type: T }>);
      }
    };
    current.events.addEventListener('event', onEvent);
    void current.exited.then((code) => {
      current.events.removeEventListener('event', onEvent);
      resolve({ type: 'exit', code });
    });
  });
}

function send(current: Host, request: HostRequest, transfer: Electron.MessagePortMain[] = []): void {
  current.process.postMessage(request, transfer);
}

function forkHost(): Host {
  const child = utilityProcess.fork(SERVICE_HOST, [], {
    serviceName: 'Customer 360 workspace service',
    stdio: 'inherit',
  });
  const events = new EventTarget();
  const exited = new Promise<number>((resolve) => child.once('exit', resolve));
  const current: Host = { process: child, events, exited, stopping: false };
  child.on('message', (message: unknown) => {
    const parsed = hostEventSchema.safeParse(message);
    if (parsed.success) events.dispatchEvent(new CustomEvent('event', { detail: parsed.data }));
    else report('service host')(new Error('sent a message main does not understand'));
  });
  void exited.then((code) => {
    if (host !== current || current.stopping) return;
    host = undefined;
    if (state.status === 'open' || state.status === 'opening')
      setState({
        status: 'failed',
        workspace: state.workspace,
        code: 'WORKSPACE_UNREACHABLE',
        message: `The workspace service stopped unexpectedly (exit code ${code}). Open the workspace again; if it keeps happening, run \`c360 status\` in a terminal to see why.`,
      });
  });
  return current;
}

async function stopHost(): Promise<void> {
  const current = host;
  if (!current) return;
  host = undefined;
  current.stopping = true;
  send(current, { type: 'close' });
  const timer = setTimeout(() => current.process.kill(), HOST_CLOSE_TIMEOUT_MS);
  await nextHostEvent(current, ['closed']);
  current.process.kill();
  await current.exited;
  clearTimeout(timer);
}

function setState(next: WorkspaceState): void {
  state = next;
  mainWindow?.webContents.send(WORKSPACE_CHANGED_CHANNEL, next);
  mainWindow?.setTitle(
    next.status === 'open' ? `${next.workspace.name} — Customer 360 Workbench` : 'Customer 360 Workbench',
  );
  if (next.status === 'open') connectRenderer();
}

/** A fresh MessageChannel: one end to the host (serves oRPC on it), the other to the page via the preload. */
function connectRenderer(): void {
  if (!host || state.status !== 'open' || !mainWindow) return;
  const { port1, port2 } = new MessageChannelMain();
  send(host, { type: 'connect' }, [port1]);
  mainWindow.webContents.postMessage(PORT_CHANNEL, null, [port2]);
}

async function openWorkspace(dir: string, create: boolean): Promise<WorkspaceState> {
  const workspace = workspaceInfo(dir);
  await stopHost();
  setState({ status: 'opening', workspace });
  const current = forkHost();
  host = current;
  const ready = await nextHostEvent(current, ['ready']);
  if (ready.type === 'exit') {
    setState({
      status: 'failed',
      workspace,
      code: 'INTERNAL',
      message: `The workspace service did not start (exit code ${ready.code}).`,
    });
    return state;
  }
  const key = await keyStore.readKey().catch(() => undefined);
  if (key) send(current, { type: 'klaviyo-key', key });
  send(current, { type: 'open', dir: workspace.dir, create });
  const outcome = await nextHostEvent(current, ['opened', 'open-failed']);
  if (outcome.type === 'opened') {
    await recent.remember(outcome.dir).catch(report('remembering the workspace'));
    setState({ status: 'open', workspace: workspaceInfo(outcome.dir) });
  } else if (outcome.type === 'open-failed') {
    await stopHost();
    setState({ status: 'failed', workspace, code: outcome.code, message: outcome.message });
  } else {
    setState({
      status: 'failed',
      workspace,
      code: 'INTERNAL',
      message: `The workspace service stopped while opening (exit code ${outcome.code}).`,
    });
  }
  return state;
}

async function chooseFolder(create: boolean): Promise<string | undefined> {
  const options: Electron.OpenDialogOptions = create
    ? {
        title: 'Create a workspace: choose a new or empty folder',
        properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
      }
    : { title: 'Open a workspace folder', properties: ['openDirectory'] };
  const result = mainWindow
    ? await dialog.showOpenDialog(mainWindow, options)
    : await dialog.showOpenDialog(options);
  return result.canceled ? undefined : result.filePaths[0];
}

async function chooseAndOpen(create: boolean): Promise<WorkspaceChoice> {
  const dir = await chooseFolder(create);
  return dir ? openWorkspace(dir, create) : { status: 'cancelled' };
}

// ---- the Klaviyo key (safeStorage) ----

const encryption: KeyEncryption = {
  // On Linux without a keyring safeStorage falls back to a hard-coded password ("basic_text"): not a key store.
  isAvailable: () =>
    safeStorage.isEncryptionAvailable() &&
    (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (encrypted) => safeStorage.decryptString(encrypted),
};

// userData is known before 'ready'; safeStorage is only used once the app is ready (every call comes later).
const userData = app.getPath('userData');
const keyStore = new KlaviyoKeyStore(userData, encryption, (key, signal) => checkKlaviyoKey(key, { signal }));
const recent = new RecentWorkspaces(userData);

async function keyChanged(): Promise<void> {
  if (!host) return;
  send(host, { type: 'klaviyo-key', key: (await keyStore.readKey().catch(() => undefined)) ?? null });
}

// ---- the window ----

function hardenSession(): void {
  const appSession = session.defaultSession;
  appSession.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(allowPermission(permission)),
  );
  appSession.setPermissionCheckHandler((_contents, permission) => allowPermission(permission));
  protocol.handle(APP_SCHEME, async (request) => {
    const resolved = resolveAppRequest(request.method, request.url, RENDERER_DIR);
    if (resolved.status !== 200)
      return new Response(resolved.reason, { status: resolved.status, headers: securityHeaders() });
    try {
      const body = await readFile(resolved.file);
      return new Response(request.method === 'HEAD' ? null : body, {
        headers: { 'Content-Type': resolved.contentType, ...securityHeaders() },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') report('serving the app')(error);
      return new Response('not found', { status: 404, headers: securityHeaders() });
    }
  });
}

app.on('web-contents-created', (_event, contents) => {
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (
      !applyDecision(
        decideNavigation(url),
        (external) => shell.openExternal(external),
        report('opening a link'),
      )
    )
      event.preventDefault();
  };
  contents.on('will-navigate', (event) => guard(event, event.url));
  contents.on('will-redirect', (event) => guard(event, event.url));
  contents.on('will-attach-webview', (event) => {
    if (!allowWebviewAttach()) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    applyDecision(
      decideWindowOpen(url),
      (external) => shell.openExternal(external),
      report('opening a link'),
    );
    return { action: 'deny' };
  });
});

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions({ preloadPath: PRELOAD, devTools: !app.isPackaged }));
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
  void window.loadURL(APP_ENTRY_URL).catch(report('loading the app'));
  return window;
}

app.on('second-instance', () => {
  if (mainWindow?.isMinimized()) mainWindow.restore();
  mainWindow?.focus();
});

app.on('window-all-closed', () => app.quit());

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !host) return;
  // Close the workspace first: running jobs are cancelled and recorded, DuckDB closes, the lock is released.
  event.preventDefault();
  quitting = true;
  void stopHost().finally(() => app.quit());
});

await app.whenReady();
hardenSession();

registerIpcHandlers(ipcMain, {
  [IPC_CHANNELS.connectApi]: () => {
    connectRenderer();
    return state;
  },
  [IPC_CHANNELS.workspaceCurrent]: () => state,
  [IPC_CHANNELS.workspaceRecent]: () => recent.list(),
  [IPC_CHANNELS.workspaceOpen]: () => chooseAndOpen(false),
  [IPC_CHANNELS.workspaceCreate]: () => chooseAndOpen(true),
  [IPC_CHANNELS.workspaceSwitch]: async (dir) => {
    const known = await recent.find(dir);
    if (!known)
      throw new Error('That folder is not one of the recent workspaces; use "Open workspace" to choose it.');
    return openWorkspace(known.dir, false);
  },
  [IPC_CHANNELS.klaviyoKeyStatus]: () => keyStore.status(),
  [IPC_CHANNELS.klaviyoKeySave]: async (key) => {
    const status = await keyStore.save(key);
    await keyChanged();
    return status;
  },
  [IPC_CHANNELS.klaviyoKeyClear]: async () => {
    const status = await keyStore.clear();
    await keyChanged();
    return status;
  },
  [IPC_CHANNELS.klaviyoKeyTest]: () => keyStore.test(),
});

mainWindow = createWindow();
const first = initialWorkspace(process.argv, process.env, await recent.list());
if (first) void openWorkspace(first, false).catch(report('opening the workspace'));
