import { z } from 'zod';

/**
 * `segments.templates`: the built-in segment templates (core/segments/templates/*.yaml) for the gallery, each
 * with the Klaviyo flow it feeds and the property the flow splits on (core/segments/templates.ts). Browser-safe.
 */

const MAX_TEMPLATES = 100;

export const segmentTemplateSchema = z.object({
  name: z.string(),
  description: z.string(),
  /** The Klaviyo list the segment would feed (config list_prefix + klaviyo_list). */
  klaviyoList: z.string(),
  flow: z
    .object({
      /** Stable key of the flow (the app names it in the user's language). */
      key: z.string(),
      name: z.string(),
      splitColumn: z.string().nullable(),
      /**
       * The Klaviyo profile property the flow branches on: the name the profiles sync gives splitColumn
       * (config sync.profiles.properties); null when that column is not synced (then the flow cannot split).
       */
      splitProperty: z.string().nullable(),
      splitValues: z.array(z.string()).max(50),
      season: z
        .object({ from: z.number().int().min(1).max(12), to: z.number().int().min(1).max(12) })
        .nullable(),
    })
    .nullable(),
  /** Sensitive (health data): only customers with every consent column true can be members. */
  sensitive: z.boolean(),
  consentColumns: z.array(z.string()).max(20),
  priorityGroup: z.string().nullable(),
  holdoutPercent: z.number(),
  properties: z.array(z.string()).max(200),
  /** The rules in words, one per top-level rule (e.g. "lifecycle_stage = new"). */
  rules: z.array(z.string()).max(200),
  /** The definition as data: what the editor opens as a new, unsaved segment. */
  definition: z.record(z.string(), z.unknown()),
  /** The template file as shipped, comments included. */
  yaml: z.string().max(100_000),
});

export const segmentTemplatesSchema = z.object({
  templates: z.array(segmentTemplateSchema).max(MAX_TEMPLATES),
});

export type SegmentTemplate = z.infer<typeof segmentTemplateSchema>;
export type SegmentTemplates = z.infer<typeof segmentTemplatesSchema>;
