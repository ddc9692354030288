import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/overview`, `#/customers`, `#/customers/<id>`, `#/segments`, `#/segments/<name>`,
 * `#/segments/+new`, `#/publish`, `#/publish?segment=<name>`, `#/runs`, `#/runs/<run id>`): they work from
 * file:// in Electron and from / in web mode without server rewrites, and the back button works. `+new`
 * cannot clash with a segment: names start with a letter.
 */
export type Route =
  | { page: 'overview' }
  | { page: 'customers'; customerId: string | null }
  | { page: 'segments'; segment: SegmentTarget | null }
  /** `segment`: the publish of one segment (its list sync and the profile sync), from the segment editor. */
  | { page: 'publish'; segment: string | null }
  | { page: 'runs'; runId: string | null };

/** The segment an editor shows: a saved one by name, or a new one not saved anywhere. */
export type SegmentTarget = { kind: 'saved'; name: string } | { kind: 'new' };

const NEW_SEGMENT = '+new';

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const parts = path.split('/');
  if (parts[0] === 'publish') {
    const segment = new URLSearchParams(query).get('segment');
    return { page: 'publish', segment: segment ? segment : null };
  }
  if (parts[0] === 'runs') return { page: 'runs', runId: parts[1] ? safeDecode(parts[1]) : null };
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
  if (route.page === 'publish')
    return route.segment
      ? `#/publish?${new URLSearchParams({ segment: route.segment }).toString()}`
      : '#/publish';
  if (route.page === 'runs') return route.runId ? `#/runs/${encodeURIComponent(route.runId)}` : '#/runs';
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
