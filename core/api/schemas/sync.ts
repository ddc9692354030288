import { z } from 'zod';

/**
 * `sync.run` (browser-safe: zod only): zod mirrors of core/sync's SyncOutcome, SyncPlan and ApplyProgress. A
 * reviewed plan travels as its content (what `--plan-out` saved), never as a path; the call carries no Klaviyo
 * key: the process that runs it uses its own key source.
 *
 * The answer's `plan` is what a plan file holds, so `c360 sync --plan-out` of a routed call writes the file a
 * local one does. router.ts returns core/sync's own values through these schemas, so a field renamed or removed
 * there that they do not follow fails the typecheck; a field added there must be added here too, or the API
 * leaves it out of its answers (and of a routed call's plan file).
 */

import { SYNC_KIND_NAMES } from './syncKinds.ts';

export { SYNC_KIND_NAMES };
const syncKind = z.enum(SYNC_KIND_NAMES);
const counts = z.record(z.string(), z.number().optional());
/** core/sync/profilePlan.ts SKIP_REASONS and core/sync/eventPlan.ts EVENT_SKIP_REASONS (their keys). */
const profileSkipReason = z.enum([
  'missing_email',
  'invalid_email',
  'relay_address',
  'not_marketable',
  'duplicate_email',
  'profile_too_large',
]);
const eventSkipReason = z.enum([
  'missing_id',
  'duplicate_id',
  'missing_email',
  'invalid_email',
  'relay_address',
  'not_marketable',
  'missing_metric',
  'metric_too_long',
  'time_out_of_range',
  'property_too_large',
]);

const profilesPlanSchema = z.object({
  sync: z.literal('profiles'),
  target: z.string(),
  sourceRows: z.number(),
  create: z.number(),
  update: z.number(),
  unchanged: z.number(),
  clears: z.number(),
  retrying: z.number(),
  skipped: z.partialRecord(profileSkipReason, z.number()),
  previouslySynced: z.number(),
  goneFromSource: z.number(),
  payloadBytes: z.number(),
  samples: z.object({
    create: z.array(z.string()),
    update: z.array(
      z.object({
        email: z.string(),
        changes: z.array(z.object({ key: z.string(), from: z.unknown(), to: z.unknown() })),
      }),
    ),
    skipped: z.array(z.object({ key: z.string(), reason: profileSkipReason })),
  }),
  digest: z.string(),
});

const listPlanSchema = z.object({
  sync: z.literal('lists'),
  target: z.string(),
  listName: z.string(),
  listId: z.string().nullable(),
  members: z.number(),
  heldOut: z.number(),
  add: z.number(),
  remove: z.number(),
  unchanged: z.number(),
  retrying: z.number(),
  previousMembers: z.number(),
  sensitive: z.boolean(),
  health: z.object({ reads: z.array(z.string()), consentColumns: z.array(z.string()) }),
  definitionHash: z.string(),
  publishedDefinitionHash: z.string().nullable(),
  refused: z.string().nullable(),
  /** The saved segment cannot be compiled: its problems (its target fails, nothing is sent for it). */
  broken: z.string().nullable(),
  samples: z.object({ add: z.array(z.string()), remove: z.array(z.string()) }),
  digest: z.string(),
});

const eventsPlanSchema = z.object({
  sync: z.literal('events'),
  target: z.string(),
  sourceRows: z.number(),
  send: z.number(),
  alreadySent: z.number(),
  inflight: z.number(),
  backfill: z.number(),
  retrying: z.number(),
  nonMarketable: z.number(),
  newProfiles: z.number(),
  byMetric: z.record(z.string(), z.number()),
  skipped: z.partialRecord(eventSkipReason, z.number()),
  samples: z.object({
    send: z.array(z.string()),
    skipped: z.array(z.object({ key: z.string(), reason: eventSkipReason })),
  }),
  digest: z.string(),
});

export const targetPlanSchema = z.discriminatedUnion('sync', [
  profilesPlanSchema,
  listPlanSchema,
  eventsPlanSchema,
]);

export const GUARDRAIL_IDS = [
  'empty_source',
  'profiles_changing',
  'list_removal',
  'list_emptied',
  'sensitive_segment',
  'stale_data',
] as const;
const guardrailId = z.enum(GUARDRAIL_IDS);

/** One guardrail to approve, as the plan's `guardrails` name it. */
export const guardrailApprovalSchema = z.object({ id: guardrailId, sync: syncKind, target: z.string() });

/** core/sync/preflight.ts PlanPreflight: freshness, eligibility, list-creation budget, rows over limits. */
const preflightSchema = z.object({
  build: z
    .object({
      lastBuild: z
        .object({
          runId: z.string(),
          status: z.string(),
          startedAt: z.string().nullable(),
          finishedAt: z.string().nullable(),
        })
        .nullable(),
      published: z.object({ runId: z.string(), finishedAt: z.string(), ageHours: z.number() }).nullable(),
    })
    .nullable(),
  eligible: z.object({
    profiles: z
      .object({ sourceRows: z.number(), eligible: z.number(), notMarketable: z.number() })
      .nullable(),
    lists: z.array(
      z.object({
        segment: z.string(),
        matched: z.number().nullable(),
        members: z.number(),
        heldOut: z.number(),
        notEligible: z.number().nullable(),
      }),
    ),
    events: z.object({ send: z.number(), nonMarketable: z.number() }).nullable(),
  }),
  listCreations: z.object({
    planned: z.number(),
    usedLast24h: z.number(),
    dailyLimit: z.number(),
    left: z.number(),
    source: z.string(),
  }),
  overLimits: z.object({
    profilesTooLarge: z.number(),
    eventPropertiesTooLarge: z.number(),
    profileLimitBytes: z.number(),
    source: z.string(),
  }),
  warnings: z.array(z.string()),
});

