/**
 * The main window's BrowserWindow options. A plain object (typed structurally, no Electron import) so a test can
 * check every security flag; electron/main.ts passes it to `new BrowserWindow` unchanged.
 */
export interface MainWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  /** Shown on 'ready-to-show', so the user never sees an empty white frame. */
  show: boolean;
  backgroundColor: string;
  webPreferences: {
    preload: string;
    /** The preload and the page run in separate JavaScript worlds; the page only sees what contextBridge exposes. */
    contextIsolation: true;
    /** The renderer runs in Chromium's OS sandbox; the preload gets only a small `require` for Electron modules. */
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    /** Same-origin policy on (never turned off to "make fetch work"). */
    webSecurity: true;
    allowRunningInsecureContent: false;
    /** No <webview>: it could host pages with their own preferences (will-attach-webview also refuses). */
    webviewTag: false;
    /** No Chromium features beyond the stable web platform. */
    experimentalFeatures: false;
    enableBlinkFeatures: '';
    /** Dialogs a page opens in a loop cannot lock the window. */
    safeDialogs: true;
    /** Dropping a file or link onto the window must not navigate away from the app. */
    navigateOnDragDrop: false;
    spellcheck: boolean;
    devTools: boolean;
  };
}

export function mainWindowOptions(options: {
  preloadPath: string;
  /** DevTools only for development runs (not packaged). */
  devTools: boolean;
  title?: string;
}): MainWindowOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: options.title ?? 'Customer 360 Workbench',
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      enableBlinkFeatures: '',
      safeDialogs: true,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: options.devTools,
    },
  };
}
