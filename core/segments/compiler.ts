import { createHash } from 'node:crypto';
import { compileCondition, SqlParams } from './conditions.ts';

export { addDays, OPERATORS_BY_KIND, SqlParams } from './conditions.ts';
import { quoteIdent } from '../db/duckdb.ts';
import type { Catalogue, CatalogueColumn } from './catalogue.ts';
import { describeColumn } from './catalogue.ts';
import {
  isMuted,
  ruleKind,
  locateProblem,
  SegmentDefinitionError,
  isVarRef,
  type ConditionRule,
  type LiteralConditionRule,
  type LoadedSegment,
  type Operator,
  type Rule,
  type RuleValue,
  type SegmentRule,
  type SegmentDefinition,
  type SegmentProblem,
} from './definition.ts';
import type { ValidatedSql } from './expertSql.ts';
import { healthUse } from './sensitivity.ts';
import { resolveVarRefs } from './varRefs.ts';

/**
 * Rules → parameterised SQL over dim_customers. Values are always bound parameters ($1, $2, …); identifiers
 * come only from the catalogue and are quoted. Pure: expert SQL is checked beforehand (expertSql.ts) and
 * handed in, other segments are resolved by the caller (inline SQL, or a membership column of the projection).
 */

export interface CompileContext {
  catalogue: Catalogue;
  params: SqlParams;
  /** Checked expert rules by their source text. */
  expertSql: ReadonlyMap<string, ValidatedSql>;
  /**
   * SQL true for customers in the named segment; undefined when unknown. `eligible` (exclusions, priority):
   * its members before the holdout; `list` ("in segment" rules): its members as its Klaviyo list holds them.
   */
  segmentRef: (name: string, scope?: SegmentScope) => string | undefined;
  /** The saved segments, for the consent of a segment an "in segment" rule reads (sensitivity.ts). */
  saved?: ReadonlyMap<string, LoadedSegment>;
  /** SQL of the customer's holdout bucket, 0 … HOLDOUT_BUCKETS − 1. */
  holdoutBucketSql: string;
  /**
   * Text columns stored as ENUM by the preview's projection: comparing with a value cast to the ENUM avoids a
   * cast of every row to text. Only values the ENUM holds are cast (others compare as text, still correct).
   */
  enumTypes?: ReadonlyMap<string, { type: string; values: ReadonlySet<string> }>;
}

/** Which members of another segment a reference means (CompileContext.segmentRef). */
export type SegmentScope = 'eligible' | 'list';

export const HOLDOUT_BUCKETS = 10_000;

/** Stable bucket of a customer: first 32 bits of md5(customer_id) mod 10,000. */
export function holdoutBucketExpression(customerIdSql: string): string {
  return `cast(('0x' || left(md5(${customerIdSql}), 8))::UBIGINT % ${HOLDOUT_BUCKETS} as USMALLINT)`;
}

/** Each segment holds out a different window of buckets: offset = md5(name) mod 10,000. */
export function holdoutOffset(segmentName: string): number {
  return parseInt(createHash('md5').update(segmentName).digest('hex').slice(0, 8), 16) % HOLDOUT_BUCKETS;
}

/** Bucket offset and threshold of a segment's holdout: held out when (bucket + offset) mod 10,000 < threshold. */
export function holdoutParameters(def: SegmentDefinition): { offset: number; threshold: number } {
  const threshold = Math.round(def.holdout_percent * (HOLDOUT_BUCKETS / 100));
  const offset = holdoutOffset(def.name);
  if (!Number.isInteger(threshold) || !Number.isInteger(offset))
    throw new Error('holdout parameters must be integers');
  return { offset, threshold };
}

export type StepKind = 'marketable' | 'consent' | 'rule' | 'exclusion' | 'priority' | 'holdout';

export interface FunnelStep {
  kind: StepKind;
  label: string;
  /** The consent column of a `consent` step (the editor shows a sensitive segment's consent rule). */
  column?: string;
  /** Boolean SQL; a customer passes the step when it is true (null counts as false). */
  sql: string;
  /** YAML path of the rule, e.g. rules.all.1. */
  path?: string;
  /** Bound values the step uses: indexes [from, to) into the params' values. */
  params?: [number, number];
}

