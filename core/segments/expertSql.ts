import type { Database } from '../db/duckdb.ts';
import { QueryCancelledError } from '../db/interrupt.ts';
import { withTransaction } from '../db/transaction.ts';
import type { Catalogue } from './catalogue.ts';
import { checkCaps, isObject, type Json } from './expertSqlCaps.ts';
import { C360Error, type C360ErrorOptions } from '../errors.ts';

/**
 * Expert rules (`sql: "..."`) are read-only by construction, checked with DuckDB's own parser:
 *
 * 1. The text is wrapped as `select count(*) from dim_customers where (<text>)` and parsed with
 *    `json_serialize_sql` (parsing only, nothing runs). It must be exactly one SELECT statement of that shape:
 *    a second statement (`1=1; drop table …`), a UNION, a CTE or any other clause is rejected, and
 *    non-SELECT statements (COPY, ATTACH, PRAGMA, SET …) do not serialise at all.
 * 2. Every node of the parsed expression must be an allowed kind (column, constant, comparison, AND/OR/NOT,
 *    IS NULL, IN, BETWEEN, CASE, CAST) or a call of an allow-listed pure scalar function. Subqueries,
 *    table functions (read_csv, pragma_*, glob), window and aggregate functions, parameters, lambdas, and
 *    functions that reach outside the row (getenv, current_setting, nextval …) are rejected.
 * 3. Every column must be an unqualified dim_customers column, so internal tables (c360.*) cannot be read.
 *    Arguments that size a result are capped (expertSqlCaps.ts): `lpad(email, 10000000, 'x')` is rejected
 *    before anything runs, since one such row can take minutes and gigabytes that no interrupt reaches.
 * 4. What runs is not the user's text but DuckDB's re-rendering of the checked expression tree
 *    (`json_deserialize_sql`), so the text cannot mean something else in the context it is pasted into.
 * 5. Queries that contain expert rules additionally run inside `begin transaction read only`.
 *
 * A separate read-only connection is not possible: DuckDB allows one open mode per database file and process,
 * and the workspace is open read-write.
 */

export interface ValidatedSql {
  source: string;
  /** The expression as DuckDB renders it back from the checked tree. */
  canonical: string;
  columns: string[];
}

/** An expert rule that is not allowed or does not fit the table. */
export class ExpertSqlError extends C360Error {
  override name = 'ExpertSqlError';
  constructor(message: string, options?: C360ErrorOptions) {
    super('INVALID_INPUT', message, options);
  }
}

export const MAX_EXPERT_SQL_LENGTH = 4000;

const ALLOWED_CLASSES = new Set([
  'COLUMN_REF',
  'CONSTANT',
  'COMPARISON',
  'CONJUNCTION',
  'OPERATOR',
  'FUNCTION',
  'CAST',
  'BETWEEN',
  'CASE',
  'COLLATE',
]);

/**
 * Pure scalar functions (and the operators DuckDB parses into functions), grouped by how the size of their
 * result relates to their arguments; expertSqlCaps.ts caps the groups that can grow (its header has the
 * measurements). Not allowed because they build values or rows from a number alone: repeat, range,
 * generate_series, list_resize / array_resize, string_split, unnest. GLOB (`~~~`) is not allowed: it backtracks
 * (use regexp_matches).
 */
