import type { DuckDBValue } from '@duckdb/node-api';
import { quoteIdent } from '../db/duckdb.ts';
import { describeColumn, type CatalogueColumn } from './catalogue.ts';
import type { LiteralConditionRule, Scalar } from './definition.ts';
import { OPERATORS_BY_KIND } from './operators.ts';

/**
 * One condition `{column, op, value}` → SQL, by the column's type. Values are bound parameters; "days ago"
 * rules count calendar days from the build's as_of (sql/DEFINITIONS.md "Reference time"); dates compare whole
 * days; ≠ and "not in" keep customers without a value.
 */

// The operator table lives in operators.ts (browser-safe, shared with the rule builder).
export { OPERATORS_BY_KIND };

/** Collects bound values; `add` returns the placeholder to paste into SQL. */
export class SqlParams {
  readonly values: DuckDBValue[] = [];
  /** Placeholders start after `start` (to put two compilations into one statement). */
  constructor(readonly start = 0) {}
  add(value: DuckDBValue, cast?: 'DATE' | 'TIMESTAMP' | 'VARCHAR' | 'DOUBLE' | 'INTEGER'): string {
    this.values.push(value);
    return `$${this.start + this.values.length}${cast ? `::${cast}` : ''}`;
  }
}

export interface ConditionContext {
  params: SqlParams;
  /** Reference day of relative date rules (YYYY-MM-DD). */
  asOf: string;
  enumTypes?: ReadonlyMap<string, { type: string; values: ReadonlySet<string> }>;
  /** Records a problem at a YAML path; returns SQL to keep compiling ('false'). */
  problem: (path: string, message: string) => string;
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export function compileCondition(
  rule: LiteralConditionRule,
  column: CatalogueColumn,
  path: string,
  ctx: ConditionContext,
): string {
  const allowed = OPERATORS_BY_KIND[column.kind];
  if (!allowed.includes(rule.op))
    return ctx.problem(
      `${path}.op`,
      `'${rule.op}' does not apply to ${describeColumn(column)}; allowed: ${allowed.join(', ')}`,
    );
  const c = quoteIdent(column.name);
  const p = ctx.params;
  const valuePath = `${path}.value`;
  const op = rule.op;
  if (op === 'is_null' || op === 'is_not_null' || op === 'is_empty' || op === 'is_not_empty') {
    if (rule.value !== undefined) return ctx.problem(valuePath, `'${op}' takes no value; remove value`);
    if (op === 'is_null') return `${c} is null`;
    if (op === 'is_not_null') return `${c} is not null`;
    return op === 'is_empty' ? `coalesce(len(${c}), 0) = 0` : `coalesce(len(${c}), 0) > 0`;
  }
  if (op === 'within_last_days' || op === 'more_than_days_ago' || op === 'within_next_days') {
    const days = rule.value;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 0)
      return ctx.problem(valuePath, `'${op}' needs a whole number of days ≥ 0, e.g. value: 30`);
    const cast = column.kind === 'date' ? 'DATE' : 'TIMESTAMP';
    const asOf = ctx.asOf;
    // Calendar days counted from the build's as_of (sql/DEFINITIONS.md "Reference time").
    if (op === 'more_than_days_ago') return `${c} < ${p.add(addDays(asOf, -days), cast)}`;
    if (op === 'within_last_days')
      return `(${c} >= ${p.add(addDays(asOf, -days), cast)} and ${c} < ${p.add(addDays(asOf, 1), cast)})`;
    return `(${c} >= ${p.add(asOf, cast)} and ${c} < ${p.add(addDays(asOf, days + 1), cast)})`;
  }
  if (column.kind === 'list') return listCondition(rule, column, c, valuePath, ctx);
  if (column.kind === 'date' || column.kind === 'timestamp')
    return dateCondition(rule, column, c, valuePath, ctx);

  const scalar = (value: Scalar, at: string): string | undefined => compileScalar(value, column, at, ctx);
  if (op === 'between') {
    if (!Array.isArray(rule.value) || rule.value.length !== 2)
      return ctx.problem(valuePath, `'between' needs two values [low, high], e.g. value: [60, 90]`);
    const [lo, hi] = rule.value as [Scalar, Scalar];
    const a = scalar(lo, `${valuePath}.0`);
    const b = scalar(hi, `${valuePath}.1`);
    if (a === undefined || b === undefined) return 'false';
    if (typeof lo === 'number' && typeof hi === 'number' && lo > hi)
      return ctx.problem(valuePath, `between [${lo}, ${hi}]: the low value must not exceed the high value`);
    return `${c} between ${a} and ${b}`;
  }
  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(rule.value) || rule.value.length === 0)
      return ctx.problem(valuePath, `'${op}' needs a list of values, e.g. value: [at_risk, lapsing]`);
    const items = rule.value.map((v, i) => scalar(v, `${valuePath}.${i}`));
    if (items.some((i) => i === undefined)) return 'false';
    const list = items.join(', ');
    return op === 'in' ? `${c} in (${list})` : `(${c} is null or ${c} not in (${list}))`;
  }
  if (Array.isArray(rule.value) || rule.value === undefined)
    return ctx.problem(
      valuePath,
      `'${op}' needs one value${Array.isArray(rule.value) ? ', not a list' : ''}`,
    );
  if (op === 'contains') {
    if (typeof rule.value !== 'string') return ctx.problem(valuePath, `'contains' needs a text`);
    return `strpos(lower(${c}), lower(${p.add(rule.value, 'VARCHAR')})) > 0`;
  }
  const v = scalar(rule.value, valuePath);
  if (v === undefined) return 'false';
  // ≠ keeps customers without a value: "winback_stage ≠ final" includes those with no stage.
  if (op === '!=') return `${c} is distinct from ${v}`;
  return `${c} ${op} ${v}`;
}

