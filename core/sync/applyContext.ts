import type { SyncConfig } from './config.ts';
import type { SyncKind } from './guardrails.ts';
import type { KlaviyoClient } from './klaviyo/client.ts';
import { CallCancelledError, KlaviyoApiError, wasNotSent } from './klaviyo/errors.ts';
import type { DbQueue } from './state.ts';
import { C360Error } from '../errors.ts';

/** What every apply step gets: the serialised database, the paced client, progress and cancellation. */
export interface ApplyContext {
  q: DbQueue;
  client: KlaviyoClient;
  runId: string;
  config: SyncConfig;
  /** The build the plan was made on: a list's published snapshot is only recorded while it is still current. */
  buildRunId: string | null;
  progress(event: ApplyProgress): void;
  /** True once the run's signal aborted (or its caller's polled flag says so): start nothing new. */
  isCancelled(): boolean;
  /** Waits `ms`; throws SyncCancelledError at once when the run is cancelled meanwhile. */
  sleep(ms: number): Promise<void>;
  /**
   * The target being applied: rows sent and rows Klaviyo acknowledged (succeeded) or rejected (failed) so far.
   * The apply steps add to it as each answer is recorded, so the run record reads the truth from it also when
   * the apply stops on an error or a cancellation (a returned count would be lost with the throw).
   */
  tally: ApplyCounts;
}

export interface ApplyProgress {
  sync: SyncKind;
  target: string;
  done: number;
  total: number;
  message?: string;
}

/** Counts of one target's apply. */
export interface ApplyCounts {
  sent: number;
  succeeded: number;
  failed: number;
}

export function emptyTally(): ApplyCounts {
  return { sent: 0, succeeded: 0, failed: 0 };
}

/** Whether a failed call provably never left this process: cancelled before sending, or the host unreachable. */
export function neverSent(error: unknown): boolean {
  return error instanceof CallCancelledError || (error instanceof KlaviyoApiError && wasNotSent(error));
}

/** Counts `rows` as sent while `call` runs, and takes them back when the call provably never left. */
export async function sendCounted<T>(ctx: ApplyContext, rows: number, call: () => Promise<T>): Promise<T> {
  ctx.tally.sent += rows;
  try {
    return await call();
  } catch (error) {
    if (neverSent(error)) ctx.tally.sent -= rows;
    throw error;
  }
}

export class SyncCancelledError extends C360Error {
  override name = 'SyncCancelledError';
  constructor() {
    super(
      'CANCELLED',
      'The sync was cancelled; every acknowledged batch is saved and the next run continues from there.',
    );
  }
}

/**
 * Whether `error` is how a cancelled run stopped: a step that saw the cancellation (SyncCancelledError), a
 * Klaviyo call not sent (CallCancelledError), or a statement of the run interrupted by its signal.
 */
export function isCancellation(error: unknown): boolean {
  return error instanceof C360Error && (error.code === 'CANCELLED' || error.code === 'QUERY_CANCELLED');
}

/**
 * Runs `work` on items from `next` with at most `concurrency` in flight. `next` is called one at a time and
 * returns undefined when there is nothing left. The first error stops new work and is rethrown.
 */
export async function runPool<T>(
  concurrency: number,
  next: () => Promise<T | undefined>,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let failed: unknown;
  let taking: Promise<unknown> = Promise.resolve();
  const take = (): Promise<T | undefined> => {
    const result = taking.then(() => (failed === undefined ? next() : undefined));
    taking = result.catch(() => undefined);
    return result;
  };
  const worker = async () => {
    for (;;) {
      const item = await take();
      if (item === undefined) return;
      try {
        await work(item);
      } catch (error) {
        failed ??= error;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failed !== undefined) throw failed;
}

/**
 * Splits off the longest head of `rows` that fits in `limit` bytes (always at least one row): one request's
 * worth. The rest is carried into the next batch.
 */
export function splitAtBytes<T extends { bytes: number }>(rows: T[], limit: number): [T[], T[]] {
  let bytes = 0;
  let take = 0;
  while (take < rows.length && bytes + rows[take]!.bytes <= limit) bytes += rows[take++]!.bytes;
  take = Math.max(1, take);
  return [rows.slice(0, take), rows.slice(take)];
}
