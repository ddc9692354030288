import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { BodyLimitPlugin, RPCHandler as HttpRpcHandler } from '@orpc/server/node';
import { RPCHandler as WsRpcHandler } from '@orpc/server/ws';
import { WebSocketServer } from 'ws';
import type { AppRouter } from '../router.ts';
import type { ApiContext } from '../context.ts';
import { MAX_LOAD_UPLOAD_BYTES } from '../schemas/load.ts';
import { payloadTooLarge } from '../sourceProcedures.ts';
import { serveStatic } from './staticFiles.ts';
import {
  createToken,
  hostAllowed,
  isAuthorised,
  originAllowed,
  securityHeaders,
  sessionCookie,
  tokenMatches,
} from './webSecurity.ts';

export interface WebServerOptions {
  router: AppRouter;
  context: ApiContext;
  /** 0 or absent: a free port chosen by the system. */
  port?: number;
  /**
   * The built renderer (renderer/dist); absent: the API only (the desktop app's listener for `c360` commands,
   * whose window talks over a MessagePort).
   */
  staticDir?: string;
  /** Only loopback: the server is for the person at this machine (or an SSH tunnel to it). */
  host?: '127.0.0.1';
  /** A fixed token instead of a random one (the workspace lock hands the token to other processes). */
  token?: string;
}

export interface WebServer {
  /** http://127.0.0.1:PORT (no token). */
  url: string;
  port: number;
  token: string;
  /** Stops accepting, closes WebSockets and open connections. */
  close(): Promise<void>;
}

export const API_PREFIX = '/api';
export const WS_PATH = '/api/ws';
/**
 * The largest request (HTTP body or WebSocket message): the biggest input is a load's files (`c360 load DIR` of
 * a CLI routed here), capped at MAX_LOAD_UPLOAD_BYTES, plus room for the multipart framing and the call's JSON.
 */
export const MAX_BODY_BYTES = MAX_LOAD_UPLOAD_BYTES + 1024 * 1024;

/** An oRPC error answer (the RPC protocol's error body), so the typed client throws it with its code. */
function sendTooLarge(res: ServerResponse, headers: Record<string, string>, bytes: number): void {
  const error = payloadTooLarge(bytes);
  const body = {
    json: {
      defined: false,
      code: error.code,
      status: 413,
      message: error.message,
      data: { code: error.code, hint: error.hint, details: error.details },
    },
  };
  // The rest of the upload is not read: close the connection instead of draining it.
  res.setHeader('Connection', 'close');
  sendJson(res, 413, headers, body);
}

function sendJson(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, headers: Record<string, string>, text: string): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function unauthorisedMessage(port: number): string {
  return (
    `This request has no valid session token. Open the address \`c360 web\` printed ` +
    `(http://127.0.0.1:${port}/?token=…) or send the token as "Authorization: Bearer <token>".`
  );
}

/** Refuses a WebSocket handshake with a plain HTTP response before any upgrade happens. */
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ code: status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: reason });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 421 ? 'Misdirected Request' : 'Forbidden'}\r\n` +
      'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Web mode: the built renderer and the API (oRPC over HTTP under /api and over WebSocket at /api/ws) on
 * 127.0.0.1 for one workspace, behind a per-session token (design15.md "Web mode security").
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? createToken();
  const httpHandler = new HttpRpcHandler(options.router, {
    plugins: [new BodyLimitPlugin({ maxBodySize: MAX_BODY_BYTES })],
  });
  const wsHandler = new WsRpcHandler(options.router);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  let port = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = securityHeaders(port);
    if (!hostAllowed(req, port)) {
      sendText(
        res,
        421,
        headers,
        `Use http://127.0.0.1:${port}/ or http://localhost:${port}/ to reach this server.`,
      );
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);

    if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) {
      if (!isAuthorised(req, port, token)) {
        sendJson(res, 401, headers, { code: 'UNAUTHORIZED', message: unauthorisedMessage(port) });
        return;
      }
      // SameSite does not look at ports: a page of another local server on 127.0.0.1 is same-site and its
      // form posts would carry our cookie. Browsers name the page's origin, so calls from any other are refused.
      if (!originAllowed(req, port)) {
        sendJson(res, 403, headers, {
          code: 'FORBIDDEN',
          message: `API calls are accepted from pages of http://127.0.0.1:${port} only.`,
        });
        return;
      }
      const declared = Number(req.headers['content-length']);
      if (declared > MAX_BODY_BYTES) {
        sendTooLarge(res, headers, declared);
        return;
      }
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      res.setHeader('Cache-Control', 'no-store');
      const { matched } = await httpHandler.handle(req, res, {
        prefix: API_PREFIX,
        context: options.context,
      });
      if (!matched)
        sendJson(res, 404, headers, { code: 'NOT_FOUND', message: `No API call at ${url.pathname}.` });
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, headers, 'Only GET and HEAD are served outside /api.');
      return;
    }
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!tokenMatches(token, given)) {
        sendText(res, 401, headers, unauthorisedMessage(port));
        return;
      }
      // Swap the token for a cookie and take it out of the address bar (and so out of history and bookmarks).
      url.searchParams.delete('token');
      res.writeHead(302, {
        ...headers,
        'Set-Cookie': sessionCookie(port, token),
        Location: `${url.pathname}${url.search}`,
        'Cache-Control': 'no-store',
        'Content-Length': '0',
      });
      res.end();
      return;
    }
    if (!isAuthorised(req, port, token)) {
      sendText(res, 401, headers, unauthorisedMessage(port));
      return;
    }
    const result = options.staticDir
      ? await serveStatic(req, res, options.staticDir, url.pathname, headers)
      : 'not-found';
    if (result === 'bad-path') sendText(res, 400, headers, 'This path is not allowed.');
    else if (result === 'not-found') sendText(res, 404, headers, `Nothing at ${url.pathname}.`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(
        `[web] request failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      if (!res.headersSent) sendText(res, 500, securityHeaders(port), 'Internal server error.');
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!hostAllowed(req, port)) return refuseUpgrade(socket, 421, 'Host not allowed.');
    if (!originAllowed(req, port)) return refuseUpgrade(socket, 403, 'Origin not allowed.');
    const { pathname } = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (pathname !== WS_PATH) return refuseUpgrade(socket, 403, `WebSockets are served at ${WS_PATH} only.`);
    if (!isAuthorised(req, port, token)) return refuseUpgrade(socket, 401, unauthorisedMessage(port));
    wss.handleUpgrade(req, socket, head, (ws) => {
      void wsHandler.upgrade(ws, { context: options.context });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
