import { C360Error, type C360ErrorOptions } from '../errors.ts';
import type { SyncKind } from './guardrails.ts';
import type { KlaviyoAccount } from './klaviyo/client.ts';
import { SYNC_KINDS, type PlanRequest, type SyncPlan } from './plan.ts';

/**
 * Why a saved, reviewed plan (`c360 sync --plan FILE`) is not applied. Both checks run before anything is sent:
 * a plan applies only to the account it names and only while it is exactly what would be sent now.
 */

/** The approved plan no longer matches what a sync would send now; nothing was sent. */
export class StalePlanError extends C360Error {
  override name = 'StalePlanError';
  constructor(message: string, options?: C360ErrorOptions) {
    super('SYNC_BLOCKED', message, options);
  }
}

/**
 * The saved plan names another Klaviyo account than the key's (or none): nothing was sent. A kind of stale plan,
 * so callers that stop on a stale plan stop on this one too.
 */
export class PlanAccountMismatchError extends StalePlanError {
  override name = 'PlanAccountMismatchError';
  constructor(
    message: string,
    readonly planAccount: KlaviyoAccount | null,
    readonly keyAccount: KlaviyoAccount,
    options?: C360ErrorOptions,
  ) {
    super(message, options);
  }
}

/** `"Brand" (id AbC123)`, or the id alone when the account has no organisation name. */
export function describeAccount(account: KlaviyoAccount): string {
  return account.name === null
    ? `the account with id ${account.id} (no organisation name)`
    : `"${account.name}" (id ${account.id})`;
}

/**
 * Refuses a saved plan that was made for another account than the one `keyEnv`'s key belongs to. The message
 * says what to do itself: the CLI prints a stale plan's message without the hint.
 */
export function checkPlanAccount(saved: SyncPlan, keyAccount: KlaviyoAccount, keyEnv: string): void {
  const planned = saved.account ?? null;
  if (planned?.id === keyAccount.id) return;
  const replan = '`c360 sync --dry-run --plan-out FILE`';
  if (planned === null)
    throw new PlanAccountMismatchError(
      `The plan ${saved.hash} (made ${saved.createdAt}) names no Klaviyo account: it was made without an API key ` +
        `or by an older c360, so it is not applied to ${describeAccount(keyAccount)}, the account of ${keyEnv}. ` +
        `Nothing was sent. Plan again with ${keyEnv} set (${replan}), review that plan and apply it.`,
      null,
      keyAccount,
    );
  throw new PlanAccountMismatchError(
    `The plan ${saved.hash} (made ${saved.createdAt}) was made for the Klaviyo account ${describeAccount(planned)}, ` +
      `but ${keyEnv} belongs to ${describeAccount(keyAccount)}. Nothing was sent.\n` +
      `To apply this plan, set ${keyEnv} to the private key of ${describeAccount(planned)}; ` +
      `to sync ${describeAccount(keyAccount)} instead, plan again with its key (${replan}) and apply that plan.`,
    planned,
    keyAccount,
  );
}

/** A saved plan given for another sync than it was made for (`c360 sync lists --plan <a profiles plan>`). */
export class PlanRequestMismatchError extends C360Error {
  override name = 'PlanRequestMismatchError';
  constructor(message: string, options?: C360ErrorOptions) {
    super('INVALID_INPUT', message, options);
  }
}

/** The command that makes a request: `c360 sync lists --segment a b`. */
export function commandFor(request: PlanRequest): string {
  const all = SYNC_KINDS.every((k) => request.syncs.includes(k));
  const kinds = all ? '' : ` ${request.syncs.join(' ')}`;
  const segments = request.segments?.length ? ` --segment ${request.segments.join(' ')}` : '';
  const retry = request.retryFailed
    ? ` --retry-failed${request.retryFailed.runId ? ` ${request.retryFailed.runId}` : ''}`
    : '';
  return `c360 sync${kinds}${segments}${retry}`;
}

function sameRequest(a: PlanRequest, b: PlanRequest): boolean {
  const key = (r: PlanRequest) =>
    JSON.stringify([
      [...new Set(r.syncs)].sort(),
      [...new Set(r.segments ?? [])].sort(),
      r.retryFailed ? (r.retryFailed.runId ?? '') : null,
    ]);
  return key(a) === key(b);
}

/**
 * What a run plans: the request as given, or, with a saved plan, the plan's own request. A saved plan applies
 * only to the sync it was made for: a request that names other syncs or segments is refused before anything is
 * read or sent. Given no syncs and no segments, a saved plan applies as it was made (`c360 sync --plan FILE`);
 * without a plan, no syncs means all of them.
 */
export function resolvePlanRequest(request: {
  syncs?: SyncKind[] | undefined;
  segments?: string[] | undefined;
  retryFailed?: { runId?: string | undefined } | undefined;
  plan?: SyncPlan | undefined;
}): PlanRequest {
  const { plan } = request;
  // `--retry-failed` without a run id next to a saved retry plan means that plan's run.
  const retryRun = request.retryFailed?.runId ?? plan?.request.retryFailed?.runId;
  const given = (syncs: SyncKind[]): PlanRequest => ({
    syncs,
    ...(request.segments?.length ? { segments: request.segments } : {}),
    ...(request.retryFailed ? { retryFailed: retryRun ? { runId: retryRun } : {} } : {}),
  });
  if (!plan) return given(request.syncs ?? [...SYNC_KINDS]);
  if (request.syncs === undefined && request.segments === undefined && request.retryFailed === undefined)
    return plan.request;
  const asked = given(request.syncs ?? plan.request.syncs);
  if (sameRequest(asked, plan.request)) return plan.request;
  throw new PlanRequestMismatchError(
    `The plan ${plan.hash} was made for \`${commandFor(plan.request)}\`, but this run asks for ` +
      `\`${commandFor(asked)}\`, so it is not applied: a plan applies only to the sync it was made for. ` +
      'Nothing was sent.\n' +
      `To apply the plan as it was made, run \`c360 sync --plan FILE\` (or \`${commandFor(plan.request)} --plan FILE\`); ` +
      `to run \`${commandFor(asked)}\`, plan it with \`${commandFor(asked)} --dry-run --plan-out FILE\`, review it and apply that file.`,
    { details: { planRequest: plan.request, request: asked } },
  );
}
