import { parse } from 'yaml';
import type { ColumnKind } from './operators.ts';

/**
 * The columns a rule can read, from the documentation of dim_customers (sql/models/marts/_marts.yml): name,
 * description and the values of an accepted_values test. The API does not send the catalogue yet (the CLI's
 * `c360 segments columns` reads it from the database), so the column's kind is inferred here from the naming
 * conventions of the models (is_/has_ booleans, *_at timestamps, *_date dates, sorted lists) and checked
 * against the database's own types by test/e2e/segments.e2e.test.ts. The compiler stays the judge: a wrong
 * guess shows as a problem at the rule.
 */

export interface ColumnDoc {
  name: string;
  description: string;
  kind: ColumnKind;
  /** Documented values (accepted_values), for pickers. */
  values?: (string | number | boolean)[];
}

interface DocColumn {
  name?: unknown;
  description?: unknown;
  tests?: unknown;
}

const TEXT_COLUMNS = new Set([
  'customer_id',
  'email',
  'first_name',
  'last_name',
  'rfm_segment',
  'postal_code',
  'city',
  'country_code',
]);

function acceptedValues(tests: unknown): (string | number | boolean)[] | undefined {
  if (!Array.isArray(tests)) return undefined;
  for (const test of tests) {
    if (typeof test !== 'object' || test === null || !('accepted_values' in test)) continue;
    const values = (test as { accepted_values?: { values?: unknown } }).accepted_values?.values;
    if (Array.isArray(values))
      return values.filter(
        (v): v is string | number | boolean =>
          typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
      );
  }
  return undefined;
}

export function inferKind(name: string, description: string, values?: unknown[]): ColumnKind {
  if (values?.length) return values.every((v) => typeof v === 'number') ? 'number' : 'string';
  if (/^(is|has)_|_consent$|_opt_in$/.test(name)) return 'boolean';
  if (/_at$/.test(name)) return 'timestamp';
  if (/_date$/.test(name)) return 'date';
  if (/^(sorted|up to \d+)\b|, sorted\.?$/i.test(description.trim())) return 'list';
  if (TEXT_COLUMNS.has(name)) return 'string';
  return 'number';
}

export function columnsFromDocs(yamlText: string, model = 'dim_customers'): ColumnDoc[] {
  const docs = parse(yamlText) as { models?: { name?: unknown; columns?: DocColumn[] }[] } | null;
  const node = docs?.models?.find((m) => m.name === model);
  return (node?.columns ?? []).flatMap((column) => {
    if (typeof column.name !== 'string') return [];
    const description = typeof column.description === 'string' ? column.description.trim() : '';
    const values = acceptedValues(column.tests);
    return [
      {
        name: column.name,
        description,
        kind: inferKind(column.name, description, values),
        ...(values ? { values } : {}),
      },
    ];
  });
}
