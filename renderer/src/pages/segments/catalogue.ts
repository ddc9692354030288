import martsDocs from '../../../../sql/models/marts/_marts.yml?raw';
import { columnsFromDocs, type ColumnDoc } from './columnDocs.ts';
import type { ColumnKind } from './operators.ts';

/** The documented columns of dim_customers, bundled with the app (see columnDocs.ts for why). */
export const COLUMNS: readonly ColumnDoc[] = columnsFromDocs(martsDocs);
export const COLUMNS_BY_NAME: ReadonlyMap<string, ColumnDoc> = new Map(COLUMNS.map((c) => [c.name, c]));

/** The picker's groups, in this order. */
export const KIND_ORDER: readonly ColumnKind[] = ['boolean', 'number', 'string', 'list', 'date', 'timestamp'];

export function columnKindOf(name: string): ColumnKind | undefined {
  return COLUMNS_BY_NAME.get(name)?.kind;
}
