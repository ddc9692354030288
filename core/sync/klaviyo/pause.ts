/**
 * Waiting that a cancelled sync cuts short: resolves `true` after `ms`, or `false` at once when `signal` aborts
 * (also when it had aborted already). It never rejects, so a caller decides itself what a cancelled wait means
 * (the pacer gives up its turn, the client starts no new call).
 */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
