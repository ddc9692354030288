import { ERROR_CODES } from '../errorCodes.ts';
import type { Output } from './output.ts';

/**
 * Exit codes of outcomes that are not thrown errors (a build with a failed model, a sync a guardrail refused).
 * They are the exit codes of the matching ERROR_CODES, so a command exits the same whether it reports an
 * outcome or throws; thrown errors get theirs from the table in main.ts. README "Exit codes" lists them.
 */
export const EXIT = {
  ok: 0,
  failed: ERROR_CODES.BUILD_FAILED.exit,
  usage: ERROR_CODES.INVALID_INPUT.exit,
  blocked: ERROR_CODES.SYNC_BLOCKED.exit,
  workspaceBusy: ERROR_CODES.WORKSPACE_LOCKED.exit,
} as const;

export interface GlobalOptions {
  workspace?: string;
  json: boolean;
}

/**
 * First Ctrl-C asks the running work to stop cleanly (its signal aborts: running queries are interrupted, a
 * queued job never starts; work that polls sees `isCancelled`); a second one exits at once.
 */
export function cancelOnSigint(out: Output): { isCancelled: () => boolean; signal: AbortSignal } {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error('cancelled with Ctrl-C'));
    out.warn('cancelling after the current step (press Ctrl-C again to exit immediately)');
  });
  return { isCancelled: () => controller.signal.aborted, signal: controller.signal };
}
