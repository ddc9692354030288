import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { z } from 'zod';
import { C360Error, redactSecrets } from '../errors.ts';
import { OPERATORS, type Operator } from './operators.ts';

/**
 * A segment definition: one YAML file in `<workspace>/segments/`. The zod schema below is the type; rules are a
 * tree of AND (`all`) / OR (`any`) groups over dim_customers columns. Column names and value types are checked
 * later against the table's catalogue (compiler.ts), with the same problem format.
 */

export { OPERATORS, type Operator };

/** Spellings people type, mapped to the operator names (operators.ts). */
const OPERATOR_ALIASES: Record<string, Operator> = {
  '==': '=',
  eq: '=',
  '≠': '!=',
  '<>': '!=',
  ne: '!=',
  '≤': '<=',
  '≥': '>=',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
};

function normaliseOperator(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim().toLowerCase().replace(/\s+/g, '_');
  return OPERATOR_ALIASES[text] ?? text;
}

const operatorSchema = z.preprocess(
  normaliseOperator,
  z.enum(OPERATORS, {
    error: (issue) =>
      `'${String(issue.input)}' is not an operator; allowed: ${OPERATORS.join(', ')} (≠ ≤ ≥ and 'not in' are accepted too)`,
  }),
);

export type Scalar = string | number | boolean;
/** A model variable in place of a value (`value: {var: winback_early_days}`): sql/vars.yml holds its default. */
export interface VarRef {
  var: string;
}
export type RuleValue = Scalar | VarRef;
const scalarSchema = z.union([z.string(), z.number(), z.boolean()], {
  error: 'a value is a string, a number or true/false',
});
const varRefSchema = z.strictObject({
  var: z
    .string({ error: 'var names a model variable of sql/vars.yml, e.g. {var: winback_early_days}' })
    .regex(/^[a-z][a-z0-9_]*$/, 'var names a model variable of sql/vars.yml, e.g. {var: winback_early_days}'),
});
const itemSchema = z.union([scalarSchema, varRefSchema], {
  error: 'a value is a string, a number, true/false or a model variable {var: name}',
});
const valueSchema = z.union([itemSchema, z.array(itemSchema)], {
  error: 'a value is a string, a number, true/false, a model variable {var: name} or a list of them',
});

export function isVarRef(value: unknown): value is VarRef {
  return isRecord(value) && typeof value.var === 'string';
}

/**
 * The parsed rule keeps the YAML shape (no tags), so a stored definition parses again as it is.
 */
export interface ConditionRule {
  column: string;
  op: Operator;
  value?: RuleValue | RuleValue[];
  label?: string;
  /** A muted rule stays in the file but selects nothing: the segment behaves as if it were not there. */
  muted?: boolean;
}

/** A condition whose model variables were replaced by their values (what compiles to SQL). */
export interface LiteralConditionRule extends Omit<ConditionRule, 'value'> {
  value?: Scalar | Scalar[];
}
export interface AllRule {
  all: Rule[];
  label?: string;
  muted?: boolean;
}
export interface AnyRule {
  any: Rule[];
  label?: string;
  muted?: boolean;
}
export interface SqlRule {
  sql: string;
  label?: string;
  muted?: boolean;
}
/** How a rule reads another saved segment: its list members (`in`) or everyone else (`not_in`). */
export const SEGMENT_REF_OPERATORS = ['in', 'not_in'] as const;
export type SegmentRefOperator = (typeof SEGMENT_REF_OPERATORS)[number];

/**
 * "Is (not) in segment X": the customers X's Klaviyo list holds (its rules, marketability, consent,
 * exclusions, priority and holdout applied — what `engine.listMembers` returns), or everyone else.
 */
export interface SegmentRule {
  segment: string;
  op: SegmentRefOperator;
  label?: string;
  muted?: boolean;
}
export type Rule = ConditionRule | AllRule | AnyRule | SqlRule | SegmentRule;
export type RuleKind = 'condition' | 'all' | 'any' | 'sql' | 'segment';

