import { createORPCClient } from '@orpc/client';
import { RPCLink as FetchLink } from '@orpc/client/fetch';
import { RPCLink as MessagePortLink } from '@orpc/client/message-port';
import { RPCLink as WebSocketLink } from '@orpc/client/websocket';
import type { ContractRouterClient } from '@orpc/contract';
import type { Contract } from '../contract.ts';

// Browser-safe: no Node imports. The renderer, the Electron preload and the CLI create their typed client here.

export type ApiClient = ContractRouterClient<Contract>;

export interface HttpClientOptions {
  /**
   * The session token, for clients that have no cookie (the CLI routing a call to a running server). The
   * browser leaves it out: its HttpOnly cookie rides along with same-origin requests.
   */
  token?: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/** `baseUrl`: the server's origin (http://127.0.0.1:PORT) or, in the browser, `window.location.origin`. */
export function createHttpClient(baseUrl: string, options: HttpClientOptions = {}): ApiClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const link = new FetchLink({
    url: `${baseUrl.replace(/\/$/, '')}/api`,
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    fetch: (request, init) => doFetch(request, { ...init, credentials: 'same-origin' }),
  });
  return createORPCClient(link);
}

/** The socket a WebSocket client talks over (the browser's WebSocket, or the `ws` package's in Node). */
export type ApiWebSocket = ConstructorParameters<typeof WebSocketLink>[0]['websocket'];

/**
 * A client over one WebSocket (ws://127.0.0.1:PORT/api/ws), for long progress streams. Pass a URL in the
 * browser (the cookie authorises the handshake) or an open-or-opening socket made elsewhere, e.g. a Node `ws`
 * socket with an Authorization header.
 */
export function createWebSocketClient(target: string | ApiWebSocket): ApiClient {
  const websocket = typeof target === 'string' ? new WebSocket(target) : target;
  return createORPCClient(new WebSocketLink({ websocket }));
}

/** The port the client side holds: a DOM MessagePort (renderer, Node worker_threads) or Electron's. */
export type ApiMessagePort = ConstructorParameters<typeof MessagePortLink>[0]['port'];

/** A client over a MessagePort (Electron: the port the preload received from the main process). */
export function createPortClient(port: ApiMessagePort): ApiClient {
  const client = createORPCClient<ApiClient>(new MessagePortLink({ port }));
  if ('start' in port && typeof port.start === 'function') port.start();
  return client;
}

/** The web-socket address of a web-mode server from its page or API origin. */
export function webSocketUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/api/ws`;
}
