import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/overview`, `#/customers`, `#/customers/<id>`, `#/segments`, `#/segments/<name>`,
 * `#/segments/+new`): they work from file:// in Electron and from / in web mode without server rewrites, and
 * the back button works. `+new` cannot clash with a segment: names start with a letter.
 */
export type Route =
  | { page: 'overview' }
  | { page: 'customers'; customerId: string | null }
  | { page: 'segments'; segment: SegmentTarget | null };

/** The segment an editor shows: a saved one by name, or a new one not saved anywhere. */
export type SegmentTarget = { kind: 'saved'; name: string } | { kind: 'new' };

const NEW_SEGMENT = '+new';

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'customers') {
    const id = parts[1] ? safeDecode(parts[1]) : null;
    return { page: 'customers', customerId: id };
  }
  if (parts[0] === 'segments') {
    const part = parts[1] ? safeDecode(parts[1]) : null;
    if (part === NEW_SEGMENT) return { page: 'segments', segment: { kind: 'new' } };
    return { page: 'segments', segment: part ? { kind: 'saved', name: part } : null };
  }
  return { page: 'overview' };
}

export function routeHref(route: Route): string {
  if (route.page === 'customers') {
    return route.customerId ? `#/customers/${encodeURIComponent(route.customerId)}` : '#/customers';
  }
  if (route.page === 'segments') {
    if (route.segment === null) return '#/segments';
    return route.segment.kind === 'new'
      ? `#/segments/${NEW_SEGMENT}`
      : `#/segments/${encodeURIComponent(route.segment.name)}`;
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
