import { MessageChannel } from 'node:worker_threads';
import WebSocket from 'ws';
import {
  createHttpClient,
  createPortClient,
  createWebSocketClient,
  webSocketUrl,
  type ApiClient,
  type ApiMessagePort,
} from '../../core/api/client/index.ts';
import type { ApiContext } from '../../core/api/context.ts';
import type { AppRouter } from '../../core/api/router.ts';
import { serveMessagePort } from '../../core/api/server/messagePort.ts';
import type { WebServer } from '../../core/api/server/webServer.ts';

export type Transport = [name: string, makeClient: () => ApiClient | Promise<ApiClient>];

/**
 * A typed client per transport of one service: HTTP and WebSocket to `server`, and a MessagePort served by a
 * router of its own (`router()`) with `context`. What a client opens is closed by the functions pushed to
 * `cleanups` (run them after each test).
 */
export function transportsOf(
  server: () => WebServer,
  context: () => ApiContext,
  router: () => AppRouter,
  cleanups: (() => void)[],
): Transport[] {
  const webSocketClient = async (): Promise<ApiClient> => {
    const { url, token } = server();
    const socket = new WebSocket(webSocketUrl(url), { headers: { authorization: `Bearer ${token}` } });
    cleanups.push(() => socket.close());
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return createWebSocketClient(socket as unknown as Parameters<typeof createWebSocketClient>[0]);
  };
  const portClient = (): ApiClient => {
    const channel = new MessageChannel();
    serveMessagePort(router(), channel.port1 as unknown as ApiMessagePort, context());
    cleanups.push(() => channel.port1.close());
    return createPortClient(channel.port2 as unknown as ApiMessagePort);
  };
  return [
    ['HTTP', () => createHttpClient(server().url, { token: server().token })],
    ['WebSocket', webSocketClient],
    ['MessagePort', portClient],
  ];
}
