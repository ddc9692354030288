import { z } from 'zod';

/**
 * The segment calls of the API (browser-safe: zod only). The figures mirror core/segments' PreviewResult,
 * SegmentSize and Explanation; every list is bounded, so an answer stays small whatever the workspace holds.
 *
 * An inline definition is checked by the segment definition schema (core/segments/definition.ts) in the
 * handler, not here: that module hashes definitions with node:crypto, and its problems (path + message per
 * mistake) are what the rule builder shows, which a generic validation error would not carry.
 */

const SEGMENT_NAME = /^[a-z][a-z0-9_]*$/;
const segmentName = z
  .string()
  .regex(SEGMENT_NAME, 'a segment name uses lower-case letters, digits and _, starting with a letter');

/** At most this many overlap rows (one per saved segment) and breakdown columns in an answer. */
export const MAX_SEGMENTS = 200;
export const MAX_BREAKDOWNS = 8;
/** Same as core/segments/preview.ts MAX_BREAKDOWN_VALUES: the rest is counted in `other`. */
export const MAX_BREAKDOWN_VALUES = 50;
const MAX_FUNNEL_STEPS = 100;

export const segmentProblemSchema = z.object({
  file: z.string().optional(),
  segment: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  path: z.string(),
  message: z.string(),
});

export const snapshotSummarySchema = z.object({
  snapshotId: z.string(),
  segment: z.string(),
  takenAt: z.string(),
  memberCount: z.number().int().nonnegative(),
  holdoutCount: z.number().int().nonnegative(),
  definitionHash: z.string(),
  buildRunId: z.string().nullable(),
  asOf: z.string(),
  enteredCount: z.number().int().nonnegative(),
  leftCount: z.number().int().nonnegative(),
  note: z.string().nullable(),
});

export const segmentSizeSchema = z.object({
  name: z.string(),
  description: z.string(),
  file: z.string().optional(),
  count: z.number().int().nonnegative().describe('members now (holdout left out)'),
  eligible: z.number().int().nonnegative().describe('members before the holdout'),
  lastSnapshot: snapshotSummarySchema.nullable(),
  delta: z.number().int().nullable().describe('count − members of the last snapshot; null before one'),
});

export const segmentListSchema = z.object({
  segments: z.array(segmentSizeSchema).max(MAX_SEGMENTS),
  /** Segment files that could not be used, with where and why (they are not in `segments`). */
  problems: z.array(segmentProblemSchema).max(MAX_SEGMENTS * 10),
});

const stepKindSchema = z.enum(['marketable', 'consent', 'rule', 'exclusion', 'priority', 'holdout']);

export const segmentPreviewInputSchema = z
  .object({
    /** A saved segment's name … */
    segment: segmentName.optional(),
    /** … or an unsaved definition (the rule builder), checked against the segment definition schema. */
    definition: z.record(z.string(), z.unknown()).optional(),
    /** Columns to break the members down by (default: lifecycle stage, value tier, channels, winback stage). */
    breakdowns: z.array(z.string().min(1).max(200)).max(MAX_BREAKDOWNS).optional(),
  })
  .refine((input) => (input.segment === undefined) !== (input.definition === undefined), {
    message: 'give either segment (a saved segment name) or definition (an unsaved segment), not both',
  });

