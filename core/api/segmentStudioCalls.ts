import { parse } from 'yaml';
import { describeRule, healthUse, type SegmentEngine } from '../segments/index.ts';
import type { SegmentSet } from '../segments/segmentSet.ts';
import { readSizeHistory } from '../segments/sizeHistory.ts';
import { listTemplatesWithFlows } from '../segments/templates.ts';
import type { WorkspaceService } from '../service/workspaceService.ts';
import { listNameFor } from '../sync/listPlan.ts';
import { MAX_HISTORY_POINTS, type SegmentListWithHistory } from './schemas/segmentList.ts';
import type { SegmentTemplates } from './schemas/templates.ts';

/**
 * The segment list (sizes now, at the last snapshot and at the last builds, plus each segment's list, priority,
 * holdout and sensitivity) and the template gallery: the two Segments pages that are not the editor.
 */

/** Whether the lists sync publishes this segment (config sync.lists). */
function listSynced(service: WorkspaceService, segment: string): boolean {
  const { lists } = service.config.sync;
  return lists.enabled && (lists.segments === 'all' || lists.segments.includes(segment));
}

export async function segmentListWithHistory(
  service: WorkspaceService,
  engine: SegmentEngine,
  signal?: AbortSignal,
): Promise<SegmentListWithHistory> {
  const sizes = await engine.sizes(signal ? { signal } : {});
  const history = await service.read(
    (db) => readSizeHistory(db, { segments: sizes.map((s) => s.name), limit: MAX_HISTORY_POINTS }),
    signal ? { signal } : {},
  );
  const byName = new Map(engine.segments.map((s) => [s.definition.name, s]));
  const segments = sizes.map((size) => {
    const definition = byName.get(size.name)?.definition;
    const health = definition
      ? healthUse(definition, engine.set.catalogue, engine.set.expertSql, engine.set.saved)
      : null;
    return {
      ...size,
      klaviyoList: {
        name: listNameFor(service.config.sync.lists, size.name, definition?.klaviyo_list),
        synced: listSynced(service, size.name),
      },
      priorityGroup: definition?.priority_group ?? null,
      priority: definition?.priority ?? null,
      holdoutPercent: definition?.holdout_percent ?? 0,
      sensitive: health?.sensitive ?? false,
      consentColumns: health?.consentColumns ?? [],
      history: history.get(size.name) ?? [],
    };
  });
  return { segments, problems: engine.problems };
}

/** The built-in templates with their flow, the profile property the flow splits on, and the list they feed. */
export async function segmentTemplates(
  service: WorkspaceService,
  /** The workspace's catalogue, when built: sensitivity then also follows the health data the rules read. */
  set?: Pick<SegmentSet, 'catalogue' | 'expertSql'>,
): Promise<SegmentTemplates> {
  const { sync } = service.config;
  // The Klaviyo property a column is synced as (the first mapping that reads it).
  const propertyOf = new Map<string, string>();
  for (const [property, column] of Object.entries(sync.profiles.properties))
    if (!propertyOf.has(column)) propertyOf.set(column, property);
  const templates = await listTemplatesWithFlows();
  return {
    templates: templates.map(({ segment, yaml, flow }) => {
      const def = segment.definition;
      const rules = 'all' in def.rules && !def.rules.label ? def.rules.all : [def.rules];
      const health = set ? healthUse(def, set.catalogue, set.expertSql) : null;
      return {
        name: def.name,
        description: def.description,
        klaviyoList: listNameFor(sync.lists, def.name, def.klaviyo_list),
        flow: flow
          ? {
              key: flow.flow,
              name: flow.flowName,
              splitColumn: flow.splitColumn,
              splitProperty: flow.splitColumn ? (propertyOf.get(flow.splitColumn) ?? null) : null,
              splitValues: flow.splitValues,
              season: flow.season,
            }
          : null,
        sensitive: health?.sensitive ?? def.sensitive,
        consentColumns: health?.consentColumns ?? (def.consent_column ? [def.consent_column] : []),
        priorityGroup: def.priority_group ?? null,
        holdoutPercent: def.holdout_percent,
        properties: def.properties,
        rules: rules.map(describeRule),
        // The file as data, the form segments.get gives the editor for a saved segment.
        definition: parse(yaml) as Record<string, unknown>,
        yaml,
      };
    }),
  };
}
