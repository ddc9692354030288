import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedSegment } from './definition.ts';
import { parseSegmentYaml } from './segmentFiles.ts';

/** The concept's segments (SPEC §5), shipped as YAML files that `c360 segments init` copies into a workspace. */
export const TEMPLATES_DIR = fileURLToPath(new URL('./templates', import.meta.url));

export async function listTemplates(): Promise<LoadedSegment[]> {
  const names = (await readdir(TEMPLATES_DIR)).filter((n) => n.endsWith('.yaml')).sort();
  return Promise.all(
    names.map(async (n) =>
      parseSegmentYaml(await readFile(join(TEMPLATES_DIR, n), 'utf8'), join(TEMPLATES_DIR, n)),
    ),
  );
}

/** The Klaviyo flows of the concept (customer360-concept.de.md "Klaviyo Flows Setup Beispiele"). */
export const FLOWS = [
  'welcome',
  'winback',
  'vip',
  'cross_channel',
  'at_risk_intervention',
  'product_recommendation',
  'replenishment',
  'cold_season',
  'allergy_season',
  'advent_calendar',
  'pregnancy_journey',
  'sleep_routine',
] as const;
export type Flow = (typeof FLOWS)[number];

/** What a template is for: the flow its list triggers, and the profile column the flow branches on. */
export interface TemplateFlow {
  flow: Flow;
  /** The flow's name in the concept (English; the app translates by `flow`). */
  flowName: string;
  /** dim_customers column the flow splits on (synced as a profile property); null for a flow without branches. */
  splitColumn: string | null;
  /** The branches, as the split column's values (empty when the values are open, e.g. categories). */
  splitValues: string[];
  /** Months (1–12) a seasonal flow runs, inclusive; `from` > `to` wraps the year. */
  season: { from: number; to: number } | null;
}

/**
 * Flow facts of the built-in templates, kept next to the YAML files rather than in them: a segment file takes
 * only the keys of the segment schema (a copied template must stay a valid segment). The test checks that
 * every template has an entry and that its split column is among the template's `properties:`.
 */
export const TEMPLATE_FLOWS: Record<string, TemplateFlow> = {
  new_customers: {
    flow: 'welcome',
    flowName: 'New-customer welcome flow',
    splitColumn: null,
    splitValues: [],
    season: null,
  },
  winback_candidates: {
    flow: 'winback',
    flowName: 'Winback flow',
    splitColumn: 'winback_stage',
    splitValues: ['early', 'mid', 'late', 'final'],
    season: null,
  },
  vip_customers: {
    flow: 'vip',
    flowName: 'VIP flow',
    splitColumn: 'vip_tier',
    splitValues: ['platinum', 'gold', 'silver'],
    season: null,
  },
  cross_channel_customers: {
    flow: 'cross_channel',
    flowName: 'Cross-channel flow',
    splitColumn: 'channels_count',
    splitValues: ['2', '3+'],
    season: null,
  },
  high_value_at_risk: {
    flow: 'at_risk_intervention',
    flowName: 'At-risk intervention',
    splitColumn: 'recommended_action',
    splitValues: ['resolve_support_first', 'service_recovery', 'incentive_offer'],
    season: null,
  },
  upsell_candidates: {
    flow: 'product_recommendation',
    flowName: 'Product recommendation flow',
    splitColumn: 'preferred_categories',
    splitValues: [],
    season: null,
  },
  replenishment: {
    flow: 'replenishment',
    flowName: 'Replenishment flow',
    splitColumn: 'product_type',
    splitValues: ['consumable', 'one_time', 'mixed'],
    season: null,
  },
  cold_season_buyers: {
    flow: 'cold_season',
    flowName: 'Seasonal flow: cold season',
    splitColumn: null,
    splitValues: [],
    season: { from: 9, to: 2 },
  },
  allergy_season_buyers: {
    flow: 'allergy_season',
    flowName: 'Seasonal flow: allergy season',
    splitColumn: null,
    splitValues: [],
    season: { from: 3, to: 6 },
  },
  advent_calendar_buyers: {
    flow: 'advent_calendar',
    flowName: 'Seasonal flow: advent calendar',
    splitColumn: 'is_vip',
    splitValues: ['true', 'false'],
    season: { from: 10, to: 11 },
  },
  pregnancy_journey: {
    flow: 'pregnancy_journey',
    flowName: 'Pregnancy journey',
    splitColumn: null,
    splitValues: [],
    season: null,
  },
  sleep_routine: {
    flow: 'sleep_routine',
    flowName: 'Sleep routine flow',
    splitColumn: null,
    splitValues: [],
    season: null,
  },
};

export interface TemplateWithFlow {
  segment: LoadedSegment;
  /** The template file's text, comments included (what `c360 segments init` copies). */
  yaml: string;
  flow: TemplateFlow | null;
}

/** The built-in templates with their flow facts (the app's template gallery). */
export async function listTemplatesWithFlows(): Promise<TemplateWithFlow[]> {
  const templates = await listTemplates();
  return Promise.all(
    templates.map(async (segment) => ({
      segment,
      yaml: await readFile(segment.file!, 'utf8'),
      flow: TEMPLATE_FLOWS[segment.definition.name] ?? null,
    })),
  );
}

export interface CopyResult {
  copied: string[];
  /** Files that exist already and were left as they are. */
  kept: string[];
}

/** Copies the templates into the segments folder; existing files are kept unless `overwrite`. */
export async function copyTemplates(
  segmentsDir: string,
  options: { only?: string[]; overwrite?: boolean } = {},
): Promise<CopyResult> {
  await mkdir(segmentsDir, { recursive: true });
  const templates = await listTemplates();
  const unknown = (options.only ?? []).filter((n) => !templates.some((t) => t.definition.name === n));
  if (unknown.length)
    throw new Error(
      `Unknown template ${unknown.join(', ')}; templates: ${templates.map((t) => t.definition.name).join(', ')}`,
    );
  const result: CopyResult = { copied: [], kept: [] };
  for (const template of templates) {
    const name = template.definition.name;
    if (options.only?.length && !options.only.includes(name)) continue;
    const target = join(segmentsDir, `${name}.yaml`);
    const exists = await stat(target).then(
      () => true,
      () => false,
    );
    if (exists && !options.overwrite) {
      result.kept.push(target);
      continue;
    }
    await copyFile(template.file!, target);
    result.copied.push(target);
  }
  return result;
}
