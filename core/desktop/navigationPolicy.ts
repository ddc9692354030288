/**
 * What the main window may navigate to and open. Pure decisions; electron/main.ts wires them to
 * `will-navigate`, `will-redirect`, `setWindowOpenHandler`, `will-attach-webview` and permission requests.
 *
 * - Navigation stays on the app's own origin (APP_ORIGIN); anything else is blocked.
 * - `window.open` and `target=_blank` never open an Electron window. An http(s) link goes to the system browser
 *   (through the injected opener), so a link in the app behaves as users expect while no remote page ever runs
 *   with access to the preload.
 * - Every other scheme (file:, javascript:, data:, custom handlers like ms-msdt:) is never handed to the OS:
 *   `shell.openExternal` with such URLs is a known way to run programs.
 * - <webview> is refused, as are permission requests (camera, notifications, …): the app needs none.
 */
import { APP_ORIGIN } from './appOrigin.ts';

export type NavigationDecision = { action: 'allow' } | { action: 'deny'; openExternally?: string };

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** The URL to give the system browser, or undefined when the URL must not leave the app. */
export function externalUrl(url: string): string | undefined {
  const parsed = parse(url);
  if (!parsed) return undefined;
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  // Credentials in a link are a phishing trick ("https://bank.com@evil.example"); not worth supporting.
  if (parsed.username || parsed.password) return undefined;
  return parsed.href;
}

export function isAppUrl(url: string, appOrigin = APP_ORIGIN): boolean {
  const parsed = parse(url);
  // For a registered standard scheme WHATWG URL gives the origin "null"; compare scheme + host instead.
  return parsed !== undefined && `${parsed.protocol}//${parsed.host}` === appOrigin;
}

/** will-navigate / will-redirect / will-frame-navigate: same origin only; an outside http(s) link opens outside. */
export function decideNavigation(url: string, appOrigin = APP_ORIGIN): NavigationDecision {
  if (isAppUrl(url, appOrigin)) return { action: 'allow' };
  const external = externalUrl(url);
  return external ? { action: 'deny', openExternally: external } : { action: 'deny' };
}

/** setWindowOpenHandler: never a new Electron window. */
export function decideWindowOpen(url: string): { action: 'deny'; openExternally?: string } {
  const external = externalUrl(url);
  return external ? { action: 'deny', openExternally: external } : { action: 'deny' };
}

/**
 * Applies a decision: calls `openExternal` (shell.openExternal in main) for an allowed outside link, and returns
 * whether the navigation may proceed. Failures of the opener are reported, not thrown into Electron's event loop.
 */
export function applyDecision(
  decision: NavigationDecision,
  openExternal: (url: string) => Promise<void> | void,
  onError: (error: unknown) => void = () => {},
): boolean {
  if (decision.action === 'deny' && decision.openExternally) {
    try {
      void Promise.resolve(openExternal(decision.openExternally)).catch(onError);
    } catch (error) {
      onError(error);
    }
  }
  return decision.action === 'allow';
}

/** will-attach-webview: always refused (webviewTag is off as well; this is the second lock). */
export function allowWebviewAttach(): false {
  return false;
}

/** session.setPermissionRequestHandler / setPermissionCheckHandler: the app asks for no permission. */
export function allowPermission(_permission: string): false {
  return false;
}
