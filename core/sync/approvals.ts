import { userInfo } from 'node:os';
import type { Database } from '../db/duckdb.ts';
import type { GuardrailId, SyncKind, TargetPlan, TrippedGuardrail } from './guardrails.ts';
import type { PlanRequest, SyncPlan } from './plan.ts';
import { commandFor } from './planChecks.ts';

/**
 * Guardrail approvals (SPEC §7, issue 16 "Publish"): a tripped guardrail blocks only its own target until it is
 * approved. An approval names the guardrail (id, sync, target) and is bound to the plan it was given for: with
 * a reviewed plan, only the guardrails that plan shows can be approved (a stale plan is refused before this, so
 * it cannot be approved). Every approval a run uses is recorded in `c360.sync_approvals` with who and when.
 */

/** One guardrail to approve, as the plan names it. */
export interface GuardrailApproval {
  id: GuardrailId;
  sync: SyncKind;
  target: string;
}

/** An approval a run used: recorded in `c360.sync_approvals`. */
export interface RecordedApproval extends GuardrailApproval {
  planHash: string;
  /** The OS user of the process that ran the sync (for the API: the one that serves it). */
  approvedBy: string;
  approvedAt: string;
}

export interface ApprovalRequest {
  /** Approve every guardrail the plan trips (the CLI's `--approve`). */
  approve?: boolean | undefined;
  /** Approve only these. */
  approvals?: GuardrailApproval[] | undefined;
  /** The reviewed plan the approval was given for. */
  plan?: SyncPlan | undefined;
}

export interface GuardrailDecision {
  /** The tripped guardrails that are approved. */
  approved: TrippedGuardrail[];
  /** Per blocked target (`targetKey`): the messages of its unapproved guardrails. */
  blocked: Map<string, string>;
}

export function targetKey(t: { sync: SyncKind; target: string }): string {
  return `${t.sync}\u0000${t.target}`;
}

const sameGuardrail = (a: GuardrailApproval, b: GuardrailApproval) =>
  a.id === b.id && a.sync === b.sync && a.target === b.target;

/** Which of the plan's tripped guardrails are approved, and which targets stay blocked. */
export function decideGuardrails(plan: SyncPlan, request: ApprovalRequest): GuardrailDecision {
  // Bound to the reviewed plan: a guardrail it did not show (a resumed apply whose plan moved on) is not approved.
  const reviewed = (g: TrippedGuardrail) =>
    !request.plan || request.plan.guardrails.some((r) => sameGuardrail(r, g));
  const asked = (g: TrippedGuardrail) =>
    request.approve === true || (request.approvals ?? []).some((a) => sameGuardrail(a, g));
  const approved: TrippedGuardrail[] = [];
  const blocked = new Map<string, string>();
  for (const g of plan.guardrails) {
    if (asked(g) && reviewed(g)) {
      approved.push(g);
      continue;
    }
    const key = targetKey(g);
    const message = `${g.id}: ${g.message}`;
    blocked.set(key, blocked.has(key) ? `${blocked.get(key)}; ${message}` : message);
  }
  return { approved, blocked };
}

/** Every target of the plan is blocked (then the run writes nothing and is `blocked`). */
export function everyTargetBlocked(targets: TargetPlan[], blocked: Map<string, string>): boolean {
  return targets.length > 0 && targets.every((t) => blocked.has(targetKey(t)));
}

/**
 * What to tell the user about blocked targets: which, why, and how to approve them. Approving is named for the
 * CLI and the app alike (the guardrail's id, sync and target are what `approvals` takes).
 */
export function describeBlocked(
  targets: TargetPlan[],
  blocked: Map<string, string>,
  request: PlanRequest,
): string | null {
  const lines = targets
    .filter((t) => blocked.has(targetKey(t)))
    .map((t) => `  ${t.sync} ${t.target}: ${blocked.get(targetKey(t))}`);
  if (!lines.length) return null;
  const all = lines.length === targets.length;
  return [
    `Blocked by guardrails, not written${all ? '' : ' (the other targets were applied)'}:`,
    ...lines,
    `Review the plan and approve: \`${commandFor(request)} --approve\` (all its guardrails; with \`--plan FILE\` ` +
      "only that plan's), or Approve on the guardrail in the app's Publish page. Thresholds: sync.guardrails in " +
      'c360.config.yaml.',
  ].join('\n');
}

/** The OS user who approves: the user running this process. */
export function currentUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    // No passwd entry (some containers): the approval is still recorded, by an unknown user.
    return 'unknown';
  }
}

/** Records the approvals a run uses, bound to the plan hash it applies. */
export async function recordApprovals(
  db: Database,
  runId: string,
  planHash: string,
  approved: TrippedGuardrail[],
  now = new Date(),
): Promise<RecordedApproval[]> {
  const approvedBy = currentUser();
  const approvedAt = now.toISOString();
  const recorded = approved.map((g): RecordedApproval => ({
    id: g.id,
    sync: g.sync,
    target: g.target,
    planHash,
    approvedBy,
    approvedAt,
  }));
  for (const a of recorded)
    await db.run(`insert into c360.sync_approvals values ($1, $2, $3, $4, $5, $6::timestamp, $7)`, [
      a.planHash,
      a.id,
      a.sync,
      a.target,
      a.approvedBy,
      // UTC, as the ISO instant the outcome shows
      a.approvedAt.replace('T', ' ').replace('Z', ''),
      runId,
    ]);
  return recorded;
}
