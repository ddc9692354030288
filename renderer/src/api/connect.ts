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
 * the API is served same-origin under /api and authenticated by the session cookie the server set.
 *
 * TODO(wt-api): build the links with core/api/client once it lands (one place that knows the contract, the
 * RPC prefix and the error mapping), typed as `ContractRouterClient<typeof contract>`. Until then this builds
 * the same oRPC links directly from @orpc/client, so the app runs against an oRPC server either way.
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
