/**
 * Maps a request for `app://c360/…` to a file of the built renderer (renderer/dist). Pure path logic, so the
 * traversal checks are tested without Electron; electron/main.ts reads the file and answers through
 * `protocol.handle` with the headers from csp.ts.
 */
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { APP_ORIGIN } from './appOrigin.ts';
import { isAppUrl } from './navigationPolicy.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export type AppRequestResolution =
  { status: 200; file: string; contentType: string } | { status: 403 | 404 | 405; reason: string };

export function resolveAppRequest(
  method: string,
  url: string,
  rootDir: string,
  appOrigin = APP_ORIGIN,
): AppRequestResolution {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, reason: `${method} is not served` };
  if (!isAppUrl(url, appOrigin)) return { status: 403, reason: 'not an app URL' };
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return { status: 404, reason: 'malformed path' };
  }
  if (path.includes('\0') || path.includes('\\')) return { status: 404, reason: 'malformed path' };
  // A path without an extension is a page of the single-page app: its document is index.html.
  const wanted = path === '/' || extname(path) === '' ? '/index.html' : path;
  const root = resolve(rootDir);
  const file = resolve(root, `.${wanted}`);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside))
    return { status: 403, reason: 'outside the renderer folder' };
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
  if (!contentType) return { status: 404, reason: 'unknown file type' };
  return { status: 200, file, contentType };
}
