/**
 * The rule builder's side of the operators. The table itself (which operators each kind of column takes) is the
 * compiler's, from the browser-safe core/segments/operators.ts; the compiler stays the judge, so an operator it
 * rejects comes back as a problem at the rule.
 */
import {
  OPERATORS,
  OPERATORS_BY_KIND,
  type ColumnKind,
  type Operator,
} from '../../../../core/segments/operators.ts';

export { OPERATORS, OPERATORS_BY_KIND, type ColumnKind, type Operator };

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
