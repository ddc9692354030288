/**
 * Paces requests to one endpoint so that neither of Klaviyo's fixed windows (1 s burst, 60 s steady) is
 * exceeded: a sliding log of start times, which is stricter than fixed windows and so never trips them. The
 * server's word wins: `RateLimit-Remaining: 0` or a 429's `Retry-After` pauses the bucket until the reset.
 */
export class RequestPacer {
  private readonly starts: number[] = [];
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly burstPerSecond: number,
    private readonly steadyPerMinute: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Resolves when a request may start; callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** The server says no request before `ms` from now (Retry-After, or RateLimit-Reset with 0 remaining). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.starts.length && this.starts[0]! <= now - 60_000) this.starts.shift();
      let wait = Math.max(0, this.pausedUntil - now);
      if (this.starts.length >= this.steadyPerMinute) wait = Math.max(wait, this.starts[0]! + 60_000 - now);
      const inLastSecond = this.starts.filter((t) => t > now - 1000);
      if (inLastSecond.length >= this.burstPerSecond) wait = Math.max(wait, inLastSecond[0]! + 1000 - now);
      if (wait <= 0) {
        this.starts.push(now);
        return;
      }
      // A few ms of slack: the server's window edges and our clock are not the same clock.
      await this.sleep(wait + 5);
    }
  }
}
