import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type {
  SegmentBreakdown,
  SegmentBreakdownInput,
  SegmentDiff,
  SegmentDiffInput,
  SegmentExplainDraftInput,
  SegmentMembers,
  SegmentMembersInput,
  SegmentOverlaps,
  SegmentOverlapsInput,
  SegmentPriority,
  SegmentPriorityInput,
} from '../../../../../core/api/schemas/segmentInsights.ts';
import type { SegmentExplanation } from '../../../../../core/api/schemas/segments.ts';
import { useClient } from '../../../api/clientContext.tsx';
import type { C360Client, CallOptions } from '../../../api/types.ts';

/**
 * The editor insights' calls (core/api/contract.ts segments.diff / breakdown / priority / members /
 * explainDraft / overlaps) as TanStack queries keyed by call and input: every edit is a new key, the older request's
 * signal is aborted once nothing observes it (the service then interrupts its DuckDB query), and the last
 * answer stays on screen while the next one loads.
 */

export interface InsightCalls {
  diff(input: SegmentDiffInput, options?: CallOptions): Promise<SegmentDiff>;
  breakdown(input: SegmentBreakdownInput, options?: CallOptions): Promise<SegmentBreakdown>;
  priority(input: SegmentPriorityInput, options?: CallOptions): Promise<SegmentPriority>;
  members(input: SegmentMembersInput, options?: CallOptions): Promise<SegmentMembers>;
  explainDraft(input: SegmentExplainDraftInput, options?: CallOptions): Promise<SegmentExplanation>;
  overlaps(input: SegmentOverlapsInput, options?: CallOptions): Promise<SegmentOverlaps>;
}

const CALLS = ['diff', 'breakdown', 'priority', 'members', 'explainDraft', 'overlaps'] as const;

function missingInsightCalls(client: C360Client): string[] {
  const segments = client.segments as Partial<Record<(typeof CALLS)[number], unknown>> | undefined;
  return CALLS.filter((name) => typeof segments?.[name] !== 'function');
}

/** Whether the client carries the insight calls (the app's does; a test's fake of other calls may not). */
export function hasInsightCalls(client: C360Client): boolean {
  return missingInsightCalls(client).length === 0;
}

/**
 * The insight calls of the client. The app's oRPC client has them (it is typed by the whole contract); the
 * renderer's C360Client type names only the calls of the older pages, so they are checked here once.
 */
export function insightCalls(client: C360Client): InsightCalls {
  const missing = missingInsightCalls(client);
  if (missing.length)
    throw new Error(
      `This API client has no segment insight calls (${missing.map((m) => `segments.${m}`).join(', ')}).`,
    );
  return client.segments as unknown as InsightCalls;
}

function useInsightCalls(): InsightCalls {
  return insightCalls(useClient());
}

export const insightKeys = {
  diff: (input: SegmentDiffInput) => ['segments.diff', input] as const,
  breakdown: (input: SegmentBreakdownInput) => ['segments.breakdown', input] as const,
  priority: (input: SegmentPriorityInput) => ['segments.priority', input] as const,
  members: (input: SegmentMembersInput) => ['segments.members', input] as const,
  explain: (input: SegmentExplainDraftInput) => ['segments.explainDraft', input] as const,
  overlaps: (input: SegmentOverlapsInput) => ['segments.overlaps', input] as const,
};

// A definition the compiler rejects fails the same way again: no retry; the editor shows its problems.
const common = { placeholderData: keepPreviousData, retry: false, staleTime: 10_000 } as const;

export function useSegmentDiff(input: SegmentDiffInput | null) {
  const calls = useInsightCalls();
  return useQuery({
    queryKey: insightKeys.diff(input ?? { definition: {} }),
    queryFn: ({ signal }) => calls.diff(input!, { signal }),
    enabled: input !== null,
    ...common,
  });
}

export function useSegmentBreakdown(input: SegmentBreakdownInput | null) {
  const calls = useInsightCalls();
  return useQuery({
    queryKey: insightKeys.breakdown(input ?? { definition: {}, column: '' }),
    queryFn: ({ signal }) => calls.breakdown(input!, { signal }),
    enabled: input !== null,
    ...common,
  });
}

export function useSegmentPriority(input: SegmentPriorityInput | null) {
  const calls = useInsightCalls();
  return useQuery({
    queryKey: insightKeys.priority(input ?? { definition: {} }),
    queryFn: ({ signal }) => calls.priority(input!, { signal }),
    enabled: input !== null,
    ...common,
  });
}

export function useSegmentMembers(input: SegmentMembersInput | null) {
  const calls = useInsightCalls();
  return useQuery({
    queryKey: insightKeys.members(input ?? { definition: {} }),
    queryFn: ({ signal }) => calls.members(input!, { signal }),
    enabled: input !== null,
    ...common,
  });
}

export function useSegmentOverlaps(input: SegmentOverlapsInput | null) {
  const calls = useInsightCalls();
  return useQuery({
    queryKey: insightKeys.overlaps(input ?? { definition: {} }),
    queryFn: ({ signal }) => calls.overlaps(input!, { signal }),
    enabled: input !== null,
    ...common,
  });
}

/**
 * Asked for on submit (not per keystroke); it follows the definition while the customer stays the same, and
 * keeps its last answer on screen while the next loads.
 */
export function useExplainDraft(input: SegmentExplainDraftInput | null) {
  const calls = useInsightCalls();
  return useQuery({
    queryKey: insightKeys.explain(input ?? { definition: {}, customer: '' }),
    queryFn: ({ signal }) => calls.explainDraft(input!, { signal }),
    enabled: input !== null,
    ...common,
  });
}