export const syncPlanSchema = z.object({
  kind: z.literal('c360-sync-plan'),
  version: z.literal(1),
  hash: z.string().min(1),
  createdAt: z.string(),
  buildRunId: z.string().nullable(),
  asOf: z.string().nullable(),
  /** The Klaviyo account the key belongs to; null for a dry run without a key. */
  account: z.object({ id: z.string().min(1), name: z.string().nullable() }).nullable(),
  request: z.object({
    syncs: z.array(syncKind).min(1),
    segments: z.array(z.string()).optional(),
    /** A retry of the rejected rows of this run (only those still failing are in the plan). */
    retryFailed: z.object({ runId: z.string().min(1) }).optional(),
  }),
  targets: z.array(targetPlanSchema),
  guardrails: z.array(
    z.object({
      id: guardrailId,
      sync: syncKind,
      target: z.string(),
      message: z.string(),
    }),
  ),
  apiCalls: counts,
  writeCalls: z.number(),
  expectedSeconds: z.number(),
  /** Absent in plan files saved before plans had a preflight. */
  preflight: preflightSchema.optional(),
});

const targetResultSchema = z.object({
  sync: syncKind,
  target: z.string(),
  planned: z.number(),
  sent: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  skipped: z.number(),
  apiCalls: z.number(),
  throttled: z.number(),
  durationMs: z.number(),
  /** The messages of the guardrails that blocked this target (nothing was written for it); null if applied. */
  blocked: z.string().nullable(),
});

/** A guardrail approval the run used, as recorded in `c360.sync_approvals`. */
const recordedApprovalSchema = guardrailApprovalSchema.extend({
  planHash: z.string(),
  /** The OS user of the process that ran the sync (for the API: the one that serves it). */
  approvedBy: z.string(),
  approvedAt: z.string(),
});

export const syncOutcomeSchema = z.object({
  /** `blocked` only when every target was blocked; `error` then and otherwise says what was blocked. */
  status: z.enum([
    'planned',
    'blocked',
    'running',
    'succeeded',
    'partial',
    'failed',
    'cancelled',
    'interrupted',
  ]),
  dryRun: z.boolean(),
  note: z.string().nullable(),
  plan: syncPlanSchema,
  runId: z.string().nullable(),
  results: z.array(targetResultSchema),
  interruptedRuns: z.array(z.string()),
  resumedPlan: z.boolean(),
  error: z.string().nullable(),
  approvals: z.array(recordedApprovalSchema),
});

/** One step of an apply: `done` of `total` rows of a target, or a message (a job waiting, a retry). */
export const syncProgressEventSchema = z.object({
  sync: syncKind,
  target: z.string(),
  done: z.number(),
  total: z.number(),
  message: z.string().optional(),
});

export const syncRunInputSchema = z.object({
  /**
   * Which syncs (all three when left out). With `plan` they must be the plan's own, or the call is refused
   * (INVALID_INPUT); left out together with `segments`, the plan applies as it was made.
   */
  syncs: z.array(syncKind).min(1).optional(),
  /** Lists sync: only these saved segments. */
  segments: z.array(z.string().min(1)).optional(),
  /**
   * "Retry failed rows": plan only the rows the run `runId` (or its first characters) rejected that are still
   * failing; without runId, the newest run with such rows. INVALID_INPUT when there is nothing to retry.
   */
  retryFailed: z.object({ runId: z.string().min(4).optional() }).optional(),
  dryRun: z.boolean().default(false),
  /** A plan saved by `c360 sync --dry-run --plan-out FILE`: applied only if it is still what a sync would send. */
  plan: syncPlanSchema.optional(),
  /**
   * Approve every tripped guardrail (with `plan`: every one that plan shows). An unapproved guardrail blocks
   * only its own target. With `plan` an approval is bound to that plan's hash: a stale plan is refused
   * (SYNC_BLOCKED) and cannot be approved.
   */
  approve: z.boolean().default(false),
  /** Approve only these guardrails (each recorded with the plan hash, the OS user and the time). */
  approvals: z.array(guardrailApprovalSchema).optional(),
});

export type SyncRunInput = z.input<typeof syncRunInputSchema>;
export type SyncOutcomeData = z.infer<typeof syncOutcomeSchema>;
export type SyncPlanData = z.infer<typeof syncPlanSchema>;
export type GuardrailApprovalData = z.infer<typeof guardrailApprovalSchema>;
export type PlanPreflightData = z.infer<typeof preflightSchema>;
export type SyncProgressEventData = z.infer<typeof syncProgressEventSchema>;
