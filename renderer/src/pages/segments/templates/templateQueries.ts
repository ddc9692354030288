import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../../api/clientContext.tsx';
import type { C360Client, SegmentTemplates } from '../../../api/types.ts';
import { useRoute } from '../../../shell/route.ts';
import type { DefinitionJson } from '../ruleTree.ts';
import { BLANK_DEFINITION, type TemplateList } from '../templates.ts';

export const templateQueryKeys = { templates: ['segments.templates'] as const };

export type SegmentTemplate = SegmentTemplates['templates'][number];

function templateCall(client: C360Client): NonNullable<NonNullable<C360Client['segments']>['templates']> {
  const call = client.segments?.templates;
  if (!call) throw new Error('This API client has no segments.templates call.');
  return call.bind(client.segments);
}

/** The built-in templates (they ship with c360: the answer never changes while the app runs). */
export function useSegmentTemplates() {
  const client = useClient();
  return useQuery({
    queryKey: templateQueryKeys.templates,
    queryFn: ({ signal }) => templateCall(client)(undefined, { signal }),
    staleTime: Infinity,
  });
}

export interface NewSegmentStart {
  /** The template named in the route (`#/segments/+new?template=NAME`), or null for a blank segment. */
  templateName: string | null;
  /** Still loading the template: show a placeholder, not the blank definition. */
  pending: boolean;
  /** The definition a new segment starts from: the template's, else BLANK_DEFINITION. */
  definition: DefinitionJson;
  /** The template's file text (comments included) for the YAML view; null for a blank segment. */
  yaml: string | null;
  /** The route names a template that does not exist, or the templates could not be loaded. */
  error: Error | null;
  /** The template's list, which the new segment's list follows as it is renamed (templateListName). */
  listFrom: TemplateList | null;
}

/**
 * What the new-segment editor opens: the template named in the route as a new, unsaved segment, or a blank one.
 * The editor reads it with one line: `const start = useNewSegmentStart();` then `initial={start.definition}`.
 */
export function useNewSegmentStart(): NewSegmentStart {
  const route = useRoute();
  const templateName =
    route.page === 'segments' && route.segment?.kind === 'new' ? (route.segment.template ?? null) : null;
  const client = useClient();
  const templates = useQuery({
    queryKey: templateQueryKeys.templates,
    queryFn: ({ signal }) => templateCall(client)(undefined, { signal }),
    staleTime: Infinity,
    enabled: templateName !== null,
  });
  if (templateName === null)
    return {
      templateName,
      pending: false,
      definition: BLANK_DEFINITION,
      yaml: null,
      error: null,
      listFrom: null,
    };
  if (templates.isPending)
    return {
      templateName,
      pending: true,
      definition: BLANK_DEFINITION,
      yaml: null,
      error: null,
      listFrom: null,
    };
  const template = templates.data?.templates.find((t) => t.name === templateName);
  if (!template)
    return {
      templateName,
      pending: false,
      definition: BLANK_DEFINITION,
      yaml: null,
      listFrom: null,
      error:
        templates.error ??
        new Error(`There is no built-in template '${templateName}'; the segment starts blank instead.`),
    };
  const list = template.definition.klaviyo_list;
  return {
    templateName,
    pending: false,
    definition: template.definition,
    yaml: template.yaml,
    error: null,
    listFrom: typeof list === 'string' ? { template: template.name, list } : null,
  };
}
