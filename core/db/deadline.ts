import { QueryTimeoutError } from './interrupt.ts';

/** Deadline of interactive queries (previews, counts, lookups) unless c360.config.yaml sets `query_timeout_seconds`. */
export const DEFAULT_QUERY_TIMEOUT_SECONDS = 10;

/**
 * A signal that aborts after `seconds` with a `QueryTimeoutError` (whose message names the limit and the config
 * key), or earlier when `parent` aborts (a newer request, a closed window). The timer does not keep the process
 * alive.
 */
export function deadline(seconds: number, parent?: AbortSignal, during?: string): AbortSignal {
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(new QueryTimeoutError(seconds, during)), seconds * 1000);
  timeout.unref();
  // The timer is cleared as soon as the parent aborts, so a cancelled request leaves nothing behind.
  parent?.addEventListener('abort', () => clearTimeout(timeout), { once: true });
  return parent ? AbortSignal.any([parent, timer.signal]) : timer.signal;
}
