import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useClient } from './clientContext.tsx';
import type { C360Client, SegmentPreviewInput } from './types.ts';

/**
 * Query keys name the call and its input, so the cache holds one entry per call. Each query passes
 * TanStack Query's AbortSignal to the client: when a newer search replaces an older one (or a page is left),
 * the older request is aborted and the service interrupts its DuckDB query.
 */
export const queryKeys = {
  workspaceInfo: ['workspace.info'] as const,
  overview: ['overview.get'] as const,
  search: (query: string, limit: number) => ['customers.search', { query, limit }] as const,
  profile: (customerId: string) => ['customers.profile', { customerId }] as const,
};

export const SEARCH_LIMIT = 20;

export function useWorkspaceInfo() {
  const client = useClient();
  return useQuery({
    queryKey: queryKeys.workspaceInfo,
    queryFn: ({ signal }) => client.workspace.info(undefined, { signal }),
    staleTime: Infinity,
  });
}

export function useOverview({ fetch = true }: { fetch?: boolean } = {}) {
  const client = useClient();
  return useQuery({
    queryKey: queryKeys.overview,
    queryFn: ({ signal }) => client.overview.get({}, { signal }),
    // fetch: false reads the Overview only if another part of the app loaded it (the header's freshness).
    enabled: fetch,
  });
}

export function useCustomerSearch(query: string) {
  const client = useClient();
  const trimmed = query.trim();
  return useQuery({
    queryKey: queryKeys.search(trimmed, SEARCH_LIMIT),
    queryFn: ({ signal }) => client.customers.search({ query: trimmed, limit: SEARCH_LIMIT }, { signal }),
    enabled: trimmed.length > 0,
    // The previous result list stays on screen while the next one loads: no flicker while typing.
    placeholderData: keepPreviousData,
  });
}

export function useCustomerProfile(customerId: string | null) {
  const client = useClient();
  return useQuery({
    queryKey: queryKeys.profile(customerId ?? ''),
    queryFn: ({ signal }) => client.customers.profile({ customerId: customerId ?? '' }, { signal }),
    enabled: customerId !== null,
  });
}

/** The segment calls; a client without them (a fake of another page's test) is a bug of that test. */
function segmentCalls(client: C360Client): NonNullable<C360Client['segments']> {
  if (!client.segments)
    throw new Error('This API client has no segment calls (segments.list, segments.preview, segments.get).');
  return client.segments;
}

export const segmentQueryKeys = {
  list: ['segments.list'] as const,
  preview: (input: SegmentPreviewInput) => ['segments.preview', input] as const,
  saved: (segment: string) => ['segments.get', segment] as const,
};

/** A saved segment's file (YAML, definition as data, hashes): what the rule builder opens. */
export function useSavedSegment(segment: string) {
  const client = useClient();
  return useQuery({
    queryKey: segmentQueryKeys.saved(segment),
    queryFn: ({ signal }) => segmentCalls(client).get({ segment }, { signal }),
    // the builder edits a copy; a refetch in the background must not reset the user's edits
    staleTime: Infinity,
    retry: false,
  });
}

export function useSegmentList() {
  const client = useClient();
  return useQuery({
    queryKey: segmentQueryKeys.list,
    queryFn: ({ signal }) => segmentCalls(client).list(undefined, { signal }),
  });
}

/**
 * Count, funnel, breakdowns and overlaps of a saved segment or an unsaved definition. The key holds the whole
 * input, so every edit of the rule builder is a new query: TanStack Query aborts the older one's signal once
 * nothing observes it, and the service interrupts its DuckDB query. The last answer stays on screen meanwhile.
 */
export function useSegmentPreview(input: SegmentPreviewInput | null) {
  const client = useClient();
  return useQuery({
    queryKey: segmentQueryKeys.preview(input ?? {}),
    queryFn: ({ signal }) => segmentCalls(client).preview(input ?? {}, { signal }),
    enabled: input !== null,
    placeholderData: keepPreviousData,
    // A rule the compiler rejects fails the same way again: show its problems at once.
    retry: false,
    staleTime: 10_000,
  });
}
