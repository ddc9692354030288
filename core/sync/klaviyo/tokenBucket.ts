import { pause } from './pause.ts';

/**
 * Paces requests to one endpoint so that neither of Klaviyo's fixed windows (1 s burst, 60 s steady) is
 * exceeded: a sliding log of start times, which is stricter than fixed windows and so never trips them. The
 * server's word wins: `RateLimit-Remaining: 0` or a 429's `Retry-After` pauses the bucket until the reset.
 * A wait ends at once when the caller's signal aborts: a cancelled sync does not sit out a Retry-After.
 */
export class RequestPacer {
  private readonly starts: number[] = [];
  private pausedUntil = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly burstPerSecond: number,
    private readonly steadyPerMinute: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<boolean> = pause,
  ) {}

  /**
   * Resolves `true` when a request may start (callers are served in order), or `false` as soon as `signal`
   * aborts: the caller then must not send, and the slot is left to the callers behind it.
   */
  acquire(signal?: AbortSignal): Promise<boolean> {
    const turn = this.queue.then(() => this.waitForSlot(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** The server says no request before `ms` from now (Retry-After, or RateLimit-Reset with 0 remaining). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private async waitForSlot(signal: AbortSignal | undefined): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      const now = this.now();
      while (this.starts.length && this.starts[0]! <= now - 60_000) this.starts.shift();
      let wait = Math.max(0, this.pausedUntil - now);
      if (this.starts.length >= this.steadyPerMinute) wait = Math.max(wait, this.starts[0]! + 60_000 - now);
      const inLastSecond = this.starts.filter((t) => t > now - 1000);
      if (inLastSecond.length >= this.burstPerSecond) wait = Math.max(wait, inLastSecond[0]! + 1000 - now);
      if (wait <= 0) {
        this.starts.push(now);
        return true;
      }
      // A few ms of slack: the server's window edges and our clock are not the same clock.
      if (!(await this.sleep(wait + 5, signal))) return false;
    }
  }
}
