import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { APP_ORIGIN } from '../../core/desktop/appOrigin.ts';
import { resolveAppRequest } from '../../core/desktop/appProtocol.ts';
import { desktopCsp, securityHeaders } from '../../core/desktop/csp.ts';
import {
  allowPermission,
  allowWebviewAttach,
  applyDecision,
  decideNavigation,
  decideWindowOpen,
} from '../../core/desktop/navigationPolicy.ts';

describe('navigation policy', () => {
  it('lets the app navigate between its own pages', () => {
    expect(decideNavigation(`${APP_ORIGIN}/index.html`)).toEqual({ action: 'allow' });
    expect(decideNavigation(`${APP_ORIGIN}/customers?q=ada#profile`)).toEqual({ action: 'allow' });
  });

  it('blocks navigation to another origin and sends http(s) links to the system browser', () => {
    expect(decideNavigation('https://www.klaviyo.com/docs')).toEqual({
      action: 'deny',
      openExternally: 'https://www.klaviyo.com/docs',
    });
    expect(decideNavigation('http://example.com/')).toEqual({
      action: 'deny',
      openExternally: 'http://example.com/',
    });
    // same scheme, other host: still another origin
    expect(decideNavigation('app://evil/index.html')).toEqual({ action: 'deny' });
    expect(decideNavigation('app://c360.evil.example/index.html')).toEqual({ action: 'deny' });
  });

  it('never hands file:, javascript:, data: or custom schemes to the OS', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'ms-msdt:/id PCWDiagnostic',
      'smb://server/share',
      'not a url',
      'https://user:pass@bank.example/',
    ]) {
      expect(decideNavigation(url), url).toEqual({ action: 'deny' });
      expect(decideWindowOpen(url), url).toEqual({ action: 'deny' });
    }
  });

  it('denies window.open always, even for the app itself', () => {
    expect(decideWindowOpen(`${APP_ORIGIN}/index.html`)).toEqual({ action: 'deny' });
    expect(decideWindowOpen('https://help.example/')).toEqual({
      action: 'deny',
      openExternally: 'https://help.example/',
    });
  });

  it('calls the external opener only for allowed outside links, and reports its failures', async () => {
    const opener = vi.fn<(url: string) => Promise<void>>().mockResolvedValue();
    expect(applyDecision(decideWindowOpen('https://help.example/a'), opener)).toBe(false);
    expect(applyDecision(decideNavigation('javascript:alert(1)'), opener)).toBe(false);
    expect(applyDecision(decideNavigation('file:///tmp/x.html'), opener)).toBe(false);
    expect(applyDecision(decideNavigation(`${APP_ORIGIN}/`), opener)).toBe(true);
    expect(opener.mock.calls).toEqual([['https://help.example/a']]);

    const failures: unknown[] = [];
    applyDecision(
      decideWindowOpen('https://down.example/'),
      () => Promise.reject(new Error('no browser')),
      (error) => failures.push(error),
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(failures).toHaveLength(1);
  });

  it('refuses webviews and every permission request', () => {
    expect(allowWebviewAttach()).toBe(false);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal'])
      expect(allowPermission(permission)).toBe(false);
  });
});

describe('app:// file mapping', () => {
  const root = resolve('/srv/renderer/dist');

  it('serves files of the renderer folder with their content type, and index.html for app routes', () => {
    expect(resolveAppRequest('GET', `${APP_ORIGIN}/assets/index-abc.js`, root)).toEqual({
      status: 200,
      file: join(root, 'assets', 'index-abc.js'),
      contentType: 'text/javascript; charset=utf-8',
    });
    for (const path of ['/', '/customers', '/customers/c-1'])
      expect(resolveAppRequest('GET', `${APP_ORIGIN}${path}`, root)).toMatchObject({
        status: 200,
        file: join(root, 'index.html'),
      });
  });

  it('refuses traversal, other methods, other origins and unknown file types', () => {
    expect(resolveAppRequest('GET', `${APP_ORIGIN}/..%2f..%2fetc%2fpasswd.txt`, root).status).toBe(403);
    expect(resolveAppRequest('GET', `${APP_ORIGIN}/assets/..%2f..%2f..%2fsecret.json`, root).status).toBe(
      403,
    );
    expect(resolveAppRequest('GET', `${APP_ORIGIN}/a%5c..%5c..%5cx.js`, root).status).toBe(404);
    expect(resolveAppRequest('POST', `${APP_ORIGIN}/index.html`, root).status).toBe(405);
    expect(resolveAppRequest('GET', 'app://other/index.html', root).status).toBe(403);
    expect(resolveAppRequest('GET', `${APP_ORIGIN}/data.duckdb`, root).status).toBe(404);
  });
});

describe('desktop CSP', () => {
  const csp = desktopCsp();
  const directive = (name: string) =>
    csp
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.startsWith(`${name} `));

  it('allows only the app itself and never inline or eval code', () => {
    expect(directive('default-src')).toBe("default-src 'none'");
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('connect-src')).toBe("connect-src 'self'");
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(directive('object-src')).toBe("object-src 'none'");
    expect(directive('base-uri')).toBe("base-uri 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)|\*|https?:/);
  });

  it('is sent as a header with every app response', () => {
    expect(securityHeaders()).toMatchObject({
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
    });
  });
});
