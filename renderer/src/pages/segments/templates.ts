import { parse } from 'yaml';
import type { DefinitionJson } from './ruleTree.ts';

/**
 * The built-in segment templates (core/segments/templates), bundled with the app. The API does not send a
 * saved segment's definition yet, so the editor opens a saved segment in the builder only when the service
 * says its rules mean exactly a template's (same definition hash); see SavedSegmentEditor.
 */
const SOURCES = import.meta.glob<string>('../../../../core/segments/templates/*.yaml', {
  query: '?raw',
  import: 'default',
  eager: true,
});

export const TEMPLATES: ReadonlyMap<string, DefinitionJson> = new Map(
  Object.values(SOURCES).flatMap((text) => {
    const definition: unknown = parse(text);
    if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) return [];
    const name = (definition as DefinitionJson).name;
    return typeof name === 'string' ? [[name, definition as DefinitionJson] as const] : [];
  }),
);

/** A new segment from scratch: one condition, so the first preview already counts something. */
export const BLANK_DEFINITION: DefinitionJson = {
  name: 'new_segment',
  description: '',
  rules: [{ column: 'total_orders', op: '>=', value: 1 }],
};