export interface RuleNode {
  path: string;
  kind: 'condition' | 'all' | 'any' | 'sql' | 'segment';
  /** The saved segment a `segment` rule reads. */
  segment?: string;
  label: string;
  sql: string;
  columns: string[];
  children: RuleNode[];
  params: [number, number];
}

export interface CompiledSegment {
  name: string;
  definition: SegmentDefinition;
  steps: FunnelStep[];
  rules: RuleNode;
  /** Columns of dim_customers the segment reads. */
  columns: string[];
  /** Rules, marketability, consent, exclusions and priority: membership before the holdout. */
  eligibleSql: string;
  /** Eligible and not held out: who goes to the Klaviyo list. */
  memberSql: string;
}

const isTrue = (sql: string): string => `((${sql}) is true)`;

function describeItem(value: RuleValue): string {
  return isVarRef(value) ? `{var: ${value.var}}` : String(value);
}

function describeValue(value: RuleValue | RuleValue[] | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map(describeItem).join(', ');
  return describeItem(value);
}

const OPERATOR_TEXT: Record<Operator, string> = {
  '=': '=',
  '!=': '≠',
  '<': '<',
  '<=': '≤',
  '>': '>',
  '>=': '≥',
  between: 'between',
  in: 'in',
  not_in: 'not in',
  contains: 'contains',
  contains_any: 'contains any of',
  contains_all: 'contains all of',
  is_null: 'is empty',
  is_not_null: 'is set',
  is_empty: 'is empty',
  is_not_empty: 'is not empty',
  within_last_days: 'within the last',
  more_than_days_ago: 'more than',
  within_next_days: 'within the next',
};

