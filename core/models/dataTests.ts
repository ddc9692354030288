import { quoteIdent, quoteText, type Database } from '../db/duckdb.ts';
import type { ColumnTest, ModelTest } from './types.ts';
import type { ProjectNode } from './project.ts';

export interface DataTestResult {
  model: string;
  /** e.g. `unique(customer_id)`, `row_count(min 1)`. */
  name: string;
  status: 'pass' | 'fail' | 'error';
  failures?: number;
  message?: string;
}

interface CompiledTest {
  name: string;
  /** Counts failing rows (or returns 1 for a failed aggregate check). */
  countSql: string;
  /**
   * For row-level checks: the condition under which a row fails. Such tests of one model are counted together
   * in a single scan, which matters on million-row marts.
   */
  failPredicate?: string;
  /** Shows a few failing values, for the report. */
  sampleSql?: string;
  describe(failures: number): string;
}

const literal = (value: string | number | boolean): string =>
  typeof value === 'string' ? quoteText(value) : String(value);

function compileColumnTest(
  relation: string,
  column: string,
  test: ColumnTest,
  relationFor: (name: string) => string,
): CompiledTest {
  const col = quoteIdent(column);
  if (test === 'unique') {
    const dupes = `select ${col} as value, count(*) as n from ${relation} where ${col} is not null group by ${col} having count(*) > 1`;
    return {
      name: `unique(${column})`,
      countSql: `select count(*) as n from (${dupes})`,
      sampleSql: `${dupes} order by n desc limit 3`,
      describe: (n) => `${n} value(s) of ${column} occur more than once`,
    };
  }
  if (test === 'not_null') {
    return {
      name: `not_null(${column})`,
      countSql: `select count(*) as n from ${relation} where ${col} is null`,
      failPredicate: `${col} is null`,
      describe: (n) => `${n} row(s) have no ${column}`,
    };
  }
  if ('accepted_values' in test) {
    const values = test.accepted_values.values;
    const bad = `${col} is not null and cast(${col} as varchar) not in (${values.map((v) => literal(String(v))).join(', ')})`;
    return {
      name: `accepted_values(${column})`,
      countSql: `select count(*) as n from ${relation} where ${bad}`,
      failPredicate: bad,
      sampleSql: `select distinct ${col} as value from ${relation} where ${bad} limit 5`,
      describe: (n) => `${n} row(s) have a ${column} outside [${values.join(', ')}]`,
    };
  }
  if ('relationships' in test) {
    const parent = relationFor(test.relationships.to);
    const field = quoteIdent(test.relationships.field);
    const orphans = `select c.${col} as value from ${relation} c where c.${col} is not null and not exists (select 1 from ${parent} p where p.${field} = c.${col})`;
    return {
      name: `relationships(${column} → ${test.relationships.to}.${test.relationships.field})`,
      countSql: `select count(*) as n from (${orphans})`,
      sampleSql: `${orphans} limit 3`,
      describe: (n) =>
        `${n} row(s) have a ${column} that is not in ${test.relationships.to}.${test.relationships.field}`,
    };
  }
  return compileExpression(relation, test.expression, column);
}

function compileExpression(relation: string, expression: string, column?: string): CompiledTest {
  return {
    name: `expression(${expression})`,
    countSql: `select count(*) as n from ${relation} where not coalesce((${expression}), false)`,
    failPredicate: `not coalesce((${expression}), false)`,
    sampleSql: column
      ? `select ${quoteIdent(column)} as value from ${relation} where not coalesce((${expression}), false) limit 3`
      : undefined,
    describe: (n) => `${n} row(s) break \`${expression}\``,
  };
}

