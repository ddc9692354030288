import { request } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createRouter } from '../../core/api/router.ts';
import { startWebServer, type WebServer } from '../../core/api/server/webServer.ts';
import { cookieName } from '../../core/api/server/webSecurity.ts';
import { createLocalWorkspace, type LocalWorkspace } from './localService.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch: a test must be able to send any Host header and an unnormalised path. */
function raw(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Resolves with the handshake's HTTP status: 101 when the socket opened, else the refusal's status. */
function wsHandshake(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', reject);
  });
}

/** The token with its last character changed: right length, wrong value. */
function almostToken(): string {
  const last = server.token.slice(-1);
  return `${server.token.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
}

let ws: LocalWorkspace;
let server: WebServer;
let staticDir: string;
let host: string;
let cookie: string;

beforeAll(async () => {
  ws = await createLocalWorkspace();
  staticDir = await mkdtemp(join(tmpdir(), 'c360-static-'));
  await mkdir(join(staticDir, 'dist', 'assets'), { recursive: true });
  await writeFile(join(staticDir, 'dist', 'index.html'), '<!doctype html><title>c360</title>');
  await writeFile(join(staticDir, 'dist', 'assets', 'app.js'), 'console.log("app")');
  await writeFile(join(staticDir, 'dist', '.env'), 'SECRET=1');
  await writeFile(join(staticDir, 'secret.txt'), 'outside the static root');
  server = await startWebServer({
    router: createRouter(),
    context: ws.context,
    staticDir: join(staticDir, 'dist'),
    host: '127.0.0.1',
  });
  host = `127.0.0.1:${server.port}`;
  cookie = `${cookieName(server.port)}=${server.token}`;
});

afterAll(async () => {
  await server?.close();
  await ws?.close();
  await rm(staticDir, { recursive: true, force: true });
});

describe('web server security', () => {
  it('listens on 127.0.0.1 with a 32-byte token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(Buffer.from(server.token, 'base64url')).toHaveLength(32);
  });

  it('swaps ?token= for an HttpOnly SameSite=Strict cookie and redirects to the address without it', async () => {
    const res = await raw(server.port, `/customers?q=1&token=${server.token}`, { host });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/customers?q=1');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toContain(`${cookieName(server.port)}=${server.token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    const page = await fetch(`${server.url}${res.headers.location}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('refuses a wrong token in the address and sets no cookie', async () => {
    const res = await raw(server.port, `/?token=${'x'.repeat(43)}`, { host });
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('answers an API request without cookie or bearer token with 401 UNAUTHORIZED', async () => {
    const res = await fetch(`${server.url}/api/workspace/info`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    const wrong = await fetch(`${server.url}/api/workspace/info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${almostToken()}` },
    });
    expect(wrong.status).toBe(401);
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(401);
  });

  it('accepts the cookie or the bearer token on the API', async () => {
    const auth: Record<string, string>[] = [{ cookie }, { authorization: `Bearer ${server.token}` }];
    for (const headers of auth) {
      const res = await fetch(`${server.url}/api/workspace/info`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(200);
    }
  });

  it('refuses a Host other than 127.0.0.1:PORT or localhost:PORT (DNS rebinding)', async () => {
    for (const bad of [
      'evil.example',
      `evil.example:${server.port}`,
      '127.0.0.1',
      `127.0.0.1:${server.port + 1}`,
    ]) {
      const res = await raw(server.port, '/api/workspace/info', { host: bad, cookie }, 'POST', '{}');
      expect(res.status).toBe(421);
    }
    const ok = await raw(server.port, `/?token=${server.token}`, { host: `localhost:${server.port}` });
    expect(ok.status).toBe(302);
  });

  it('sends no CORS header, even to another origin that asks', async () => {
    const preflight = await raw(
      server.port,
      '/api/workspace/info',
      {
        host,
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
      },
      'OPTIONS',
    );
    const call = await raw(
      server.port,
      '/api/workspace/info',
      {
        host,
        cookie,
        origin: 'http://evil.example',
        'content-type': 'application/json',
      },
      'POST',
      '{}',
    );
    for (const res of [preflight, call]) {
      expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('refuses API calls that a page of another origin makes with the cookie (another port is same-site)', async () => {
    for (const origin of [`http://127.0.0.1:${server.port + 1}`, 'http://evil.example', 'null']) {
      const res = await raw(
        server.port,
        '/api/workspace/info',
        { host, cookie, origin, 'content-type': 'application/json' },
        'POST',
        '{}',
      );
      expect(res.status, origin).toBe(403);
    }
    const own = await raw(
      server.port,
      '/api/workspace/info',
      { host, cookie, origin: `http://127.0.0.1:${server.port}`, 'content-type': 'application/json' },
      'POST',
      '{}',
    );
    expect(own.status).toBe(200);
  });

  it('puts the CSP and the other security headers on every response', async () => {
    const responses = [
      await raw(server.port, '/', { host, cookie }),
      await raw(server.port, '/', { host }),
      await raw(server.port, `/?token=${server.token}`, { host }),
      await raw(server.port, '/api/workspace/info', { host }, 'POST'),
      await raw(
        server.port,
        '/api/workspace/info',
        { host, cookie, 'content-type': 'application/json' },
        'POST',
        '{}',
      ),
      await raw(server.port, '/assets/app.js', { host, cookie }),
      await raw(server.port, '/', { host: 'evil.example' }),
    ];
    for (const res of responses) {
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
          `connect-src 'self' ws://127.0.0.1:${server.port} ws://localhost:${server.port}; ` +
          "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serves the renderer with content types, index.html for client routes, and no directory listing', async () => {
    const js = await raw(server.port, '/assets/app.js', { host, cookie });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("app")');
    const route = await raw(server.port, '/customers/42', { host, cookie });
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>c360</title>');
    const dir = await raw(server.port, '/assets/', { host, cookie });
    expect(dir.body).not.toContain('app.js');
    expect((await raw(server.port, '/assets/missing.js', { host, cookie })).status).toBe(404);
  });

  it('never serves a file outside the static root or a dot file', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/.env',
      '/%2eenv',
      '/assets/%00.js',
    ]) {
      const res = await raw(server.port, path, { host, cookie });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.body, path).not.toContain('outside the static root');
      expect(res.body, path).not.toContain('SECRET');
    }
  });

  it('opens a WebSocket only at /api/ws with the cookie or token and from its own origin', async () => {
    const url = `ws://127.0.0.1:${server.port}/api/ws`;
    const origin = `http://127.0.0.1:${server.port}`;
    expect(await wsHandshake(url, { origin, cookie })).toBe(101);
    expect(await wsHandshake(url, { authorization: `Bearer ${server.token}` })).toBe(101);
    expect(await wsHandshake(url, { origin })).toBe(401);
    expect(await wsHandshake(url, { origin: 'http://evil.example', cookie })).toBe(403);
    expect(await wsHandshake(url, { origin: `http://127.0.0.1:${server.port + 1}`, cookie })).toBe(403);
    expect(await wsHandshake(url, { origin, cookie, host: 'evil.example' })).toBe(421);
    expect(await wsHandshake(`ws://127.0.0.1:${server.port}/other`, { origin, cookie })).toBe(403);
  });
});