export const segmentPreviewSchema = z.object({
  segment: z.string(),
  definitionHash: z.string(),
  asOf: z.string(),
  base: z.number().int().nonnegative().describe('customers in dim_customers'),
  count: z.number().int().nonnegative().describe('members: who would be on the Klaviyo list'),
  eligible: z.number().int().nonnegative().describe('members before the holdout'),
  holdout: z.number().int().nonnegative(),
  share: z.number().describe('count / base'),
  funnel: z
    .array(
      z.object({
        kind: z.union([stepKindSchema, z.literal('all')]),
        label: z.string(),
        path: z.string().optional(),
        /** A consent step's column (sensitive segments): the editor shows it as the consent rule. */
        column: z.string().optional(),
        remaining: z.number().int().nonnegative(),
        removed: z.number().int().nonnegative(),
      }),
    )
    .max(MAX_FUNNEL_STEPS),
  breakdowns: z
    .array(
      z.object({
        column: z.string(),
        values: z
          .array(
            z.object({
              value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
              count: z.number().int().nonnegative(),
              share: z.number(),
            }),
          )
          .max(MAX_BREAKDOWN_VALUES),
        other: z.number().int().nonnegative().describe('members whose values fell beyond the listed ones'),
      }),
    )
    .max(MAX_BREAKDOWNS),
  overlaps: z
    .array(
      z.object({
        segment: z.string(),
        size: z.number().int().nonnegative(),
        overlap: z.number().int().nonnegative(),
        jaccard: z.number(),
      }),
    )
    .max(MAX_SEGMENTS),
  engine: z.object({
    source: z.enum(['cube', 'base']),
    mode: z.enum(['full', 'delta']),
    rows: z.number().int().nonnegative(),
    ms: z.number().nonnegative(),
  }),
  warnings: z.array(z.string()).max(100),
});

export const savedSegmentInputSchema = z.object({ segment: segmentName });

/** A saved segment as its file holds it: what the rule builder opens, and what it will write back. */
export const savedSegmentSchema = z.object({
  name: z.string(),
  /** The file's name in the workspace's segments folder (never a server path). */
  file: z.string(),
  /** The YAML text as saved (comments included). */
  yaml: z.string().max(1_000_000),
  /** The YAML as data, in the form the file writes it (what `segments.preview` takes as `definition`). */
  definition: z.record(z.string(), z.unknown()),
  /** Hash of the rules' meaning: equal for two files whose rules select the same customers. */
  definitionHash: z.string(),
  /** sha256 of the file's bytes: tells a later save whether the file changed on disk meanwhile. */
  contentHash: z.string(),
});

/** A file name in the workspace's segments folder (never a path). */
const segmentFileName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml$/,
    'a segment file is named like winback_early.yaml (no folders)',
  );

/**
 * Saves a segment file: the definition as data (the rule builder) or the YAML text (the YAML view). An opened
 * file is named with the contentHash segments.get sent: if the file changed since, the answer is the error
 * SEGMENT_CONFLICT (HTTP 409) whose data.details hold the file's text now (`theirs`) and its `contentHash`.
 */
export const segmentSaveInputSchema = z
  .object({
    definition: z.record(z.string(), z.unknown()).optional(),
    yaml: z.string().max(1_000_000).optional(),
    /** The opened file; none for a new segment (then `<name>.yaml`, which must not exist yet). */
    file: segmentFileName.optional(),
    contentHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  })
  .refine((input) => (input.definition === undefined) !== (input.yaml === undefined), {
    message: 'give either definition (data) or yaml (text), not both',
  })
  .refine((input) => input.contentHash === undefined || input.file !== undefined, {
    message: 'contentHash belongs to an opened file: give its file too',
  });

/** What SEGMENT_CONFLICT carries in data.details. */
export const segmentConflictSchema = z.object({
  file: z.string(),
  theirs: z.string().nullable(),
  contentHash: z.string().nullable(),
});

const columnKindSchema = z.enum(['number', 'string', 'boolean', 'date', 'timestamp', 'list', 'other']);
const plainValueSchema = z.union([z.string(), z.number(), z.boolean()]);

/** The columns rules can read: kind (which operators apply), description and documented values. */
export const segmentColumnsSchema = z
  .array(
    z.object({
      name: z.string(),
      type: z.string().describe('DuckDB type, e.g. BIGINT, VARCHAR[]'),
      kind: columnKindSchema,
      description: z.string(),
      operators: z.array(z.string()),
      values: z.array(plainValueSchema).max(500).optional().describe('documented accepted values'),
    }),
  )
  .max(2000);

export const segmentValuesInputSchema = z.object({ column: z.string().min(1).max(200) });

