/**
 * Per-endpoint fixed windows, as Klaviyo documents them: a 1 s burst window and a 60 s steady window (plus a
 * daily quota where the spec declares one, e.g. 150 list creations a day). A window opens with the first
 * request after the previous one expired, so a test that fires burst+1 requests at once always sees a 429
 * regardless of where a wall-clock second boundary falls. Throttled requests do not use up quota.
 */
import type { RateLimitMode } from './types.ts';

interface WindowSpec {
  name: string;
  limit: number;
  windowMs: number;
}

interface WindowState {
  startMs: number;
  count: number;
}

export type RateDecision =
  { allowed: true; headers: Record<string, string> } | { allowed: false; retryAfterSeconds: number };

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseRate(text: string): { limit: number; windowMs: number } {
  const match = /^(\d+)\/([smhd])$/.exec(text);
  const unit = match?.[2];
  if (!match || !unit) throw new Error(`Unparseable rate limit ${JSON.stringify(text)}`);
  return { limit: Number(match[1]), windowMs: UNIT_MS[unit] ?? 1_000 };
}

export class RateLimiter {
  private readonly windows = new Map<string, WindowState>();

  constructor(private readonly mode: RateLimitMode) {}

  get enabled(): boolean {
    return this.mode !== 'off';
  }

  private specs(rateLimit: Record<string, string>): WindowSpec[] {
    const scale = typeof this.mode === 'object' ? this.mode.scale : 1;
    return Object.entries(rateLimit).map(([name, text]) => {
      const { limit, windowMs } = parseRate(text);
      // The daily quota is a business cap rather than throughput, so a speed-up scale leaves it alone.
      const scaled = name === 'daily' ? limit : Math.max(1, Math.round(limit * scale));
      return { name, limit: scaled, windowMs };
    });
  }

  check(key: string, rateLimit: Record<string, string>, nowMs: number): RateDecision {
    if (this.mode === 'off') return { allowed: true, headers: {} };
    const specs = this.specs(rateLimit);
    const states = specs.map((spec) => {
      const id = `${key}|${spec.name}`;
      let state = this.windows.get(id);
      if (!state || nowMs >= state.startMs + spec.windowMs) {
        state = { startMs: nowMs, count: 0 };
        this.windows.set(id, state);
      }
      return { spec, state };
    });
    let retryAfterSeconds = 0;
    for (const { spec, state } of states) {
      if (state.count >= spec.limit) {
        const waitMs = state.startMs + spec.windowMs - nowMs;
        retryAfterSeconds = Math.max(retryAfterSeconds, Math.max(1, Math.ceil(waitMs / 1000)));
      }
    }
    if (retryAfterSeconds > 0) return { allowed: false, retryAfterSeconds };
    for (const { state } of states) state.count += 1;
    const steady = states.find((s) => s.spec.name === 'steady') ?? states[0];
    if (!steady) return { allowed: true, headers: {} };
    const resetSeconds = Math.max(0, Math.ceil((steady.state.startMs + steady.spec.windowMs - nowMs) / 1000));
    return {
      allowed: true,
      headers: {
        'RateLimit-Limit': String(steady.spec.limit),
        'RateLimit-Remaining': String(Math.max(0, steady.spec.limit - steady.state.count)),
        'RateLimit-Reset': String(resetSeconds),
      },
    };
  }

  reset(): void {
    this.windows.clear();
  }
}
