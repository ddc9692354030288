import type { Output } from './output.ts';

/** Documented exit codes (README "CLI"). */
export const EXIT = { ok: 0, failed: 1, usage: 2, blocked: 2 } as const;

export interface GlobalOptions {
  workspace?: string;
  json: boolean;
}

/** First Ctrl-C asks the running work to stop cleanly; a second one exits at once. */
export function cancelOnSigint(out: Output): { isCancelled: () => boolean } {
  let cancelled = false;
  process.on('SIGINT', () => {
    if (cancelled) process.exit(130);
    cancelled = true;
    out.warn('cancelling after the current step (press Ctrl-C again to exit immediately)');
  });
  return { isCancelled: () => cancelled };
}