/** What a column holds (core/segments/columnValues.ts): the rule builder's value pickers. */
export const segmentValuesSchema = z.object({
  column: z.string(),
  kind: columnKindSchema,
  rows: z.number().int().nonnegative(),
  nulls: z.number().int().nonnegative(),
  values: z
    .array(z.object({ value: plainValueSchema, count: z.number().int().nonnegative() }))
    .max(MAX_BREAKDOWN_VALUES)
    .optional(),
  other: z.number().int().nonnegative().optional(),
  min: z.union([z.string(), z.number()]).optional(),
  max: z.union([z.string(), z.number()]).optional(),
  quantiles: z
    .array(z.object({ q: z.number(), value: z.number() }))
    .max(20)
    .optional(),
  presets: z
    .array(z.object({ days: z.number().int(), from: z.string(), count: z.number().int().nonnegative() }))
    .max(20)
    .optional(),
});

export const segmentExplainInputSchema = z.object({
  segment: segmentName,
  customer: z.string().trim().min(1, 'give a customer id or email').max(320),
});

export interface RuleOutcome {
  path: string;
  label: string;
  kind: 'condition' | 'all' | 'any' | 'sql' | 'segment';
  /** The saved segment a `segment` rule reads ("in segment X"). */
  segment?: string;
  holds: boolean | null;
  values: Record<string, unknown>;
  children: RuleOutcome[];
}

export const ruleOutcomeSchema: z.ZodType<RuleOutcome> = z.lazy(() =>
  z.object({
    path: z.string(),
    label: z.string(),
    kind: z.enum(['condition', 'all', 'any', 'sql', 'segment']),
    segment: z.string().optional().describe('the saved segment an "in segment" rule reads'),
    holds: z.boolean().nullable().describe('null: a column the rule reads is empty (counts as not holding)'),
    values: z.record(z.string(), z.unknown()).describe('the column values the rule read'),
    children: z.array(ruleOutcomeSchema).max(500),
  }),
);

const stepOutcomeSchema = z.object({
  kind: stepKindSchema,
  label: z.string(),
  path: z.string().optional(),
  holds: z.boolean(),
});

const evaluationSchema = z.object({
  member: z.boolean(),
  eligible: z.boolean(),
  steps: z.array(stepOutcomeSchema).max(MAX_FUNNEL_STEPS),
  rules: ruleOutcomeSchema,
  failedStep: stepOutcomeSchema.nullable(),
});

export const segmentExplanationSchema = evaluationSchema.extend({
  segment: z.string(),
  customerId: z.string(),
  email: z.string().nullable(),
  asOf: z.string(),
  sinceLastSnapshot: z
    .object({
      snapshot: snapshotSummarySchema,
      wasMember: z.boolean(),
      wasHoldout: z.boolean(),
      change: z.enum(['entered', 'left', 'stayed_in', 'stayed_out']),
      cause: z.enum(['definition', 'data', 'none', 'unknown']),
      published: evaluationSchema.nullable(),
      reason: z.string(),
    })
    .nullable(),
});

export type SegmentList = z.infer<typeof segmentListSchema>;
export type SegmentPreviewInput = z.infer<typeof segmentPreviewInputSchema>;
export type SegmentPreview = z.infer<typeof segmentPreviewSchema>;
export type SegmentExplainInput = z.infer<typeof segmentExplainInputSchema>;
export type SavedSegment = z.infer<typeof savedSegmentSchema>;
export type SegmentExplanation = z.infer<typeof segmentExplanationSchema>;
export type SegmentSaveInput = z.infer<typeof segmentSaveInputSchema>;
export type SegmentConflict = z.infer<typeof segmentConflictSchema>;
export type SegmentColumns = z.infer<typeof segmentColumnsSchema>;
export type SegmentColumn = SegmentColumns[number];
export type SegmentValuesInput = z.infer<typeof segmentValuesInputSchema>;
export type SegmentValues = z.infer<typeof segmentValuesSchema>;
