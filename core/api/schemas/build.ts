import { z } from 'zod';

// Zod mirrors of core/models/runner.ts's BuildEvent and BuildResult. Browser-safe (zod only), so the renderer
// and the CLI parse the same typed progress events. router.ts yields the runner's own values through these
// schemas, so a change to the runner's types that they do not follow fails the typecheck.

export const modelResultSchema = z.object({
  name: z.string(),
  kind: z.enum(['seed', 'sql', 'code']),
  status: z.enum(['success', 'failed', 'skipped']),
  rows: z.number().optional(),
  seconds: z.number(),
  error: z.string().optional(),
});

export const dataTestResultSchema = z.object({
  model: z.string(),
  name: z.string(),
  status: z.enum(['pass', 'fail', 'error']),
  failures: z.number().optional(),
  message: z.string().optional(),
});

export const buildEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), runId: z.string(), models: z.number(), asOf: z.string() }),
  z.object({ type: z.literal('model_start'), name: z.string(), index: z.number(), total: z.number() }),
  z.object({
    type: z.literal('model_done'),
    result: modelResultSchema,
    index: z.number(),
    total: z.number(),
  }),
  z.object({ type: z.literal('tests_done'), tests: z.array(dataTestResultSchema) }),
  z.object({ type: z.literal('derived_done'), tables: z.array(z.string()), dropped: z.array(z.string()) }),
  z.object({ type: z.literal('published'), models: z.number(), seconds: z.number() }),
]);

export const buildResultSchema = z.object({
  runId: z.string(),
  ok: z.boolean(),
  asOf: z.string(),
  models: z.array(modelResultSchema),
  tests: z.array(dataTestResultSchema),
  published: z.boolean(),
  seconds: z.number(),
  warnings: z.array(z.string()),
});

const varValueSchema = z.union([z.string(), z.number(), z.boolean()]);

/** No workspace path: a router serves the one workspace its service opened. */
export const buildInputSchema = z.object({
  /** dbt-style selectors (`name`, `name+`, `+name`); empty = everything. */
  select: z.array(z.string().min(1)).default([]),
  vars: z.record(z.string(), varValueSchema).default({}),
  runTests: z.boolean().default(true),
  keepIntermediate: z.boolean().default(false),
});

export type BuildEventData = z.infer<typeof buildEventSchema>;
export type BuildResultData = z.infer<typeof buildResultSchema>;
export type BuildInput = z.input<typeof buildInputSchema>;
