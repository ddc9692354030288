/**
 * The compiler's operator table (core/segments/conditions.ts OPERATORS_BY_KIND), copied: that module binds
 * SQL with DuckDB and cannot be bundled for the browser. The compiler stays the judge — an operator it rejects
 * comes back as a problem at the rule — so a drift shows, it does not corrupt a segment.
 */

export type ColumnKind = 'number' | 'string' | 'boolean' | 'date' | 'timestamp' | 'list' | 'other';

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

/** How many values an operator takes: none, one, two (between) or a list. */
export type ValueShape = 'none' | 'one' | 'two' | 'list' | 'days';

export function valueShape(op: Operator): ValueShape {
  if (op === 'is_null' || op === 'is_not_null' || op === 'is_empty' || op === 'is_not_empty') return 'none';
  if (op === 'between') return 'two';
  if (op === 'in' || op === 'not_in' || op === 'contains_any' || op === 'contains_all') return 'list';
  if (op === 'within_last_days' || op === 'more_than_days_ago' || op === 'within_next_days') return 'days';
  return 'one';
}

export function isOperator(value: string): value is Operator {
  return (OPERATORS as readonly string[]).includes(value);
}
