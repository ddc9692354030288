/**
 * The rule operators and which ones each kind of column takes: the one table the compiler
 * (core/segments/conditions.ts), the definition schema (definition.ts) and the renderer's rule builder share.
 * Browser-safe on purpose (no imports): the renderer bundles this file.
 */

export const OPERATORS = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'between',
  'in',
  'not_in',
  'contains',
  'contains_any',
  'contains_all',
  'is_null',
  'is_not_null',
  'is_empty',
  'is_not_empty',
  'within_last_days',
  'more_than_days_ago',
  'within_next_days',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** What a column holds, from its DuckDB type (catalogue.ts columnKind). */
export type ColumnKind = 'number' | 'string' | 'boolean' | 'date' | 'timestamp' | 'list' | 'other';

const DATE_OPERATORS: readonly Operator[] = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'between',
  'within_last_days',
  'more_than_days_ago',
  'within_next_days',
  'is_null',
  'is_not_null',
];

export const OPERATORS_BY_KIND: Record<ColumnKind, readonly Operator[]> = {
  number: ['=', '!=', '<', '<=', '>', '>=', 'between', 'in', 'not_in', 'is_null', 'is_not_null'],
  string: ['=', '!=', 'in', 'not_in', 'contains', 'is_null', 'is_not_null'],
  boolean: ['=', '!=', 'is_null', 'is_not_null'],
  date: DATE_OPERATORS,
  timestamp: DATE_OPERATORS,
  list: ['contains', 'contains_any', 'contains_all', 'is_empty', 'is_not_empty', 'is_null', 'is_not_null'],
  other: ['is_null', 'is_not_null'],
};
