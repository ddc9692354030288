import { quoteIdent, type Database } from '../db/duckdb.ts';
import { holdoutBucketExpression, SqlParams, type RuleNode, type StepKind } from './compiler.ts';
import {
  definitionHash,
  parseSegmentDefinition,
  SegmentDefinitionError,
  type LoadedSegment,
} from './definition.ts';
import { readOnlyWhen } from './expertSql.ts';
import { hasExpertRules } from './preview.ts';
import { compileInSet, type SegmentSet } from './segmentSet.ts';
import { listSnapshots, snapshotDefinition, snapshotMembership, type SnapshotSummary } from './snapshots.ts';
import { C360Error, type C360ErrorOptions } from '../errors.ts';

/**
 * Why a customer is in or out of a segment: every funnel step and every rule of the tree, evaluated for that
 * customer on the current dim_customers, with the column values the rules read. After a publish, also why
 * they entered or left since: the published definition is evaluated on today's data too, which tells a
 * changed definition from changed data.
 */

export interface RuleOutcome {
  path: string;
  label: string;
  kind: RuleNode['kind'];
  /** The saved segment an "in segment" rule reads: `holds` says whether the customer is on its list. */
  segment?: string;
  /** null: the rule has no value for this customer (a column is empty), which counts as not holding. */
  holds: boolean | null;
  values: Record<string, unknown>;
  children: RuleOutcome[];
}

export interface StepOutcome {
  kind: StepKind;
  label: string;
  path?: string;
  holds: boolean;
}

export interface Evaluation {
  member: boolean;
  eligible: boolean;
  steps: StepOutcome[];
  rules: RuleOutcome;
  /** First step that fails, or null for a member. */
  failedStep: StepOutcome | null;
}

export interface ChangeExplanation {
  snapshot: SnapshotSummary;
  wasMember: boolean;
  wasHoldout: boolean;
  change: 'entered' | 'left' | 'stayed_in' | 'stayed_out';
  /** definition: the segment's rules changed; data: the customer's data changed; unknown: cannot tell. */
  cause: 'definition' | 'data' | 'none' | 'unknown';
  /** With the published definition on today's data. */
  published: Evaluation | null;
  reason: string;
}

export interface Explanation extends Evaluation {
  segment: string;
  customerId: string;
  email: string | null;
  asOf: string;
  sinceLastSnapshot: ChangeExplanation | null;
}