export function ruleKind(rule: Rule): RuleKind {
  if ('all' in rule) return 'all';
  if ('any' in rule) return 'any';
  if ('sql' in rule) return 'sql';
  if ('segment' in rule) return 'segment';
  return 'condition';
}

/** Every "in segment" rule of a tree (muted ones too: they stay in the file), with its YAML path. */
export function segmentRefs(rule: Rule, path = 'rules'): { rule: SegmentRule; path: string }[] {
  if ('all' in rule) return rule.all.flatMap((r, i) => segmentRefs(r, `${path}.all.${i}`));
  if ('any' in rule) return rule.any.flatMap((r, i) => segmentRefs(r, `${path}.any.${i}`));
  if ('segment' in rule) return [{ rule, path }];
  return [];
}

export function isMuted(rule: Rule): boolean {
  return rule.muted === true;
}

/** The children of a group, none for a leaf. */
export function ruleChildren(rule: Rule): Rule[] {
  if ('all' in rule) return rule.all;
  if ('any' in rule) return rule.any;
  return [];
}

const labelSchema = z.string().min(1, 'a label is a non-empty text').optional();
const mutedSchema = z.boolean({ error: 'muted is true or false' }).optional();
/** `muted: true` is kept; `muted: false` means the same as no flag, so it is dropped (one form, one hash). */
const mutedOf = (muted: boolean | undefined) => (muted ? { muted: true as const } : {});

const conditionSchema = z.strictObject({
  column: z.string({ error: 'column must be the name of a dim_customers column' }).min(1),
  op: operatorSchema,
  value: valueSchema.optional(),
  label: labelSchema,
  muted: mutedSchema,
});

const sqlRuleSchema = z.strictObject({
  sql: z.string({ error: 'sql must be a boolean SQL expression over dim_customers columns' }).min(1),
  label: labelSchema,
  muted: mutedSchema,
});

type IssuePath = (string | number)[];

function forwardIssues(ctx: z.RefinementCtx, error: z.ZodError): typeof z.NEVER {
  for (const issue of error.issues)
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path as IssuePath });
  return z.NEVER;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const RULE_SHAPES =
  'a rule is {column, op, value}, a group {all: [rules]} or {any: [rules]}, another segment {segment: name, op: in | not_in}, or an expert rule {sql: "expression"} (each may say muted: true)';

const segmentRuleSchema = z.strictObject({
  segment: z
    .string({ error: 'segment names a saved segment, e.g. segment: vip_customers' })
    .regex(/^[a-z][a-z0-9_]*$/, 'segment names a saved segment, e.g. segment: vip_customers'),
  op: z
    .preprocess(
      normaliseOperator,
      z.enum(SEGMENT_REF_OPERATORS, {
        error: (issue) =>
          `'${String(issue.input)}' does not apply to a segment; use op: in (its list members) or op: not_in (everyone else)`,
      }),
    )
    .default('in'),
  label: labelSchema,
  muted: mutedSchema,
});

