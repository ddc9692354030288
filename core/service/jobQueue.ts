import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import { C360Error } from '../errors.ts';

/** What holds the workspace's writer: one job at a time, in the order they were asked for. */
export const JOB_KINDS = ['build', 'load', 'demo', 'snapshot', 'sync', 'sync-state', 'config'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface JobInfo {
  id: string;
  kind: JobKind;
  /** ISO time the job started running (not when it was queued). */
  startedAt: string;
}

/** Why a queued job never ran: its caller cancelled it, or the workspace closed (code CANCELLED). */
export class JobCancelledError extends C360Error {
  override name = 'JobCancelledError';
  declare readonly code: 'CANCELLED';
  constructor(message: string) {
    super('CANCELLED', message);
  }
}

function cancelledBeforeStart(kind: JobKind, signal: AbortSignal): JobCancelledError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? ` (${reason.message})` : '';
  return new JobCancelledError(
    `the ${kind} job was cancelled before it started${why}; nothing was changed, start it again when needed`,
  );
}

/**
 * The writer's FIFO queue (p-queue, concurrency 1). Every job gets a signal that aborts when its caller's signal
 * aborts or the queue closes; a job aborted while it waits never starts, a running job decides itself how to
 * stop (interrupting its statements, finishing the batch it sent).
 */
export class JobQueue {
  private readonly queue = new PQueue({ concurrency: 1 });
  private readonly closing = new AbortController();
  private running: JobInfo | undefined;

  current(): JobInfo | undefined {
    return this.running ? { ...this.running } : undefined;
  }

  /** Jobs waiting behind the running one. */
  get waiting(): number {
    return this.queue.size;
  }

  add<T>(
    kind: JobKind,
    work: (job: { id: string; signal: AbortSignal }) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    // The job's own signal (listeners its work adds go away with it), aborted by its caller or by closing.
    const jobSignal = AbortSignal.any([this.closing.signal, ...(signal ? [signal] : [])]);
    if (jobSignal.aborted) return Promise.reject(cancelledBeforeStart(kind, jobSignal));
    const id = randomUUID();
    // Not p-queue's own signal option: it rejects the caller as soon as the signal aborts, also while the job
    // still runs (and cleans up) on the writer. Here a running job settles the call itself.
    return new Promise<T>((resolve, reject) => {
      let started = false;
      const onAbort = () => {
        if (!started) reject(cancelledBeforeStart(kind, jobSignal));
      };
      jobSignal.addEventListener('abort', onAbort, { once: true });
      void this.queue.add(async () => {
        if (jobSignal.aborted) return; // rejected when it was aborted; never starts
        started = true;
        this.running = { id, kind, startedAt: new Date().toISOString() };
        try {
          resolve(await work({ id, signal: jobSignal }));
        } catch (error) {
          reject(error);
        } finally {
          this.running = undefined;
          jobSignal.removeEventListener('abort', onAbort);
        }
      });
    });
  }

  /** Aborts the running job and every queued one, and waits until the running one has stopped. */
  async close(reason: string): Promise<void> {
    this.closing.abort(new Error(reason));
    this.queue.clear();
    await this.queue.onIdle();
  }
}
