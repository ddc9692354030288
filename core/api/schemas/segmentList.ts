import { z } from 'zod';
import { MAX_SEGMENTS, segmentListSchema, segmentSizeSchema } from './segments.ts';

/**
 * The segment list page's rows (browser-safe: zod only): each saved segment's size now and at its last snapshot
 * (segments.ts), plus what the list shows about it — the Klaviyo list it feeds, priority group, holdout,
 * sensitivity — and its size at the last builds (core/segments/sizeHistory.ts), for the sparkline.
 */

/** Points of size history per segment in a `segments.list` answer. */
export const MAX_HISTORY_POINTS = 30;

export const sizePointSchema = z.object({
  buildRunId: z.string(),
  asOf: z.string().describe('as-of day of the build (YYYY-MM-DD)'),
  recordedAt: z.string().describe('when the build published (UTC)'),
  members: z.number().int().nonnegative().describe('on the list: eligible, holdout left out'),
  holdout: z.number().int().nonnegative(),
  matched: z
    .number()
    .int()
    .nonnegative()
    .nullable()
    .describe('what the rules alone select, before marketability, consent column, exclusions and holdout'),
  definitionHash: z.string(),
});

export const segmentListRowSchema = segmentSizeSchema.extend({
  klaviyoList: z.object({
    /** The list's name in Klaviyo (config list_prefix + klaviyo_list, or the segment name). */
    name: z.string(),
    /** Whether the lists sync publishes this segment (config `sync.lists`). */
    synced: z.boolean(),
  }),
  priorityGroup: z.string().nullable(),
  priority: z.number().int().nullable(),
  holdoutPercent: z.number().nonnegative(),
  /** Sensitive by its YAML or by the health data its rules read; the consent columns members must have. */
  sensitive: z.boolean(),
  consentColumns: z.array(z.string()).max(50),
  /** Size at the last builds that published, oldest first. */
  history: z.array(sizePointSchema).max(MAX_HISTORY_POINTS),
});

export const segmentListWithHistorySchema = segmentListSchema.extend({
  segments: z.array(segmentListRowSchema).max(MAX_SEGMENTS),
});

export type SizePointData = z.infer<typeof sizePointSchema>;
export type SegmentListRow = z.infer<typeof segmentListRowSchema>;
export type SegmentListWithHistory = z.infer<typeof segmentListWithHistorySchema>;
