/**
 * Cursor pagination as Klaviyo does it: opaque `page[cursor]` tokens and absolute links. The links use
 * `https://` although the fake serves plain http, because the SDK only extracts the cursor from a
 * `pageCursor` that contains "https://" (api-contract-notes §5.4). Tokens are base64url so that no `+`
 * reaches URLSearchParams as a space.
 */
import { createHash } from 'node:crypto';
import { invalidParameter } from './errors.ts';

interface CursorPayload {
  /** Which collection (and filter/sort) the cursor belongs to; a cursor from elsewhere is rejected. */
  k: string;
  /** Offset into the (re-computed) collection. */
  o?: number;
  /** Last id returned, for collections sorted by id. */
  a?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Kinds may embed a long filter; a short digest keeps cursors URL-friendly. */
function kindTag(kind: string): string {
  return createHash('sha1').update(kind).digest('base64url').slice(0, 10);
}

export function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify({ ...payload, k: kindTag(payload.k) })).toString('base64url');
}

function decodeCursor(token: string | null, kind: string): CursorPayload | null {
  if (token === null) return null;
  try {
    const payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as CursorPayload;
    if (payload.k === kindTag(kind) && (typeof payload.o === 'number' || typeof payload.a === 'string'))
      return payload;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('page[cursor]', 'Invalid cursor provided.');
}

export function paginateByOffset<T>(
  items: readonly T[],
  token: string | null,
  size: number,
  kind: string,
): Page<T> {
  const start = decodeCursor(token, kind)?.o ?? 0;
  const slice = items.slice(start, start + size);
  const end = start + slice.length;
  return { items: slice, nextCursor: end < items.length ? encodeCursor({ k: kind, o: end }) : null };
}

/** For id-sorted collections: resume after the last id seen, so that inserts and deletes do not shift pages. */
export function paginateAfterId(
  sortedIds: readonly string[],
  token: string | null,
  size: number,
  kind: string,
): Page<string> {
  const after = decodeCursor(token, kind)?.a;
  let start = 0;
  if (after !== undefined) {
    let lo = 0;
    let hi = sortedIds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sortedIds[mid] as string) <= after) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const slice = sortedIds.slice(start, start + size);
  const last = slice[slice.length - 1];
  const more = start + slice.length < sortedIds.length && last !== undefined;
  return { items: slice, nextCursor: more ? encodeCursor({ k: kind, a: last }) : null };
}

function encodeQuery(params: URLSearchParams): string {
  const parts: string[] = [];
  for (const [key, value] of params) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  return parts.join('&');
}

/**
 * `self` repeats the request; `next` keeps the other parameters (filter, page size, fields) and replaces the
 * cursor, which is what a raw-HTTP client following the link needs. The SDK drops everything but the cursor,
 * so SDK callers must pass filter and page size again, and the fake honours them next to the cursor.
 */
export function collectionLinks(
  linkOrigin: string,
  path: string,
  query: URLSearchParams,
  nextCursor: string | null,
): { self: string; next: string | null; prev: null } {
  const base = `${linkOrigin}${path}/`;
  const selfQuery = encodeQuery(query);
  let next: string | null = null;
  if (nextCursor !== null) {
    const params = new URLSearchParams(query);
    params.delete('page[cursor]');
    params.append('page[cursor]', nextCursor);
    next = `${base}?${encodeQuery(params)}`;
  }
  return { self: selfQuery ? `${base}?${selfQuery}` : base, next, prev: null };
}
