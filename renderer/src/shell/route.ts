import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/overview`, `#/customers`, `#/customers/<id>`): they work from file:// in Electron and from
 * / in web mode without server rewrites, and the back button works.
 */
export type Route = { page: 'overview' } | { page: 'customers'; customerId: string | null };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'customers') {
    const id = parts[1] ? safeDecode(parts[1]) : null;
    return { page: 'customers', customerId: id };
  }
  return { page: 'overview' };
}

export function routeHref(route: Route): string {
  if (route.page === 'customers') {
    return route.customerId ? `#/customers/${encodeURIComponent(route.customerId)}` : '#/customers';
  }
  return '#/overview';
}

function safeDecode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const update = () => setHash(window.location.hash);
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return parseRoute(hash);
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}