// prettier-ignore
const ALLOWED_FUNCTIONS = new Set([
  // Numbers, booleans, dates, intervals: a fixed-size result, no cap.
  '+', '-', '*', '/', '//', '%', '^', '**', 'abs', 'round', 'floor', 'ceil', 'ceiling', 'sign', 'sqrt', 'ln',
  'log', 'log10', 'log2', 'power', 'pow', 'isnan', 'isinf', 'isfinite', 'trunc', 'length', 'len', 'strlen',
  'char_length', 'contains', 'starts_with', 'ends_with', 'prefix', 'suffix', 'strpos', 'instr', 'position',
  'date_diff', 'datediff', 'date_sub', 'datesub', 'date_part', 'datepart', 'date_trunc', 'datetrunc', 'year',
  'month', 'day', 'dayofmonth', 'dayofweek', 'isodow', 'dayofyear', 'week', 'weekofyear', 'quarter', 'hour',
  'minute', 'epoch', 'make_date', 'last_day', 'to_days', 'to_months', 'to_years', 'to_hours', 'current_date',
  'today', 'list_contains', 'list_has', 'array_contains', 'array_has', 'list_has_any', 'array_has_any',
  'list_has_all', 'array_has_all', '@>', '<@', '&&', 'list_position', 'list_indexof', 'array_length', 'list_sum',
  'list_count',
  // No larger than their largest argument, no cap: case, trim, parts, list elements and slices, choices.
  'lower', 'upper', 'lcase', 'ucase', 'trim', 'ltrim', 'rtrim', 'substring', 'substr', 'left', 'right', 'reverse',
  'list_extract', 'array_extract', 'list_element', 'list_slice', 'array_slice', 'list_distinct', 'list_min',
  'list_max', 'least', 'greatest', 'ifnull', 'nullif', 'coalesce',
  // Sum of their arguments: capped through the size bound (MAX_BUILT_TEXT, MAX_TEXT_GROWTH); list_value also by
  // its number of elements (MAX_LIST_VALUES).
  'concat', 'concat_ws', '||', 'list_value',
  // Sized by an argument: the length of lpad / rpad is a constant ≤ MAX_PAD_LENGTH; the replacement of replace is
  // a constant (its growth counts in the size bound); strftime's result grows with its format (size bound).
  'lpad', 'rpad', 'replace', 'strftime',
  // Matching: LIKE / ILIKE patterns are constants with one % besides a final one; regular expressions (RE2,
  // linear time) are constants ≤ MAX_REGEX_LENGTH with ≤ MAX_REGEX_REPETITION counted repetitions.
  '~~', '!~~', '~~*', '!~~*', 'like_escape', 'ilike_escape', 'regexp_matches', 'regexp_full_match',
]);

const FORBIDDEN_KEYS = new Set(['subquery', 'from_table', 'select_list', 'cte_map']);

function fail(source: string, reason: string): never {
  throw new ExpertSqlError(
    `expert rule \`${source.length > 80 ? `${source.slice(0, 79)}…` : source}\`: ${reason}`,
  );
}

/** Walks the parsed expression; returns the columns it reads. Throws on anything not allowed. */
export function checkExpressionTree(source: string, tree: Json, catalogue: Catalogue): string[] {
  const columns = new Set<string>();
  const visit = (node: Json): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!isObject(node)) return;
    for (const key of Object.keys(node))
      if (FORBIDDEN_KEYS.has(key) && node[key] !== null)
        fail(source, 'subqueries and table references are not allowed; use dim_customers columns only');
    const cls = node.class;
    if (typeof cls === 'string') {
      if (!ALLOWED_CLASSES.has(cls)) {
        const what: Record<string, string> = {
          SUBQUERY: 'subqueries',
          WINDOW: 'window functions',
          PARAMETER: 'parameters ($1, ?)',
          STAR: '*',
          LAMBDA: 'lambdas',
          AGGREGATE: 'aggregates',
        };
        fail(source, `${what[cls] ?? cls.toLowerCase()} are not allowed in an expert rule`);
      }
      if (cls === 'COLUMN_REF') {
        const names = node.column_names;
        if (!Array.isArray(names) || names.length !== 1 || typeof names[0] !== 'string')
          fail(source, 'write column names without a table or schema prefix (e.g. total_orders)');
        const name = names[0];
        if (/^(current_date|current_timestamp|now|today)$/i.test(name))
          fail(
            source,
            "dates relative to today: use the within_last_days / more_than_days_ago rules, which count from the build's as_of",
          );
        if (!catalogue.columns.has(name)) fail(source, `'${name}' is not a column of ${catalogue.table}`);
        columns.add(name);
      }
      if (cls === 'FUNCTION') {
        const name = String(node.function_name ?? '').toLowerCase();
        const schema = String(node.schema ?? '');
        const catalog = String(node.catalog ?? '');
        if ((schema !== '' && schema !== 'main') || catalog !== '' || !ALLOWED_FUNCTIONS.has(name))
          fail(
            source,
            `the function ${name || '(unknown)'} is not allowed in an expert rule (pure scalar functions only)`,
          );
        if (node.filter !== null && node.filter !== undefined) fail(source, 'FILTER clauses are not allowed');
        if (isObject(node.order_bys) && Array.isArray(node.order_bys.orders) && node.order_bys.orders.length)
          fail(source, 'ORDER BY inside a function is not allowed');
      }
    }
    for (const value of Object.values(node)) if (typeof value === 'object' && value !== null) visit(value);
  };
  visit(tree);
  return [...columns];
}

