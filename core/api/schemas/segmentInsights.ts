import { z } from 'zod';
import { snapshotSummarySchema } from './segments.ts';

/**
 * The segment editor's insight calls (browser-safe: zod only): the what-if diff, a breakdown by any column, the
 * priority-group simulation, a page of members and "why is this customer in or out" for the unsaved
 * definition. Every answer is aggregates or a bounded page; customers are named as the 360 profile names them.
 * The definition is checked by the segment definition schema in the handler (see ./segments.ts).
 */

const SEGMENT_NAME = /^[a-z][a-z0-9_]*$/;
const segmentName = z
  .string()
  .regex(SEGMENT_NAME, 'a segment name uses lower-case letters, digits and _, starting with a letter');
const count = z.number().int().nonnegative();

/** Same as core/segments/whatIf.ts MAX_DIFF_SAMPLE, columnBreakdown.ts MAX_TOP / MAX_BINS, memberPage.ts MAX_PAGE. */
export const MAX_DIFF_SAMPLE = 50;
export const MAX_TOP = 50;
export const MAX_BINS = 50;
export const MAX_PAGE = 100;
const MAX_GROUP = 100;
/** Same as core/segments/overlapMatrix.ts MAX_MATRIX_SEGMENTS. */
export const MAX_MATRIX_SEGMENTS = 16;

/** The editor's current definition, and the saved segment it edits (its name may have been changed). */
const draftInput = z.object({
  definition: z.record(z.string(), z.unknown()),
  savedName: segmentName.optional(),
});

export const customerRefSchema = z.object({
  customerId: z.string(),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
});

const diffSideSchema = z.object({
  count,
  sample: z.array(customerRefSchema).max(MAX_DIFF_SAMPLE).describe('lowest customer ids first'),
});

const comparisonSchema = z.object({
  before: count.describe('members of the version compared with'),
  after: count.describe('members of the unsaved definition now'),
  entered: diffSideSchema,
  left: diffSideSchema,
  stayed: count,
  sameDefinition: z.boolean(),
});

export const segmentDiffInputSchema = draftInput.extend({
  sample: z.number().int().min(0).max(MAX_DIFF_SAMPLE).default(10),
});

export const segmentDiffSchema = z.object({
  segment: z.string(),
  asOf: z.string(),
  definitionHash: z.string(),
  saved: comparisonSchema
    .extend({ definitionHash: z.string() })
    .nullable()
    .describe('against the saved file on today’s data; null when never saved'),
  published: comparisonSchema
    .extend({ snapshot: snapshotSummarySchema })
    .nullable()
    .describe('against the last publish; null when never published'),
});

export const segmentBreakdownInputSchema = draftInput.extend({
  column: z.string().min(1).max(200),
  top: z.number().int().min(1).max(MAX_TOP).default(10),
  bins: z.number().int().min(1).max(MAX_BINS).default(10),
});

export const segmentBreakdownSchema = z.object({
  column: z.string(),
  shape: z.enum(['top', 'bins']),
  kind: z.enum(['number', 'string', 'boolean', 'date', 'timestamp', 'list', 'other']),
  members: count,
  buckets: z
    .array(
      z.object({
        value: z.union([z.string(), z.number(), z.boolean()]).describe('the value, or a bin’s lower bound'),
        to: z.union([z.string(), z.number()]).optional().describe('a bin’s upper bound (inclusive)'),
        count,
      }),
    )
    .max(Math.max(MAX_TOP, MAX_BINS)),
  other: count.describe('members beyond the top values'),
  empty: count.describe('members without a value'),
});

export const segmentPriorityInputSchema = draftInput;

export const segmentPrioritySchema = z
  .object({
    group: z.string(),
    claimedByGroup: count,
    segments: z
      .array(
        z.object({
          segment: z.string(),
          priority: z.number(),
          isDraft: z.boolean(),
          wouldBe: count.describe('customers its own conditions select'),
          claimed: count.describe('customers no earlier segment of the group takes'),
          lostTo: z.array(z.object({ segment: z.string(), count })).max(MAX_GROUP),
        }),
      )
      .max(MAX_GROUP),
  })
  .nullable()
  .describe('null when the definition is in no priority group');

export const segmentOverlapsInputSchema = draftInput;

export const segmentOverlapsSchema = z.object({
  segments: z
    .array(
      z.object({
        name: z.string(),
        size: count.describe('eligible members, before holdouts'),
        isDraft: z.boolean(),
      }),
    )
    .max(MAX_MATRIX_SEGMENTS)
    .describe('the draft first, then the saved segments sharing most customers with it'),
  pairs: z
    .array(
      z.object({
        a: z.number().int().nonnegative(),
        b: z.number().int().nonnegative(),
        overlap: count,
        jaccard: z.number().min(0).max(1),
      }),
    )
    .max((MAX_MATRIX_SEGMENTS * (MAX_MATRIX_SEGMENTS - 1)) / 2)
    .describe('every pair once: indexes into segments, a < b'),
  omitted: count.describe('saved segments left out (sharing fewest customers with the draft)'),
  patterns: count,
  ms: z.number().nonnegative(),
});

export const segmentMembersInputSchema = draftInput.extend({
  offset: z.number().int().min(0).max(10_000_000).default(0),
  limit: z.number().int().min(1).max(MAX_PAGE).default(20),
});

export const segmentMembersSchema = z.object({
  total: count,
  offset: count,
  columns: z.array(z.string()).max(20).describe('columns the rules read, shown next to the customer'),
  rows: z
    .array(
      customerRefSchema.extend({
        values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
      }),
    )
    .max(MAX_PAGE),
});

export const segmentExplainDraftInputSchema = draftInput.extend({
  customer: z.string().trim().min(1, 'give a customer id or email').max(320),
});

export type CustomerRef = z.infer<typeof customerRefSchema>;
export type SegmentDiffInput = z.input<typeof segmentDiffInputSchema>;
export type SegmentDiff = z.infer<typeof segmentDiffSchema>;
export type SegmentBreakdownInput = z.input<typeof segmentBreakdownInputSchema>;
export type SegmentBreakdown = z.infer<typeof segmentBreakdownSchema>;
export type SegmentPriorityInput = z.input<typeof segmentPriorityInputSchema>;
export type SegmentPriority = z.infer<typeof segmentPrioritySchema>;
export type SegmentOverlapsInput = z.input<typeof segmentOverlapsInputSchema>;
export type SegmentOverlaps = z.infer<typeof segmentOverlapsSchema>;
export type SegmentMembersInput = z.input<typeof segmentMembersInputSchema>;
export type SegmentMembers = z.infer<typeof segmentMembersSchema>;
export type SegmentExplainDraftInput = z.input<typeof segmentExplainDraftInputSchema>;
