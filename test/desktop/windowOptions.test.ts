import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from '../../core/desktop/windowOptions.ts';

describe('main window options', () => {
  const options = mainWindowOptions({ preloadPath: '/app/dist/electron/preload.cjs', devTools: false });

  it('isolates and sandboxes the page with no Node access anywhere', () => {
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    });
  });

  it('loads the given preload and no other web preference that weakens it', () => {
    expect(options.webPreferences.preload).toBe('/app/dist/electron/preload.cjs');
    expect(options.webPreferences.enableBlinkFeatures).toBe('');
    expect(Object.keys(options.webPreferences)).not.toContain('partition');
    expect(Object.keys(options.webPreferences)).not.toContain('additionalArguments');
  });

  it('offers DevTools only when asked (development runs)', () => {
    expect(options.webPreferences.devTools).toBe(false);
    expect(mainWindowOptions({ preloadPath: '/p', devTools: true }).webPreferences.devTools).toBe(true);
  });

  it('shows the window only once it has painted', () => {
    expect(options.show).toBe(false);
  });
});
