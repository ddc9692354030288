/**
 * Preload of the main window (sandboxed, context-isolated). Bundled into one CommonJS file
 * (dist/electron/preload.cjs): a sandboxed preload cannot load ES modules or its own files, only `electron`.
 *
 * It does two things: exposes `window.c360` (the fixed surface of core/desktop/preloadApi.ts, never ipcRenderer
 * or a generic invoke), and forwards the MessagePort main sends for the oRPC API to the page as a window
 * message, because contextBridge cannot pass ports.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { PORT_CHANNEL } from '../core/desktop/ipcChannels.ts';
import { createPreloadApi, forwardPortToPage, PRELOAD_API_KEY } from '../core/desktop/preloadApi.ts';

ipcRenderer.on(PORT_CHANNEL, (event) => forwardPortToPage(window, event.ports));

contextBridge.exposeInMainWorld(
  PRELOAD_API_KEY,
  createPreloadApi({
    invoke: (channel, ...args) => ipcRenderer.invoke(channel, ...args),
    on: (channel, listener) => {
      // The event object is dropped: it carries `sender` (the ipcRenderer) and must not reach the page.
      const wrapped = (_event: unknown, ...args: unknown[]) => listener(...args);
      ipcRenderer.on(channel, wrapped);
      return () => {
        ipcRenderer.removeListener(channel, wrapped);
      };
    },
  }),
);