/** A rule of the tree. Dispatches on the keys so that a mistake gets the message of the shape that was meant. */
export const ruleSchema: z.ZodType<Rule, unknown> = z.unknown().transform((raw, ctx): Rule => {
  if (!isRecord(raw)) {
    ctx.addIssue({ code: 'custom', message: `expected a rule, got ${describeValue(raw)}; ${RULE_SHAPES}` });
    return z.NEVER;
  }
  for (const kind of ['all', 'any'] as const) {
    if (!(kind in raw)) continue;
    const rules = z
      .array(ruleSchema, { error: `${kind} must be a list of rules` })
      .min(1, `${kind} needs at least one rule`);
    const group = z
      .strictObject({ [kind]: rules, label: labelSchema, muted: mutedSchema } as {
        all: typeof rules;
        label: typeof labelSchema;
        muted: typeof mutedSchema;
      })
      .safeParse(raw);
    if (!group.success) return forwardIssues(ctx, group.error);
    const children = (group.data as unknown as Record<string, Rule[]>)[kind]!;
    const extra = { ...(group.data.label ? { label: group.data.label } : {}), ...mutedOf(group.data.muted) };
    return kind === 'all' ? { all: children, ...extra } : { any: children, ...extra };
  }
  if ('sql' in raw) {
    const parsed = sqlRuleSchema.safeParse(raw);
    if (!parsed.success) return forwardIssues(ctx, parsed.error);
    return {
      sql: parsed.data.sql,
      ...(parsed.data.label ? { label: parsed.data.label } : {}),
      ...mutedOf(parsed.data.muted),
    };
  }
  if ('segment' in raw) {
    const parsed = segmentRuleSchema.safeParse(raw);
    if (!parsed.success) return forwardIssues(ctx, parsed.error);
    return {
      segment: parsed.data.segment,
      op: parsed.data.op,
      ...(parsed.data.label ? { label: parsed.data.label } : {}),
      ...mutedOf(parsed.data.muted),
    };
  }
  if ('column' in raw) {
    const parsed = conditionSchema.safeParse(raw);
    if (!parsed.success) return forwardIssues(ctx, parsed.error);
    const { label, value, muted, ...rest } = parsed.data;
    return {
      ...rest,
      ...(value !== undefined ? { value } : {}),
      ...(label ? { label } : {}),
      ...mutedOf(muted),
    };
  }
  ctx.addIssue({
    code: 'custom',
    message: `unknown rule with keys ${Object.keys(raw).join(', ') || '(none)'}; ${RULE_SHAPES}`,
  });
  return z.NEVER;
});

/** `rules:` is one rule, or a list of rules that all must hold. */
const rootRulesSchema = z.preprocess((raw) => (Array.isArray(raw) ? { all: raw } : raw), ruleSchema);

export const SEGMENT_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
const segmentNameSchema = z
  .string({ error: 'a segment name is a text' })
  .regex(
    SEGMENT_NAME_PATTERN,
    'use lower-case letters, digits and _, starting with a letter (e.g. winback_early)',
  );

export const MAX_HOLDOUT_PERCENT = 50;

export const segmentDefinitionSchema = z
  .strictObject({
    name: segmentNameSchema,
    description: z.string().default(''),
    /** Name of the Klaviyo list this segment is published to (default: the segment name). */
    klaviyo_list: z.string().min(1, 'klaviyo_list must not be empty').optional(),
    rules: rootRulesSchema,
    /** Customers in any of these segments (matched by their rules, holdout included) are left out. */
    exclude: z.array(segmentNameSchema).default([]),
    /** Within a priority group a customer stays only in the segment with the smallest priority (1 = first). */
    priority: z
      .number()
      .int('priority is a whole number')
      .min(1, 'priority starts at 1 (= first)')
      .optional(),
    priority_group: segmentNameSchema.optional(),
    /** Share of members kept out of the list as a control group, by a stable hash of customer_id. */
    holdout_percent: z
      .number()
      .min(0, `holdout_percent is between 0 and ${MAX_HOLDOUT_PERCENT}`)
      .max(MAX_HOLDOUT_PERCENT, `holdout_percent is between 0 and ${MAX_HOLDOUT_PERCENT}`)
      .default(0),
    /** Health-related audience: only customers whose consent_column is true can be members. */
    sensitive: z.boolean().default(false),
    consent_column: z.string().min(1).optional(),
    /** By default only is_marketable customers are members; true lifts that (analysis segments only). */
    include_non_marketable: z.boolean().default(false),
    /** Extra columns synced as member properties (e.g. winback_stage). */
    properties: z.array(z.string().min(1)).default([]),
  })
  .superRefine((segment, ctx) => {
    if (segment.sensitive && !segment.consent_column)
      ctx.addIssue({
        code: 'custom',
        path: ['consent_column'],
        message:
          'a sensitive segment needs consent_column: the boolean column that records the opt-in (e.g. pregnancy_opt_in)',
      });
    if (segment.consent_column && !segment.sensitive)
      ctx.addIssue({
        code: 'custom',
        path: ['sensitive'],
        message: 'consent_column is only used with sensitive: true; add it or remove consent_column',
      });
    if (segment.priority_group && segment.priority === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['priority'],
        message: `a segment in priority_group '${segment.priority_group}' needs a priority (1 = first)`,
      });
    if (segment.exclude.includes(segment.name))
      ctx.addIssue({ code: 'custom', path: ['exclude'], message: 'a segment cannot exclude itself' });
    for (const ref of segmentRefs(segment.rules))
      if (ref.rule.segment === segment.name)
        ctx.addIssue({
          code: 'custom',
          path: [...ref.path.split('.'), 'segment'],
          message: `a segment cannot be built on itself; name another saved segment than ${segment.name}`,
        });
  });

