import { VarError } from '../models/vars.ts';
import type { Output } from './output.ts';

/** Documented exit codes (README "CLI"). */
export const EXIT = { ok: 0, failed: 1, usage: 2, blocked: 2 } as const;

export interface GlobalOptions {
  workspace?: string;
  json: boolean;
}

export function parseVars(pairs: string[] | undefined): Record<string, string | number | boolean> {
  const vars: Record<string, string | number | boolean> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new VarError([
        {
          name: pair,
          source: '--var',
          message: `expected name=value, e.g. --var lifecycle_active_days=45 (variables: sql/vars.yml)`,
        },
      ]);
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    vars[name] =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw !== '' && Number.isFinite(Number(raw))
            ? Number(raw)
            : raw;
  }
  return vars;
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
