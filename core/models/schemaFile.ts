import { z } from 'zod';
import { sourceDocSchema } from '../sources/sourceFile.ts';

/** The YAML file next to the models of a folder (dbt's `schema.yml`), parsed at the boundary. */
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const columnTestSchema = z.union([
  z.literal('unique'),
  z.literal('not_null'),
  z.strictObject({ accepted_values: z.strictObject({ values: z.array(scalar).min(1) }) }),
  z.strictObject({ relationships: z.strictObject({ to: z.string().min(1), field: z.string().min(1) }) }),
  z.strictObject({ expression: z.string().min(1) }),
]);

export const modelTestSchema = z.union([
  z.strictObject({
    row_count: z.strictObject({ min: z.number().int().optional(), max: z.number().int().optional() }),
  }),
  z.strictObject({ expression: z.string().min(1) }),
  z.strictObject({ unique_combination: z.array(z.string().min(1)).min(2) }),
]);

const tagName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'a tag is lower-case letters, digits and _ (e.g. health)');

export const columnDocSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().min(1, 'every column needs a description'),
  tests: z.array(columnTestSchema).optional(),
  /** Tags of the whole column, e.g. `health`: every value of it is health data (core/segments/sensitivity.ts). */
  tags: z.array(tagName).optional(),
  /** Tags of single values of a category column, e.g. `{ health: [Schwangerschaft] }`. */
  value_tags: z.record(tagName, z.array(scalar).min(1)).optional(),
});

export const modelDocSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().min(1, 'every model needs a description'),
  tests: z.array(modelTestSchema).optional(),
  /**
   * Sensitive tags of this model's columns → the boolean column recording the opt-in that data needs, e.g.
   * `{ health: pregnancy_opt_in }`. A tag named here (and `health` always) marks sensitive data.
   */
  consent_columns: z.record(tagName, z.string().min(1)).optional(),
  /**
   * Whether the table is kept in the workspace file after the build (default: the file's `persist`, else true).
   * `false` = a build step: built, tested, then dropped at the publish, so the file keeps only what is read.
   */
  persist: z.boolean().optional(),
  columns: z.array(columnDocSchema),
});

export const seedDocSchema = modelDocSchema.extend({
  column_types: z.record(z.string(), z.string()).optional(),
});

export const schemaFileSchema = z.strictObject({
  version: z.literal(2),
  /** Default `persist` of the models documented in this file. */
  persist: z.boolean().optional(),
  models: z.array(modelDocSchema).optional(),
  seeds: z.array(seedDocSchema).optional(),
  /** Raw sources (core/sources/sourceFile.ts), declared beside the staging models that read them. */
  sources: z.array(sourceDocSchema).optional(),
});

export type ModelDoc = z.infer<typeof modelDocSchema>;
export type SeedDoc = z.infer<typeof seedDocSchema>;
export type SchemaFile = z.infer<typeof schemaFileSchema>;

/** Renders zod issues as `path: message` lines for a user who edits the YAML by hand. */
export function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.join('.') : '(top level)';
      return `  ${path}: ${issue.message}`;
    })
    .join('\n');
}
