import { quoteIdent, type Database } from '../db/duckdb.ts';
import { closest } from '../models/dag.ts';
import { columnKind, type ColumnKind } from '../segments/catalogue.ts';
import { C360Error, type C360ErrorOptions } from '../errors.ts';

/** A built model a sync reads, with its column kinds, and how each kind becomes a Klaviyo JSON value. */

/** The sync settings of c360.config.yaml do not fit the built models. */
export class SyncConfigError extends C360Error {
  override name = 'SyncConfigError';
  constructor(message: string, options?: C360ErrorOptions) {
    super('CONFIG_INVALID', message, options);
  }
}

export interface ModelColumn {
  kind: ColumnKind;
  type: string;
}

export async function modelColumns(db: Database, model: string): Promise<Map<string, ModelColumn>> {
  const rows = await db.queryJson(
    `select column_name, data_type from information_schema.columns where table_schema = 'main' and table_name = $1`,
    [model],
  );
  if (!rows.length)
    throw new SyncConfigError(
      `The workspace has no ${model} table. Build the models first (\`c360 build\`), or fix the model name in c360.config.yaml (sync).`,
    );
  return new Map(
    rows.map((r) => [
      String(r.column_name),
      { kind: columnKind(String(r.data_type)), type: String(r.data_type) },
    ]),
  );
}

export function requireColumns(
  columns: Map<string, ModelColumn>,
  model: string,
  needed: { column: string; setting: string }[],
): void {
  const problems = needed
    .filter((n) => !columns.has(n.column))
    .map((n) => {
      const hint = closest(n.column, columns.keys());
      return `  ${n.setting}: '${n.column}' is not a column of ${model}${hint ? ` — did you mean '${hint}'?` : ''}`;
    });
  if (problems.length)
    throw new SyncConfigError(
      `c360.config.yaml (sync) names columns that do not exist:\n${problems.join('\n')}`,
    );
}

/**
 * A column as a JSON value for Klaviyo: dates as ISO dates, timestamps as ISO instants in UTC, lists as arrays,
 * doubles rounded to 2 decimals (model refits move them in the 10th decimal, which would resend everyone).
 */
export function jsonValueSql(column: string, described: ModelColumn | undefined): string {
  const c = quoteIdent(column);
  switch (described?.kind) {
    case 'date':
      return `strftime(${c}, '%Y-%m-%d')`;
    case 'timestamp':
      return `strftime(${c}::timestamp, '%Y-%m-%dT%H:%M:%SZ')`;
    case 'number':
      return /INT/i.test(described?.type ?? '') ? c : `round(${c}::double, 2)`;
    case 'boolean':
    case 'list':
    case 'string':
      return c;
    default:
      return `${c}::varchar`;
  }
}

/** Loose syntax check, like Klaviyo's: one @, a dot in the domain, no spaces. */
export const EMAIL_PATTERN_SQL = `'^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'`;
export const RELAY_PATTERN_SQL = `'%@marketplace.amazon.%'`;
