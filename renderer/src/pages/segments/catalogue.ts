import type { SegmentColumns } from '../../api/types.ts';
import type { ColumnKind } from './operators.ts';
import type { KindOf } from './ruleTree.ts';

/**
 * The columns a rule can read, as segments.columns sends them: dim_customers as the database describes it (so
 * the kind, and with it the operators, is the compiler's), with the descriptions and documented values of the
 * model docs.
 */

export type ColumnInfo = SegmentColumns[number];

export interface ColumnCatalogue {
  columns: readonly ColumnInfo[];
  byName: ReadonlyMap<string, ColumnInfo>;
  kindOf: KindOf;
}

/** The picker's groups, in this order. */
export const KIND_ORDER: readonly ColumnKind[] = [
  'boolean',
  'number',
  'string',
  'list',
  'date',
  'timestamp',
  'other',
];

export function columnCatalogue(columns: readonly ColumnInfo[]): ColumnCatalogue {
  const byName = new Map(columns.map((c) => [c.name, c]));
  return { columns, byName, kindOf: (name) => byName.get(name)?.kind };
}