function expectShape(source: string, statement: { [key: string]: Json }, table: string): Json {
  const node = statement.node;
  if (!isObject(node) || node.type !== 'SELECT_NODE')
    fail(source, 'must be one boolean expression, not a query');
  const from = node.from_table;
  const cte = isObject(node.cte_map) ? node.cte_map.map : null;
  const plain =
    isObject(from) &&
    from.type === 'BASE_TABLE' &&
    from.table_name === table &&
    (from.schema_name === '' || from.schema_name === undefined) &&
    Array.isArray(node.select_list) &&
    node.select_list.length === 1 &&
    (!Array.isArray(cte) || cte.length === 0) &&
    Array.isArray(node.modifiers) &&
    node.modifiers.length === 0 &&
    Array.isArray(node.group_expressions) &&
    node.group_expressions.length === 0 &&
    node.having === null &&
    node.qualify === null &&
    node.sample === null;
  if (!plain || node.where_clause === null || node.where_clause === undefined)
    fail(source, 'must be one boolean expression; it may not close the parenthesis around it or add clauses');
  return node.where_clause;
}

/** Parses and checks an expert rule against the catalogue; returns the expression that will run. */
export async function validateExpertSql(
  db: Database,
  source: string,
  catalogue: Catalogue,
): Promise<ValidatedSql> {
  if (!source.trim()) fail(source, 'is empty');
  if (source.length > MAX_EXPERT_SQL_LENGTH)
    fail(source, `is longer than ${MAX_EXPERT_SQL_LENGTH} characters`);
  if (source.includes('\0')) fail(source, 'contains a NUL character');
  const wrapped = `select count(*) from ${catalogue.table} where (\n${source}\n)`;
  const [row] = await db.queryJson(`select json_serialize_sql($1::varchar)::varchar as tree`, [wrapped]);
  const parsed = JSON.parse(String(row?.tree)) as Json;
  if (!isObject(parsed)) fail(source, 'could not be parsed');
  if (parsed.error === true) {
    const message = String(parsed.error_message ?? 'syntax error');
    fail(
      source,
      /only select/i.test(message)
        ? 'must be one boolean expression (statements such as DROP, COPY, ATTACH, PRAGMA are not allowed)'
        : `is not valid SQL: ${message.split('\n')[0]}`,
    );
  }
  const statements = parsed.statements;
  if (!Array.isArray(statements) || statements.length !== 1 || !isObject(statements[0]))
    fail(source, "must be one boolean expression (no ';' and no second statement)");
  const where = expectShape(source, statements[0], catalogue.table);
  const columns = checkExpressionTree(source, where, catalogue);
  checkCaps(where, (reason) => fail(source, reason));

  // Render the checked tree back to SQL: what runs is exactly what was checked.
  const [rendered] = await db.queryJson(
    `with t as (select json_serialize_sql($1::varchar)::varchar as tree,
                       json_serialize_sql('select __c360_expression__')::varchar as template)
     select json_deserialize_sql(
              replace(template,
                      json_extract(template::json, '$.statements[0].node.select_list[0]')::varchar,
                      json_extract(tree::json, '$.statements[0].node.where_clause')::varchar)::json
            ) as sql
     from t`,
    [wrapped],
  );
  const sql = String(rendered?.sql ?? '');
  if (!/^SELECT /i.test(sql)) fail(source, 'could not be rendered back to SQL');
  const canonical = sql.slice('SELECT '.length);

  // Type check without reading data: the expression must be boolean.
  await readOnlyWhen(db, true, async () => {
    try {
      const described = await db.queryJson(
        `describe select (${canonical}) as v from main.${catalogue.table}`,
      );
      const type = String(described[0]?.column_type ?? '');
      if (type !== 'BOOLEAN') fail(source, `must be true/false, but it gives ${type || 'no value'}`);
    } catch (error) {
      if (error instanceof ExpertSqlError || error instanceof QueryCancelledError) throw error;
      fail(
        source,
        `does not fit ${catalogue.table}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`,
      );
    }
  });
  return { source, canonical, columns };
}

/**
 * Runs reads that contain expert rules inside a read-only transaction (defence in depth, see above). The
 * transaction is closed even when the reads were interrupted (core/db/interrupt.ts), so the connection is left
 * as it was found.
 */
export async function readOnlyWhen<T>(db: Database, readOnly: boolean, fn: () => Promise<T>): Promise<T> {
  return readOnly ? withTransaction(db, fn, { readOnly: true }) : fn();
}
