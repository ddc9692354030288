import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../api/clientContext.tsx';
import { segmentQueryKeys } from '../../api/queries.ts';
import type { C360Client, SavedSegment, SegmentSaveInput } from '../../api/types.ts';

/**
 * The segment editor's own calls: the column catalogue (segments.columns), what a column holds (segments.values)
 * and saving the file (segments.save). Kept with the page that uses them; the shared api/queries.ts holds the
 * list, preview and get that other pages use too.
 */

type SegmentCalls = NonNullable<C360Client['segments']>;

function editorCall<K extends 'save' | 'columns' | 'values'>(
  client: C360Client,
  name: K,
): NonNullable<SegmentCalls[K]> {
  const call = client.segments?.[name];
  if (!call) throw new Error(`This API client has no segments.${name} call.`);
  return call.bind(client.segments) as NonNullable<SegmentCalls[K]>;
}

export const editorQueryKeys = {
  columns: ['segments.columns'] as const,
  values: (column: string) => ['segments.values', column] as const,
};

/** The columns a rule can read, as the database and the model docs describe them (changes only with a build). */
export function useSegmentColumns() {
  const client = useClient();
  return useQuery({
    queryKey: editorQueryKeys.columns,
    queryFn: ({ signal }) => editorCall(client, 'columns')(undefined, { signal }),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** What a column holds, for its value picker; asked only for the columns a rule shows. */
export function useColumnValues(column: string | null) {
  const client = useClient();
  return useQuery({
    queryKey: editorQueryKeys.values(column ?? ''),
    queryFn: ({ signal }) => editorCall(client, 'values')({ column: column ?? '' }, { signal }),
    enabled: column !== null && column !== '',
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** Saves the segment file; on success the list and the saved file's cache entry are refreshed. */
export function useSaveSegment() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SegmentSaveInput) => editorCall(client, 'save')(input),
    onSuccess: (saved: SavedSegment) => {
      queryClient.setQueryData(segmentQueryKeys.saved(saved.name), saved);
      void queryClient.invalidateQueries({ queryKey: segmentQueryKeys.list });
      void queryClient.invalidateQueries({ queryKey: ['segments.preview', { segment: saved.name }] });
    },
  });
}