export class CustomerNotFoundError extends C360Error {
  override name = 'CustomerNotFoundError';
  constructor(message: string, options?: C360ErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

/** Finds a customer by customer_id or (case-insensitive) email. */
export async function findCustomer(
  db: Database,
  set: SegmentSet,
  customer: string,
): Promise<{ customerId: string; email: string | null }> {
  const rows = await db.queryJson(
    `select customer_id, email from main.${quoteIdent(set.catalogue.table)}
     where customer_id = $1 or email = lower(trim($1)) order by customer_id = $1 desc limit 2`,
    [customer],
  );
  const [row] = rows;
  if (!row)
    throw new CustomerNotFoundError(`No customer with id or email '${customer}' in ${set.catalogue.table}.`);
  return { customerId: String(row.customer_id), email: row.email === null ? null : String(row.email) };
}

function flatten(node: RuleNode): RuleNode[] {
  return [node, ...node.children.flatMap(flatten)];
}

/** Evaluates every step and rule of a segment for one customer. */
export async function evaluateCustomer(
  db: Database,
  set: SegmentSet,
  target: LoadedSegment,
  customerId: string,
): Promise<Evaluation> {
  const params = new SqlParams();
  const compiled = compileInSet(set, target, {
    params,
    holdoutBucketSql: holdoutBucketExpression('customer_id'),
  });
  const nodes = flatten(compiled.rules);
  const columns = [...new Set(nodes.flatMap((n) => n.columns))];
  const id = `$${params.values.length + 1}`;
  const select = [
    ...compiled.steps.map((s, i) => `${s.sql} as s${i}`),
    ...nodes.map((n, i) => `(${n.sql}) as r${i}`),
    ...columns.map((c, i) => `${quoteIdent(c)} as c${i}`),
  ];
  const [row] = await readOnlyWhen(db, hasExpertRules(compiled), () =>
    db.queryJson(
      `select ${select.join(', ')} from main.${quoteIdent(set.catalogue.table)} where customer_id = ${id}`,
      [...params.values, customerId],
    ),
  );
  if (!row) throw new CustomerNotFoundError(`No customer '${customerId}' in ${set.catalogue.table}.`);
  const valueOf = new Map(columns.map((c, i) => [c, row[`c${i}`]]));
  const outcome = new Map(nodes.map((n, i) => [n, row[`r${i}`] === null ? null : row[`r${i}`] === true]));
  const toOutcome = (node: RuleNode): RuleOutcome => ({
    path: node.path,
    label: node.label,
    kind: node.kind,
    ...(node.segment ? { segment: node.segment } : {}),
    holds: outcome.get(node) ?? null,
    values: Object.fromEntries(node.columns.map((c) => [c, valueOf.get(c) ?? null])),
    children: node.children.map(toOutcome),
  });
  const steps: StepOutcome[] = compiled.steps.map((s, i) => ({
    kind: s.kind,
    label: s.label,
    ...(s.path ? { path: s.path } : {}),
    holds: row[`s${i}`] === true,
  }));
  const failedStep = steps.find((s) => !s.holds) ?? null;
  return {
    member: failedStep === null,
    eligible: steps.every((s) => s.holds || s.kind === 'holdout'),
    steps,
    rules: toOutcome(compiled.rules),
    failedStep,
  };
}

function describeFailure(evaluation: Evaluation): string {
  const failed = evaluation.steps.filter((s) => !s.holds).map((s) => s.label);
  return failed.length ? failed.join('; ') : 'every rule holds';
}

async function explainChange(
  db: Database,
  set: SegmentSet,
  target: LoadedSegment,
  customerId: string,
  now: Evaluation,
): Promise<ChangeExplanation | null> {
  const [snapshot] = await listSnapshots(db, target.definition.name);
  if (!snapshot) return null;
  const was = await snapshotMembership(db, snapshot.snapshotId, customerId);
  const change = was.member ? (now.member ? 'stayed_in' : 'left') : now.member ? 'entered' : 'stayed_out';
  const sameDefinition = snapshot.definitionHash === definitionHash(target.definition);
  let published: Evaluation | null = null;
  if (sameDefinition) published = now;
  else {
    try {
      const loaded = parseSegmentDefinition(await snapshotDefinition(db, snapshot.snapshotId));
      published = await evaluateCustomer(db, set, loaded, customerId);
    } catch (error) {
      if (!(error instanceof SegmentDefinitionError)) throw error;
    }
  }
  const base = { snapshot, wasMember: was.member, wasHoldout: was.holdout, change, published } as const;
  if (change === 'stayed_in' || change === 'stayed_out')
    return {
      ...base,
      cause: 'none',
      reason: `${change === 'stayed_in' ? 'a member' : 'not a member'} then and now`,
    };
  if (!published)
    return {
      ...base,
      cause: 'unknown',
      reason: 'the published definition no longer compiles; the cause cannot be told',
    };
  const since = `since the snapshot of ${snapshot.takenAt} (as_of ${snapshot.asOf})`;
  if (change === 'entered') {
    if (published.member)
      return {
        ...base,
        cause: 'data',
        reason: `entered ${since}: their data changed; today they pass every step of the published definition as well`,
      };
    return {
      ...base,
      cause: 'definition',
      reason: `entered ${since}: the definition changed; the published one still excludes them (${describeFailure(published)})`,
    };
  }
  if (published.member)
    return {
      ...base,
      cause: 'definition',
      reason: `left ${since}: the definition changed; the published one would still include them, the current one fails at ${describeFailure(now)}`,
    };
  return {
    ...base,
    cause: 'data',
    reason: `left ${since}: their data changed; the published definition now fails at ${describeFailure(published)}`,
  };
}

/** Which rules hold and fail for a customer, and why they entered or left since the last snapshot. */
export async function explainCustomer(
  db: Database,
  set: SegmentSet,
  target: LoadedSegment,
  customer: string,
): Promise<Explanation> {
  const found = await findCustomer(db, set, customer);
  const now = await evaluateCustomer(db, set, target, found.customerId);
  return {
    segment: target.definition.name,
    ...found,
    asOf: set.catalogue.asOf,
    ...now,
    sinceLastSnapshot: await explainChange(db, set, target, found.customerId, now),
  };
}
