import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/overview`, `#/customers`, `#/customers/<id>`, `#/segments`, `#/segments/<name>`,
 * `#/segments/+new`, `#/publish`, `#/publish?segment=<name>`, `#/publish?retry=<run id>`, `#/runs`, `#/runs/<run id>`): they work from
 * file:// in Electron and from / in web mode without server rewrites, and the back button works. `+new`
 * cannot clash with a segment: names start with a letter.
 */
export type Route =
  | { page: 'overview' }
  | { page: 'customers'; customerId: string | null }
  | { page: 'segments'; segment: SegmentTarget | null }
  /** `segment`: the publish of one segment (its list sync and the profile sync), from the segment editor. */
  | {
      page: 'publish';
      segment: string | null;
      /** `retry`: a plan of the rows this run rejected that are still failing (the Runs page's retry). */
      retry?: string | null;
    }
  | { page: 'runs'; runId: string | null }
  | { page: 'settings' };

/**
 * The segment an editor shows: a saved one by name, or a new one not saved anywhere (optionally started from a
 * built-in template: `#/segments/+new?template=NAME`); or the template gallery (`#/segments/+templates`).
 */
export type SegmentTarget =
  { kind: 'saved'; name: string } | { kind: 'new'; template?: string } | { kind: 'templates' };

const NEW_SEGMENT = '+new';
const TEMPLATES = '+templates';

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const parts = path.split('/');
  if (parts[0] === 'publish') {
    const params = new URLSearchParams(query);
    const segment = params.get('segment');
    const retry = params.get('retry');
    return { page: 'publish', segment: segment ? segment : null, ...(retry ? { retry } : {}) };
  }
  if (parts[0] === 'runs') return { page: 'runs', runId: parts[1] ? safeDecode(parts[1]) : null };
  if (parts[0] === 'customers') {
    const id = parts[1] ? safeDecode(parts[1]) : null;
    return { page: 'customers', customerId: id };
  }
  if (parts[0] === 'segments') {
    const part = parts[1] ? safeDecode(parts[1]) : null;
    // The query was split off above: `+new?template=NAME` (the gallery's "Use template") arrives as `+new`.
    if (part === NEW_SEGMENT) {
      const template = new URLSearchParams(query).get('template');
      return { page: 'segments', segment: template ? { kind: 'new', template } : { kind: 'new' } };
    }
    if (part === TEMPLATES) return { page: 'segments', segment: { kind: 'templates' } };
    if (part?.startsWith(`${NEW_SEGMENT}?`)) {
      const template = new URLSearchParams(part.slice(NEW_SEGMENT.length + 1)).get('template');
      return { page: 'segments', segment: template ? { kind: 'new', template } : { kind: 'new' } };
    }
    return { page: 'segments', segment: part ? { kind: 'saved', name: part } : null };
  }
  if (parts[0] === 'settings') return { page: 'settings' };
  return { page: 'overview' };
}

export function routeHref(route: Route): string {
  if (route.page === 'publish' && route.retry)
    return `#/publish?${new URLSearchParams({ retry: route.retry }).toString()}`;
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
    if (route.segment.kind === 'templates') return `#/segments/${TEMPLATES}`;
    if (route.segment.kind === 'new')
      return route.segment.template
        ? `#/segments/${NEW_SEGMENT}?template=${encodeURIComponent(route.segment.template)}`
        : `#/segments/${NEW_SEGMENT}`;
    return `#/segments/${encodeURIComponent(route.segment.name)}`;
  }
  if (route.page === 'settings') return '#/settings';
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
