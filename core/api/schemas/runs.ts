import { z } from 'zod';

/**
 * `runs.list`, `runs.show` and `runs.builds` (browser-safe: zod only): mirrors of core/sync/runs.ts RunSummary,
 * RunError and TargetResult, and of the build history in c360.build_runs. The objects are loose: a field
 * core/sync/runs.ts adds (e.g. per-target `blocked`) reaches the client without a change here.
 */

const syncKind = z.enum(['profiles', 'lists', 'events']);

export const RUN_STATUSES = [
  'running',
  'succeeded',
  'partial',
  'failed',
  'blocked',
  'cancelled',
  'interrupted',
] as const;

export const runTargetSchema = z.looseObject({
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
});

export const runSummarySchema = z.looseObject({
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  syncs: z.array(z.string()),
  planHash: z.string().nullable(),
  approved: z.boolean(),
  error: z.string().nullable(),
  targets: z.array(runTargetSchema),
  totals: z.looseObject({
    planned: z.number(),
    sent: z.number(),
    succeeded: z.number(),
    failed: z.number(),
    skipped: z.number(),
    apiCalls: z.number(),
    throttled: z.number(),
  }),
  durationMs: z.number().nullable(),
  /** The run whose rejected rows this run retried; null (or absent from older servers) for a full run. */
  retryOf: z.string().nullable().optional(),
});

/** core/sync/runs.ts RunRequests: requests per endpoint, by status, with their sizes and time. */
export const runRequestsSchema = z.looseObject({
  /** Method and path, e.g. `POST /api/profile-bulk-import-jobs`. */
  endpoint: z.string(),
  calls: z.number(),
  /** Answers by HTTP status ("none": no answer); absent for runs recorded before answers were kept. */
  statuses: z.record(z.string(), z.number()).optional(),
  sentBytes: z.number().optional(),
  receivedBytes: z.number().optional(),
  /** Time from sending to the answer, summed over the requests, and the slowest one. */
  totalMs: z.number().optional(),
  slowestMs: z.number().optional(),
});

export const runErrorSchema = z.looseObject({
  sync: z.string(),
  target: z.string(),
  key: z.string(),
  code: z.string(),
  error: z.string(),
});

export const runsListInputSchema = z
  .object({ limit: z.number().int().min(1).max(1000).default(20) })
  .prefault({});

export const runsListSchema = z.array(runSummarySchema);

/** A run's rejected rows come a page at a time: `errorsTotal` tells how many there are in all. */
export const runShowInputSchema = z.object({
  runId: z.string().min(4, 'give a run id (or its first characters)'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(50),
});

export const runDetailSchema = runSummarySchema.extend({
  errors: z.array(runErrorSchema),
  /** Rejected rows of the run in all (the page is `errors`, from `offset`). */
  errorsTotal: z.number(),
  offset: z.number(),
  /** What the run sent per Klaviyo endpoint (no payloads, no headers); absent from older servers. */
  requests: z.array(runRequestsSchema).optional(),
});

export const buildRunSchema = z.object({
  runId: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** As-of day (YYYY-MM-DD) the build computed for. */
  asOf: z.string().nullable(),
  status: z.string(),
  ok: z.boolean(),
  published: z.boolean(),
  seconds: z.number().nullable(),
  /** Models that ran and data tests that did not pass. */
  models: z.number(),
  failedTests: z.number(),
});

export const buildRunsInputSchema = z
  .object({ limit: z.number().int().min(1).max(200).default(20) })
  .prefault({});
export const buildRunsSchema = z.array(buildRunSchema);

export type RunSummaryData = z.infer<typeof runSummarySchema>;
export type RunTargetData = z.infer<typeof runTargetSchema>;
export type RunDetailData = z.infer<typeof runDetailSchema>;
export type RunShowInput = z.input<typeof runShowInputSchema>;
export type RunsListInput = z.input<typeof runsListInputSchema>;
export type BuildRunData = z.infer<typeof buildRunSchema>;
export type BuildRunsInput = z.input<typeof buildRunsInputSchema>;
