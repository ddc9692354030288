import { createContext, useContext, type ReactNode } from 'react';
import type { C360Client } from './types.ts';

const ClientContext = createContext<C360Client | null>(null);

/** Hands the typed API client to every page: the real oRPC client in the app, a fake in tests. */
export function ClientProvider({ client, children }: { client: C360Client; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): C360Client {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient() needs a <ClientProvider client={…}> above it');
  return client;
}