export type SegmentDefinition = z.infer<typeof segmentDefinitionSchema>;
export type SegmentDefinitionInput = z.input<typeof segmentDefinitionSchema>;

/** One problem a user can fix: where (file, line, path in the YAML) and what is wrong / allowed. */
export interface SegmentProblem {
  file?: string;
  segment?: string;
  line?: number;
  column?: number;
  path: string;
  message: string;
}

export function formatProblem(problem: SegmentProblem): string {
  const where = problem.file
    ? `${problem.file}${problem.line ? `:${problem.line}${problem.column ? `:${problem.column}` : ''}` : ''}`
    : problem.segment
      ? `segment ${problem.segment}`
      : 'segment';
  return `${where}: ${problem.path || '(top level)'}: ${problem.message}`;
}

/**
 * A problem as it may leave the process (an API error's `details.problems`): the file by its name in the
 * segments folder (never a server path), and the message without e-mail addresses a rule's value may quote.
 */
export function problemForClient(problem: SegmentProblem): SegmentProblem {
  return {
    ...problem,
    ...(problem.file ? { file: basename(problem.file) } : {}),
    message: redactSecrets(problem.message),
  };
}

/** Problems sent as data: the rule builder shows each at its rule without reading the message. */
export const MAX_PROBLEMS_SENT = 200;

/** A segment definition (a file or the input of a call) that c360 cannot use. */
export class SegmentDefinitionError extends C360Error {
  override name = 'SegmentDefinitionError';
  constructor(readonly problems: SegmentProblem[]) {
    super(
      'INVALID_INPUT',
      problems.length === 1
        ? formatProblem(problems[0]!)
        : `${problems.length} problems in segment definitions:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
      { details: { problems: problems.slice(0, MAX_PROBLEMS_SENT).map(problemForClient) } },
    );
  }
}

export function pathToString(path: readonly PropertyKey[]): string {
  return path.map((key) => String(key)).join('.');
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** A segment read from a file (or given inline), with where it came from. */
export interface LoadedSegment {
  definition: SegmentDefinition;
  file?: string;
  /**
   * Where a path of the parsed definition is in the source: the path as written (a `rules:` list has no
   * `all` level) and its line, to point problems found later (unknown column) at the file.
   */
  locate?: (path: string) => { path: string; line?: number; column?: number };
}

/** Adds the file, the source path and the line to a problem found in a loaded segment. */
export function locateProblem(loaded: LoadedSegment, problem: SegmentProblem): SegmentProblem {
  return {
    ...problem,
    ...(loaded.file ? { file: loaded.file } : {}),
    ...loaded.locate?.(problem.path),
  };
}

/** Validates a definition given as data (API input of an unsaved segment). */
export function parseSegmentDefinition(input: unknown): LoadedSegment {
  const parsed = segmentDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    const name = isRecord(input) && typeof input.name === 'string' ? input.name : undefined;
    throw new SegmentDefinitionError(
      parsed.error.issues.map((issue) => ({
        segment: name,
        path: pathToString(issue.path),
        message: issue.message,
      })),
    );
  }
  return { definition: parsed.data };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value))
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Stable hash of what a definition means (key order and YAML formatting do not matter). */
export function definitionHash(definition: SegmentDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex').slice(0, 16);
}