/** A rule as a marketer reads it: "days_since_last_order between 60 and 90". */
export function describeRule(rule: Rule): string {
  if (rule.label) return rule.label;
  const kind = ruleKind(rule);
  if (kind === 'sql') return `sql: ${(rule as { sql: string }).sql}`;
  if (kind === 'segment') {
    const ref = rule as SegmentRule;
    return `${ref.op === 'not_in' ? 'not in' : 'in'} segment ${ref.segment}`;
  }
  if (kind === 'all' || kind === 'any') {
    const children = 'all' in rule ? rule.all : 'any' in rule ? rule.any : [];
    return `${kind} of (${children.map(describeRule).join('; ')})`;
  }
  const c = rule as ConditionRule;
  const op = OPERATOR_TEXT[c.op];
  if (c.op === 'between' && Array.isArray(c.value) && c.value.length === 2)
    return `${c.column} between ${describeItem(c.value[0]!)} and ${describeItem(c.value[1]!)}`;
  if (c.op === 'within_last_days' || c.op === 'within_next_days')
    return `${c.column} ${op} ${describeValue(c.value)} days`;
  if (c.op === 'more_than_days_ago') return `${c.column} more than ${describeValue(c.value)} days ago`;
  const value = describeValue(c.value);
  return value ? `${c.column} ${op} ${value}` : `${c.column} ${op}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Column names a typo probably meant. */
export function closeNames(name: string, candidates: string[]): string[] {
  const wanted = name.toLowerCase();
  return candidates
    .map((c) => ({ c, d: editDistance(wanted, c) }))
    .filter(
      ({ c, d }) => d <= Math.max(2, Math.floor(c.length / 6)) || (wanted.length > 3 && c.includes(wanted)),
    )
    .sort((a, b) => a.d - b.d)
    .map(({ c }) => c);
}

class RuleCompiler {
  readonly problems: SegmentProblem[] = [];
  readonly columns = new Set<string>();

  constructor(
    readonly ctx: CompileContext,
    readonly segment: string,
  ) {}

  problem(path: string, message: string): string {
    this.problems.push({ segment: this.segment, path, message });
    return 'false';
  }

  column(name: string, path: string): CatalogueColumn | undefined {
    const column = this.ctx.catalogue.columns.get(name);
    if (!column) {
      const close = closeNames(name, [...this.ctx.catalogue.columns.keys()]);
      this.problem(
        `${path}.column`,
        `'${name}' is not a column of ${this.ctx.catalogue.table}` +
          (close.length
            ? `; did you mean ${close.slice(0, 3).join(', ')}?`
            : '; `c360 segments columns` lists them'),
      );
      return undefined;
    }
    this.columns.add(name);
    return column;
  }

  tree(rule: Rule, path: string): RuleNode {
    const from = this.ctx.params.values.length;
    const node = this.node(rule, path);
    node.params = [from, this.ctx.params.values.length];
    return node;
  }

  node(rule: Rule, path: string): RuleNode {
    const kind = ruleKind(rule);
    if (kind === 'all' || kind === 'any') {
      const rules = 'all' in rule ? rule.all : 'any' in rule ? rule.any : [];
      // A muted rule is left out as if it were not written; the others keep their paths (the index in the file).
      const children = rules.flatMap((child, i) =>
        isMuted(child) ? [] : [this.tree(child, `${path}.${kind}.${i}`)],
      );
      const joined = children.map((c) => `(${c.sql})`).join(kind === 'all' ? ' and ' : ' or ');
      return {
        path,
        kind,
        label: describeRule(rule),
        // a group whose rules are all muted selects everyone, like a muted group
        sql: children.length ? `(${joined})` : 'true',
        columns: [...new Set(children.flatMap((c) => c.columns))],
        children,
        params: [0, 0],
      };
    }
    if (kind === 'sql') {
      const source = (rule as { sql: string }).sql;
      const checked = this.ctx.expertSql.get(source);
      if (!checked)
        return this.leaf(
          rule,
          path,
          'sql',
          this.problem(`${path}.sql`, 'the expert rule was not checked'),
          [],
        );
      for (const c of checked.columns) this.columns.add(c);
      return this.leaf(rule, path, 'sql', `(${checked.canonical})`, checked.columns);
    }
    if (kind === 'segment') return this.segmentRule(rule as SegmentRule, path);
    const condition = resolveVarRefs(rule as ConditionRule, this.ctx.catalogue.vars, path, (at, message) =>
      this.problem(at, message),
    );
    // The label shows the values in effect: "days_since_last_order ≥ 60", not the variable's name.
    return this.leaf(condition, path, 'condition', this.condition(condition, path), [condition.column]);
  }

  /** A saved segment's list members (or everyone else), read as the list sync reads them. */
  segmentRule(rule: SegmentRule, path: string): RuleNode {
    const node = { path, kind: 'segment' as const, segment: rule.segment, label: describeRule(rule) };
    const fail = (message: string): RuleNode => ({
      ...node,
      sql: this.problem(`${path}.segment`, message),
      columns: [],
      children: [],
      params: [0, 0],
    });
    if (rule.segment === this.segment)
      return fail(`a segment cannot be built on itself; name another saved segment than ${this.segment}`);
    const ref = this.ctx.segmentRef(rule.segment, 'list');
    if (ref === undefined)
      return fail(
        `'${rule.segment}' is not a saved segment of this workspace` +
          (this.ctx.saved?.size ? `; saved: ${[...this.ctx.saved.keys()].sort().join(', ')}` : ''),
      );
    const sql = rule.op === 'not_in' ? `((${ref}) is not true)` : `((${ref}) is true)`;
    return { ...node, sql, columns: [], children: [], params: [0, 0] };
  }

  leaf(rule: Rule, path: string, kind: 'condition' | 'sql', sql: string, columns: string[]): RuleNode {
    return { path, kind, label: describeRule(rule), sql, columns, children: [], params: [0, 0] };
  }

  condition(rule: LiteralConditionRule, path: string): string {
    const column = this.column(rule.column, path);
    if (!column) return 'false';
    return compileCondition(rule, column, path, {
      params: this.ctx.params,
      asOf: this.ctx.catalogue.asOf,
      ...(this.ctx.enumTypes ? { enumTypes: this.ctx.enumTypes } : {}),
      problem: (at, message) => this.problem(at, message),
    });
  }
}

export interface CompileOptions {
  /** Segments of the same priority group that come first (priority.ts). */
  higherPriority?: string[];
}

/** Compiles a segment into funnel steps; throws SegmentDefinitionError listing every problem. */
export function compileSegment(
  loaded: LoadedSegment,
  ctx: CompileContext,
  options: CompileOptions = {},
): CompiledSegment {
  const def = loaded.definition;
  const compiler = new RuleCompiler(ctx, def.name);
  const steps: FunnelStep[] = [];
  if (!def.include_non_marketable) {
    const column = compiler.column('is_marketable', 'include_non_marketable');
    if (column)
      steps.push({
        kind: 'marketable',
        label: 'marketable (is_marketable)',
        sql: isTrue(quoteIdent('is_marketable')),
      });
  }
  // Consent follows the data: a declared consent_column and the consent columns of tagged data it reads.
  const health = healthUse(def, ctx.catalogue, ctx.expertSql, ctx.saved);
  for (const tag of health.missingConsent)
    compiler.problem(
      'consent_column',
      `reads data tagged ${tag} in the model docs, which name no consent column for it; add consent_columns: { ${tag}: <opt-in column> } to the model's YAML`,
    );
  for (const name of health.consentColumns) {
    const column = compiler.column(name, 'consent_column');
    if (column && column.kind !== 'boolean')
      compiler.problem('consent_column', `${describeColumn(column)} is not a true/false column`);
    else if (column)
      steps.push({
        kind: 'consent',
        label: `consent (${column.name})`,
        column: column.name,
        sql: isTrue(quoteIdent(column.name)),
      });
  }
  const rules = isMuted(def.rules)
    ? compiler.tree({ all: [def.rules] }, 'rules')
    : compiler.tree(def.rules, 'rules');
  const topLevel = rules.kind === 'all' ? rules.children : [rules];
  for (const node of topLevel)
    steps.push({
      kind: 'rule',
      label: node.label,
      sql: isTrue(node.sql),
      path: node.path,
      params: node.params,
    });
  const range = (from: number): [number, number] => [from, ctx.params.values.length];
  def.exclude.forEach((name, i) => {
    const from = ctx.params.values.length;
    const ref = ctx.segmentRef(name);
    if (ref === undefined) compiler.problem(`exclude.${i}`, `'${name}' is not a segment of this workspace`);
    else
      steps.push({
        kind: 'exclusion',
        label: `not in ${name}`,
        sql: `((${ref}) is not true)`,
        path: `exclude.${i}`,
        params: range(from),
      });
  });
  const higher = options.higherPriority ?? [];
  if (higher.length) {
    const from = ctx.params.values.length;
    const refs = higher.map((name) => ctx.segmentRef(name) ?? 'false');
    steps.push({
      kind: 'priority',
      label: `not claimed first by ${higher.join(', ')} (priority group ${def.priority_group})`,
      sql: `((${refs.map((r) => `(${r})`).join(' or ')}) is not true)`,
      path: 'priority',
      params: range(from),
    });
  }
  for (const [i, property] of def.properties.entries()) compiler.column(property, `properties.${i}`);
  if (compiler.problems.length) {
    throw new SegmentDefinitionError(compiler.problems.map((problem) => locateProblem(loaded, problem)));
  }
  const eligibleSql = steps.length ? steps.map((s) => s.sql).join(' and ') : 'true';
  if (def.holdout_percent > 0) {
    const { offset, threshold } = holdoutParameters(def);
    // Integers computed here (not text from the file), written as literals: the step is left out of
    // eligibleSql, and DuckDB rejects bound values that a statement does not use.
    steps.push({
      kind: 'holdout',
      label: `not in the ${def.holdout_percent} % holdout`,
      sql: `((${ctx.holdoutBucketSql} + ${offset}) % ${HOLDOUT_BUCKETS} >= ${threshold})`,
      path: 'holdout_percent',
    });
  }
  return {
    name: def.name,
    definition: def,
    steps,
    rules,
    columns: [...compiler.columns],
    eligibleSql,
    memberSql: steps.map((s) => s.sql).join(' and ') || 'true',
  };
}

/** Every expert rule of a definition, depth first. */
export function expertRules(rule: Rule): string[] {
  if ('sql' in rule) return [rule.sql];
  if ('all' in rule) return rule.all.flatMap(expertRules);
  if ('any' in rule) return rule.any.flatMap(expertRules);
  return [];
}
