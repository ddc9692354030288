import type { Output } from './output.ts';

/** Documented exit codes (README "CLI"). */
export const EXIT = { ok: 0, failed: 1, usage: 2, blocked: 2 } as const;

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
