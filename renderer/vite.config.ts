import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The renderer bundle, built into renderer/dist. `base: './'` makes every asset URL relative, so the same
 * build loads from file:// in Electron and from / in web mode. The output has no inline script or style
 * (a strict CSP, `script-src 'self'; style-src 'self'`, applies in both): Vite emits the entry as an external
 * module and the CSS as a <link>; `assetsInlineLimit: 0` keeps assets out of data: URLs.
 */
export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    // Vite's module preload polyfill is bundled into the entry, not inlined; off anyway: Chromium has it.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        // React and the chart libraries change less often than the app: separate files, loaded in parallel.
        manualChunks(id) {
          if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'react';
          if (/node_modules\/(recharts|d3-[a-z]+|victory-vendor|@reduxjs|redux|immer|reselect)\//.test(id))
            return 'charts';
          return undefined;
        },
      },
    },
  },
  server: { host: '127.0.0.1' },
});
