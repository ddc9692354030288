import { RPCHandler } from '@orpc/server/message-port';
import type { SupportedMessagePort } from '@orpc/client/message-port';
import type { AppRouter } from '../router.ts';
import type { ApiContext } from '../context.ts';

/**
 * Serves the router over one MessagePort: Electron hands the renderer's port to the service host, Node's
 * worker_threads ports work the same. Every call on the port runs with `context`.
 */
export function serveMessagePort(router: AppRouter, port: SupportedMessagePort, context: ApiContext): void {
  new RPCHandler(router).upgrade(port, { context });
  // A DOM or worker_threads port queues messages until started; Electron's MessagePortMain too.
  if ('start' in port && typeof port.start === 'function') port.start();
}
