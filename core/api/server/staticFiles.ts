import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export type StaticResult = 'served' | 'not-found' | 'bad-path';

/**
 * The request path as a relative file path under the root, or undefined when it could leave the root: encoded
 * or plain `..` segments, backslashes, NUL bytes and dot files (no .env or .git is ever served).
 */
export function safeRelativePath(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment.startsWith('.'))) return undefined;
  return segments.join('/');
}

async function regularFile(path: string, root: string): Promise<{ path: string; size: number } | undefined> {
  try {
    // realpath: a symbolic link inside the root must not lead out of it.
    const real = await realpath(path);
    if (real !== root && !real.startsWith(root + sep)) return undefined;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the built renderer: a file under `root`, or index.html for a client route (a path without an
 * extension), so reloading /customers/42 works. Directories are never listed.
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  rootDir: string,
  urlPath: string,
  headers: Record<string, string>,
): Promise<StaticResult> {
  const relative = safeRelativePath(urlPath);
  if (relative === undefined) return 'bad-path';
  const root = await realpath(resolve(rootDir)).catch(() => resolve(rootDir));
  let file = relative === '' ? undefined : await regularFile(join(root, relative), root);
  if (!file && extname(relative) === '') file = await regularFile(join(root, 'index.html'), root);
  if (!file) return 'not-found';
  const type = CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...headers,
    'Content-Type': type,
    'Content-Length': String(file.size),
    // Vite names assets by content hash; index.html must be revalidated to pick up a new build.
    'Cache-Control': file.path.endsWith('index.html') ? 'no-cache' : 'private, max-age=3600',
  });
  if (req.method === 'HEAD') {
    res.end();
    return 'served';
  }
  await new Promise<void>((resolveStream, reject) => {
    const stream = createReadStream(file.path);
    stream.on('error', reject);
    res.on('close', () => {
      stream.destroy();
      resolveStream();
    });
    stream.pipe(res);
  });
  return 'served';
}
