/**
 * The Content-Security-Policy of the desktop app's pages.
 *
 * Applied as a response header by the `app://` protocol handler (appProtocol.ts, electron/main.ts) on every page
 * it serves, not as a <meta> tag and not through session.webRequest.onHeadersReceived:
 * - every page of the app comes from that handler, so the header is on the very first byte of every document;
 *   a meta tag only takes effect once the parser reaches it and cannot express frame-ancestors;
 * - onHeadersReceived is built for http(s) responses; for our own scheme we write the headers ourselves, so
 *   there is no second place that could disagree.
 *
 * The policy is web mode's without the WebSocket source: in Electron the API travels over a MessagePort, which no
 * CSP directive governs, so the page needs no network access at all ('self' covers the bundle's own files).
 * No 'unsafe-inline' or 'unsafe-eval': React sets styles through the CSSOM, which style-src does not restrict.
 */
export const DESKTOP_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

export function desktopCsp(directives = DESKTOP_CSP_DIRECTIVES): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** Headers the protocol handler adds to every response it serves. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': desktopCsp(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}
