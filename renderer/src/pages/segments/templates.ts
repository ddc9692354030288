import type { DefinitionJson } from './ruleTree.ts';

/** A new segment from scratch: one condition, so the first preview already counts something. */
export const BLANK_DEFINITION: DefinitionJson = {
  name: 'new_segment',
  description: '',
  rules: [{ column: 'total_orders', op: '>=', value: 1 }],
};

/** The template a new segment started from and the Klaviyo list the template feeds. */
export interface TemplateList {
  template: string;
  list: string;
}

/**
 * The Klaviyo list of a new segment started from a template: the template's list while the segment keeps the
 * template's name, else a list named after the segment ("winback_spring" → "Winback spring"). Keeping the
 * template's list would make two segments feed one list, and each list sync would replace the other's members.
 */
export function templateListName(from: TemplateList, name: string): string {
  if (name === from.template) return from.list;
  const words = name.replace(/_+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : from.list;
}
