import type { RunDetailData, RunSummaryData } from '../../core/api/schemas/runs.ts';
import type { SyncOutcomeData, SyncPlanData, SyncProgressEventData } from '../../core/api/schemas/sync.ts';
import type { CallOptions } from '../../renderer/src/api/types.ts';
import type { PublishCalls, PublishRunInput } from '../../renderer/src/pages/publish/publishClient.ts';
import { fakeClient } from './fixtures.ts';

/** A small hand-checked plan: 3 profiles to create, 2 to update, one sensitive list of 40 to add. */
export function planFixture(overrides: Partial<SyncPlanData> = {}): SyncPlanData {
  return {
    kind: 'c360-sync-plan',
    version: 1,
    hash: 'abc123def4567890',
    createdAt: '2026-11-30T09:00:00Z',
    buildRunId: 'build-1',
    asOf: '2026-11-30',
    account: { id: 'ACC1', name: 'Demo Shop GmbH' },
    request: { syncs: ['profiles', 'lists'] },
    targets: [
      {
        sync: 'profiles',
        target: 'profiles',
        sourceRows: 10,
        create: 3,
        update: 2,
        unchanged: 4,
        clears: 0,
        retrying: 0,
        skipped: { missing_email: 1 },
        previouslySynced: 6,
        goneFromSource: 0,
        payloadBytes: 1000,
        samples: {
          create: ['new@example.com'],
          update: [
            {
              email: 'anna@example.com',
              changes: [{ key: 'Lifecycle Stage', from: 'active', to: 'at_risk' }],
            },
          ],
          skipped: [],
        },
        digest: 'd1',
      },
      {
        sync: 'lists',
        target: 'pregnancy_optin',
        listName: 'c360: pregnancy_optin',
        listId: null,
        members: 40,
        heldOut: 0,
        add: 40,
        remove: 0,
        unchanged: 0,
        retrying: 0,
        previousMembers: 0,
        sensitive: true,
        health: { reads: [], consentColumns: [] },
        definitionHash: 'h1',
        publishedDefinitionHash: null,
        refused: null,
        broken: null,
        samples: { add: ['bea@example.com'], remove: [] },
        digest: 'd2',
      },
    ],
    guardrails: [
      {
        id: 'sensitive_segment',
        sync: 'lists',
        target: 'pregnancy_optin',
        message: "segment 'pregnancy_optin' is sensitive and was never published: approve it",
      },
    ],
    apiCalls: { 'POST /api/profile-bulk-import-jobs': 1, 'POST /api/lists': 1 },
    writeCalls: 3,
    expectedSeconds: 4.5,
    ...overrides,
  };
}

/** A preflight as core/sync/preflight.ts makes it: one list near Klaviyo's daily create budget. */
export function preflightFixture(): NonNullable<SyncPlanData['preflight']> {
  return {
    build: {
      lastBuild: {
        runId: 'build-1',
        status: 'published',
        startedAt: null,
        finishedAt: '2026-11-30T08:00:30Z',
      },
      published: { runId: 'build-1', finishedAt: '2026-11-30T08:00:30Z', ageHours: 2.5 },
    },
    eligible: {
      profiles: { sourceRows: 10, eligible: 9, notMarketable: 1 },
      lists: [{ segment: 'pregnancy_optin', matched: 55, members: 40, heldOut: 3, notEligible: 12 }],
      events: null,
    },
    listCreations: { planned: 1, usedLast24h: 149, dailyLimit: 150, left: 1, source: 'spec' },
    overLimits: {
      profilesTooLarge: 2,
      eventPropertiesTooLarge: 0,
      profileLimitBytes: 102400,
      source: 'spec',
    },
    warnings: ["2 profiles are larger than Klaviyo's 100 KB per profile and not sent"],
  };
}

export function planned(plan: SyncPlanData): SyncOutcomeData {
  return {
    status: 'planned',
    dryRun: true,
    note: null,
    plan,
    runId: null,
    results: [],
    interruptedRuns: [],
    resumedPlan: false,
    error: null,
    approvals: [],
  };
}