function compileScalar(
  value: Scalar,
  column: CatalogueColumn,
  path: string,
  ctx: ConditionContext,
): string | undefined {
  const p = ctx.params;
  if (column.kind === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      ctx.problem(path, `${column.name} is a number column; '${String(value)}' is not a number`);
      return undefined;
    }
    return p.add(value, Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 'INTEGER' : 'DOUBLE');
  }
  if (column.kind === 'boolean') {
    if (typeof value !== 'boolean') {
      ctx.problem(path, `${column.name} is true/false; use value: true or value: false`);
      return undefined;
    }
    return p.add(value);
  }
  if (typeof value === 'boolean') {
    ctx.problem(path, `${column.name} is a text column; quote the value ('${value}')`);
    return undefined;
  }
  const text = String(value);
  if (column.values?.length && !column.values.map(String).includes(text)) {
    ctx.problem(path, `'${text}' is not a value of ${column.name}; values: ${column.values.join(', ')}`);
    return undefined;
  }
  const placeholder = p.add(text, 'VARCHAR');
  const enumType = ctx.enumTypes?.get(column.name);
  return enumType?.values.has(text) ? `${placeholder}::${enumType.type}` : placeholder;
}

function dateCondition(
  rule: LiteralConditionRule,
  column: CatalogueColumn,
  c: string,
  valuePath: string,
  ctx: ConditionContext,
): string {
  const cast = column.kind === 'date' ? 'DATE' : 'TIMESTAMP';
  const p = ctx.params;
  const day = (value: Scalar | undefined, at: string): string | undefined => {
    if (typeof value !== 'string' || !isCalendarDate(value)) {
      ctx.problem(
        at,
        `${column.name} is a ${column.kind}; give a calendar date as YYYY-MM-DD, e.g. '2026-01-31'`,
      );
      return undefined;
    }
    return value;
  };
  // Whole calendar days: "< 2026-01-31" means before that day, "≤" on or before it.
  const op = rule.op;
  if (op === 'between') {
    if (!Array.isArray(rule.value) || rule.value.length !== 2)
      return ctx.problem(valuePath, `'between' needs two dates [first, last]`);
    const lo = day(rule.value[0], `${valuePath}.0`);
    const hi = day(rule.value[1], `${valuePath}.1`);
    if (!lo || !hi) return 'false';
    if (lo > hi) return ctx.problem(valuePath, `between [${lo}, ${hi}]: the first date is after the last`);
    return `(${c} >= ${p.add(lo, cast)} and ${c} < ${p.add(addDays(hi, 1), cast)})`;
  }
  if (Array.isArray(rule.value))
    return ctx.problem(
      valuePath,
      `'${op}' needs one date; allowed for dates: ${OPERATORS_BY_KIND.date.join(', ')}`,
    );
  const d = day(rule.value, valuePath);
  if (!d) return 'false';
  const next = addDays(d, 1);
  switch (op) {
    case '=':
      return `(${c} >= ${p.add(d, cast)} and ${c} < ${p.add(next, cast)})`;
    case '!=':
      return `(${c} is null or ${c} < ${p.add(d, cast)} or ${c} >= ${p.add(next, cast)})`;
    case '<':
      return `${c} < ${p.add(d, cast)}`;
    case '<=':
      return `${c} < ${p.add(next, cast)}`;
    case '>':
      return `${c} >= ${p.add(next, cast)}`;
    case '>=':
      return `${c} >= ${p.add(d, cast)}`;
    default:
      return ctx.problem(`${valuePath}`, `'${op}' does not apply to dates`);
  }
}

function listCondition(
  rule: LiteralConditionRule,
  column: CatalogueColumn,
  c: string,
  valuePath: string,
  ctx: ConditionContext,
): string {
  const element = column.elementKind === 'number' ? 'number' : 'string';
  const p = ctx.params;
  const bind = (value: Scalar, at: string): string | undefined => {
    if (element === 'number' ? typeof value !== 'number' : typeof value === 'boolean') {
      ctx.problem(at, `${column.name} is a list of ${element}s; '${String(value)}' does not fit`);
      return undefined;
    }
    return element === 'number' ? p.add(value, 'DOUBLE') : p.add(String(value), 'VARCHAR');
  };
  if (rule.op === 'contains') {
    if (rule.value === undefined || Array.isArray(rule.value))
      return ctx.problem(valuePath, `'contains' needs one value; use contains_any / contains_all for a list`);
    const v = bind(rule.value, valuePath);
    return v ? `list_contains(${c}, ${v})` : 'false';
  }
  if (!Array.isArray(rule.value) || rule.value.length === 0)
    return ctx.problem(valuePath, `'${rule.op}' needs a list of values, e.g. value: [Schlaf, Ruhe]`);
  const items = rule.value.map((v, i) => bind(v, `${valuePath}.${i}`));
  if (items.some((i) => i === undefined)) return 'false';
  const fn = rule.op === 'contains_all' ? 'list_has_all' : 'list_has_any';
  return `${fn}(${c}, [${items.join(', ')}])`;
}
