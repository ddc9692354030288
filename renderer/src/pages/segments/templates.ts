import type { DefinitionJson } from './ruleTree.ts';

/** A new segment from scratch: one condition, so the first preview already counts something. */
export const BLANK_DEFINITION: DefinitionJson = {
  name: 'new_segment',
  description: '',
  rules: [{ column: 'total_orders', op: '>=', value: 1 }],
};
