import { createORPCClient } from '@orpc/client';
import { RPCLink as FetchRPCLink } from '@orpc/client/fetch';
import { RPCLink as PortRPCLink } from '@orpc/client/message-port';
import type { C360Client } from './types.ts';

/** What the Electron preload puts on `window` (contextBridge): a MessagePort to the service host. */
export interface C360Bridge {
  port?: MessagePort;
}

declare global {
  interface Window {
    c360?: C360Bridge;
  }
}

/** Same-origin path of the web server's RPC handler (core/api/server). */
export const HTTP_API_PATH = '/api';

/**
 * Picks the transport: in Electron the preload hands over a MessagePort (`window.c360.port`); in web mode
 * the API is served same-origin under /api and authenticated by the HttpOnly session cookie the server set.
 *
 * TODO(lead, once wt-api is merged): build the clients with core/api/client instead of the links below —
 *   import { createHttpClient, createPortClient } from '../../../core/api/client/index.ts';
 *   if (port) return createPortClient(port);
 *   return createHttpClient(win.location.origin);
 * (checked: its ApiClient is assignable to C360Client). Until then this builds the same oRPC links
 * (RPCLink to `${origin}/api`, MessagePort link) from @orpc/client directly.
 */
export function connect(win: Pick<Window, 'c360' | 'location'> = window): C360Client {
  const port = win.c360?.port;
  if (port) {
    port.start();
    return createORPCClient<C360Client>(new PortRPCLink({ port }));
  }
  const url = new URL(HTTP_API_PATH, win.location.origin).toString();
  return createORPCClient<C360Client>(
    new FetchRPCLink({
      url,
      fetch: (request, init) => fetch(request, { ...init, credentials: 'same-origin' }),
    }),
  );
}