export function applied(plan: SyncPlanData, runId = '20261130-090100-abcdef'): SyncOutcomeData {
  return {
    ...planned(plan),
    status: 'succeeded',
    dryRun: false,
    runId,
    results: [
      {
        sync: 'profiles',
        target: 'profiles',
        planned: 5,
        sent: 5,
        succeeded: 5,
        failed: 0,
        skipped: 1,
        apiCalls: 2,
        throttled: 0,
        durationMs: 800,
        blocked: null,
      },
      {
        sync: 'lists',
        target: 'pregnancy_optin',
        planned: 40,
        sent: 40,
        succeeded: 39,
        failed: 1,
        skipped: 0,
        apiCalls: 2,
        throttled: 0,
        durationMs: 600,
        blocked: null,
      },
    ],
  };
}

export function runSummary(overrides: Partial<RunSummaryData> = {}): RunSummaryData {
  return {
    runId: '20261130-090100-abcdef',
    startedAt: '2026-11-30T09:01:00Z',
    finishedAt: '2026-11-30T09:01:02Z',
    status: 'succeeded',
    syncs: ['profiles', 'lists'],
    planHash: 'abc123def4567890',
    approved: true,
    error: null,
    targets: applied(planFixture()).results,
    totals: { planned: 45, sent: 45, succeeded: 44, failed: 1, skipped: 1, apiCalls: 4, throttled: 0 },
    durationMs: 2000,
    ...overrides,
  };
}

/** `count` rejected rows, served a page at a time as runs.show does. */
export function runDetail(count: number, offset: number, limit: number): RunDetailData {
  const all = Array.from({ length: count }, (_, index) => ({
    sync: 'profiles',
    target: 'profiles',
    key: `row${String(index).padStart(4, '0')}@example.com`,
    code: 'invalid',
    error: `row ${index}: phone number is not valid`,
  }));
  return { ...runSummary(), errors: all.slice(offset, offset + limit), errorsTotal: count, offset };
}

export interface SyncCall {
  input: PublishRunInput;
  signal: AbortSignal | undefined;
}

/**
 * A fake of the app's client with the publish calls: `apply` answers a non-dry sync.run as a stream of events
 * and an outcome (or throws), `plan` answers dry runs.
 */
export function publishClient(
  handlers: {
    plan?: (input: PublishRunInput) => Promise<SyncOutcomeData>;
    apply?: (
      input: PublishRunInput,
      signal: AbortSignal | undefined,
    ) => AsyncGenerator<SyncProgressEventData, SyncOutcomeData>;
    list?: () => Promise<RunSummaryData[]>;
    show?: (input: { runId: string; offset?: number; limit?: number }) => Promise<RunDetailData>;
  } = {},
) {
  const syncCalls: SyncCall[] = [];
  const showCalls: { runId: string; offset?: number; limit?: number }[] = [];
  const base = fakeClient();
  const calls: PublishCalls = {
    sync: {
      run: async (input: PublishRunInput, options?: CallOptions) => {
        syncCalls.push({ input, signal: options?.signal });
        if (input.dryRun) {
          const outcome = await (handlers.plan ?? (async () => planned(planFixture())))(input);
          // eslint-disable-next-line require-yield
          return (async function* () {
            return outcome;
          })();
        }
        return (handlers.apply ?? defaultApply)(input, options?.signal);
      },
    },
    runs: {
      list: () => (handlers.list ?? (async () => [runSummary()]))(),
      show: (input) => {
        showCalls.push(input);
        return (handlers.show ?? (async (i) => runDetail(3, i.offset ?? 0, i.limit ?? 50)))(input);
      },
      builds: async () => [
        {
          runId: 'build-1',
          startedAt: '2026-11-30T08:00:00Z',
          finishedAt: '2026-11-30T08:00:30Z',
          asOf: '2026-11-30',
          status: 'published',
          ok: true,
          published: true,
          seconds: 30,
          models: 24,
          failedTests: 0,
        },
      ],
    },
  };
  const segments = {
    list: async () => ({
      segments: ['pregnancy_optin', 'vip_winback'].map((name) => ({
        name,
        description: '',
        count: 40,
        eligible: 40,
        lastSnapshot: null,
        delta: null,
      })),
      problems: [],
    }),
    preview: async () => {
      throw new Error('not used');
    },
    get: async () => {
      throw new Error('not used');
    },
  };
  return Object.assign(base, calls, { segments, syncCalls, showCalls });
}

async function* defaultApply(input: PublishRunInput): AsyncGenerator<SyncProgressEventData, SyncOutcomeData> {
  yield { sync: 'profiles', target: 'profiles', done: 5, total: 5 };
  yield { sync: 'lists', target: 'pregnancy_optin', done: 20, total: 40, message: 'waiting for import job' };
  return applied(input.plan!);
}
