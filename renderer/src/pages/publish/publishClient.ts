import type {
  BuildRunData,
  BuildRunsInput,
  RunDetailData,
  RunShowInput,
  RunsListInput,
  RunSummaryData,
} from '../../../../core/api/schemas/runs.ts';
import type {
  SyncOutcomeData,
  SyncPlanData,
  SyncProgressEventData,
  SyncRunInput,
} from '../../../../core/api/schemas/sync.ts';
import type { C360Client, CallOptions } from '../../api/types.ts';

/** One guardrail approval (core/api/schemas/sync.ts `approvals`, when the server knows it; ignored before). */
export interface GuardrailApproval {
  id: SyncPlanData['guardrails'][number]['id'];
  sync: SyncPlanData['guardrails'][number]['sync'];
  target: string;
}

/** sync.run's input with the per-guardrail approvals of the agreed API shape (optional until the server has it). */
export type PublishRunInput = SyncRunInput & { approvals?: GuardrailApproval[] };

/**
 * What a publish result may carry beyond today's schema: per target `blocked` (the guardrail messages that kept
 * it back) and the recorded approvals. Optional: a server without them leaves them out.
 */
export type PublishOutcome = SyncOutcomeData & {
  results: (SyncOutcomeData['results'][number] & { blocked?: string | null })[];
  approvals?: (GuardrailApproval & { planHash: string; approvedBy: string; approvedAt: string })[];
};

/** A streaming call's answer as the oRPC client returns it: progress events, then the outcome. */
export type SyncEvents = AsyncIterator<SyncProgressEventData, SyncOutcomeData>;

/** The calls of the Publish and Runs pages (core/api/contract.ts `sync`, `runs`). */
export interface PublishCalls {
  sync: {
    run(input: PublishRunInput, options?: CallOptions): Promise<SyncEvents>;
  };
  runs: {
    list(input?: RunsListInput, options?: CallOptions): Promise<RunSummaryData[]>;
    show(input: RunShowInput, options?: CallOptions): Promise<RunDetailData>;
    builds(input?: BuildRunsInput, options?: CallOptions): Promise<BuildRunData[]>;
  };
}

/**
 * The Publish and Runs calls of the app's client. C360Client types only what the other pages call; the real
 * oRPC client carries every call of the contract, and a test's fake adds these when it needs them.
 */
export function findPublishCalls(client: C360Client): PublishCalls | null {
  const calls = client as C360Client & Partial<PublishCalls>;
  return calls.sync && calls.runs ? { sync: calls.sync, runs: calls.runs } : null;
}

export function publishCalls(client: C360Client): PublishCalls {
  const calls = findPublishCalls(client);
  if (!calls) throw missingCallsError();
  return calls;
}

/** What the pages show when the client lacks these calls (the desktop app's port client, for now). */
export function missingCallsError(): Error {
  const code = 'INTERNAL';
  return Object.assign(
    new Error(
      'This window cannot reach the publish calls (sync.run, runs.*). Open the workbench in web mode (`c360 web`) to publish, or use `c360 sync` and `c360 runs`.',
    ),
    { code, data: { code } },
  );
}

/** Query keys of the Runs calls (the Publish page refreshes the list after a run). */
export const runsQueryKeys = {
  list: (limit: number) => ['runs.list', { limit }] as const,
  show: (runId: string) => ['runs.show', { runId }] as const,
  builds: ['runs.builds'] as const,
};

/** Runs a sync call to its end: every progress event goes to `onEvent`, the outcome is returned. */
export async function runSync(
  calls: PublishCalls,
  input: PublishRunInput,
  options: { signal?: AbortSignal; onEvent?: (event: SyncProgressEventData) => void } = {},
): Promise<PublishOutcome> {
  const events = await calls.sync.run(input, options.signal ? { signal: options.signal } : {});
  for (;;) {
    const step = await events.next();
    if (step.done) return step.value;
    options.onEvent?.(step.value);
  }
}

export type {
  BuildRunData,
  RunDetailData,
  RunSummaryData,
  SyncOutcomeData,
  SyncPlanData,
  SyncProgressEventData,
};
