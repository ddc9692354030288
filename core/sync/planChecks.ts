import { C360Error, type C360ErrorOptions } from '../errors.ts';
import type { KlaviyoAccount } from './klaviyo/client.ts';
import type { SyncPlan } from './plan.ts';

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