function compileModelTest(relation: string, test: ModelTest): CompiledTest {
  if ('row_count' in test) {
    const { min, max } = test.row_count;
    const conditions = [
      min !== undefined ? `n < ${min}` : null,
      max !== undefined ? `n > ${max}` : null,
    ].filter(Boolean);
    const bounds = [min !== undefined ? `min ${min}` : null, max !== undefined ? `max ${max}` : null]
      .filter(Boolean)
      .join(', ');
    return {
      name: `row_count(${bounds})`,
      countSql: `select case when ${conditions.join(' or ') || 'false'} then 1 else 0 end as n from (select count(*) as n from ${relation})`,
      sampleSql: `select count(*) as value from ${relation}`,
      describe: () => `the row count is outside ${bounds}`,
    };
  }
  if ('unique_combination' in test) {
    const cols = test.unique_combination.map(quoteIdent).join(', ');
    return {
      name: `unique_combination(${test.unique_combination.join(', ')})`,
      countSql: `select count(*) as n from (select ${cols} from ${relation} group by ${cols} having count(*) > 1)`,
      describe: (n) => `${n} combination(s) of (${test.unique_combination.join(', ')}) occur more than once`,
    };
  }
  return compileExpression(relation, test.expression);
}

export function compileTests(
  node: ProjectNode,
  relation: string,
  relationFor: (name: string) => string,
): CompiledTest[] {
  const compiled: CompiledTest[] = [];
  for (const test of node.tests) compiled.push(compileModelTest(relation, test));
  for (const column of node.columns) {
    for (const test of column.tests ?? [])
      compiled.push(compileColumnTest(relation, column.name, test, relationFor));
  }
  return compiled;
}

/** Runs a node's data tests against `relation`; each test's outcome is reported, none throws. */
export async function runDataTests(
  db: Database,
  node: ProjectNode,
  relation: string,
  relationFor: (name: string) => string,
): Promise<DataTestResult[]> {
  const tests = compileTests(node, relation, relationFor);
  const failures = new Map<CompiledTest, number>();
  const rowChecks = tests.filter((test) => test.failPredicate);
  if (rowChecks.length > 1) {
    try {
      const columns = rowChecks.map(
        (test, i) => `sum(case when ${test.failPredicate} then 1 else 0 end) as f${i}`,
      );
      const [row] = await db.queryJs(`select ${columns.join(', ')} from ${relation}`);
      rowChecks.forEach((test, i) => failures.set(test, Number(row?.[`f${i}`] ?? 0)));
    } catch {
      // One broken expression spoils the shared scan; counting each test alone below pinpoints it.
      failures.clear();
    }
  }
  const results: DataTestResult[] = [];
  for (const test of tests) {
    try {
      let count = failures.get(test);
      if (count === undefined) {
        const [row] = await db.queryJs(test.countSql);
        count = Number(row?.n ?? 0);
      }
      if (count === 0) {
        results.push({ model: node.name, name: test.name, status: 'pass' });
        continue;
      }
      let sample = '';
      if (test.sampleSql) {
        const rows = await db.queryJson(test.sampleSql);
        sample = ` (e.g. ${rows.map((r) => JSON.stringify(r.value)).join(', ')})`;
      }
      results.push({
        model: node.name,
        name: test.name,
        status: 'fail',
        failures: count,
        message: test.describe(count) + sample,
      });
    } catch (error) {
      results.push({
        model: node.name,
        name: test.name,
        status: 'error',
        message: `the test could not run: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return results;
}

/** Compares the documented columns with the table's actual columns. */
export async function checkDocumentedColumns(
  db: Database,
  node: ProjectNode,
  relation: string,
): Promise<DataTestResult> {
  const actual = (await db.queryJson(`describe ${relation}`)).map((row) => String(row.column_name));
  const documented = node.columns.map((column) => column.name);
  const undocumented = actual.filter((name) => !documented.includes(name));
  const missing = documented.filter((name) => !actual.includes(name));
  if (!node.documented) {
    return {
      model: node.name,
      name: 'documented',
      status: 'fail',
      message: `${node.name} has no entry in its folder's YAML file; document it and its columns`,
    };
  }
  if (undocumented.length === 0 && missing.length === 0)
    return { model: node.name, name: 'documented', status: 'pass' };
  const parts = [
    undocumented.length ? `columns without docs: ${undocumented.join(', ')}` : '',
    missing.length ? `documented but not produced: ${missing.join(', ')}` : '',
  ].filter(Boolean);
  return {
    model: node.name,
    name: 'documented',
    status: 'fail',
    failures: undocumented.length + missing.length,
    message: parts.join('; '),
  };
}
