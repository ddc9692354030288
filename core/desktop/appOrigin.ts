/**
 * Where the desktop app's own pages come from. The built renderer is served from a privileged custom scheme
 * (`app://c360/`, registered in electron/main.ts) rather than `file://`: a `file://` page has the opaque origin
 * "null", cannot load Vite's module scripts, and would share its origin with every other file on the disk. One
 * real origin lets the navigation policy, the CSP (`'self'`) and the IPC sender check all mean "our pages".
 * Browser-safe: the preload and the renderer may import this file.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'c360';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the main window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;
