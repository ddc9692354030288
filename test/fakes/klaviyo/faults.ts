/**
 * Deterministic fault injection. Every request whose path matches `faults.paths` draws exactly two numbers
 * from a seeded mulberry32 stream (one for the exclusive outcome, one for `slow`), whatever the outcome, so
 * the same seed and the same request sequence always give the same faults. Per-profile job errors use a
 * second stream so that adding or removing a request fault does not reshuffle them.
 */
import type { FaultOptions, RequestFaultKind } from './types.ts';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultDecision {
  kind: RequestFaultKind | null;
  delayMs: number;
}

const EXCLUSIVE: readonly RequestFaultKind[] = [
  'drop',
  'dropAfterProcessing',
  'throttle429',
  'error500',
  'error503',
];

function checkShare(name: string, value: number | undefined): number {
  const share = value ?? 0;
  if (!(share >= 0 && share <= 1)) throw new Error(`faults.${name} must be between 0 and 1, got ${share}`);
  return share;
}

export class FaultInjector {
  private options: FaultOptions = {};
  private requestRandom: () => number = mulberry32(1);
  private profileRandom: () => number = mulberry32(2);
  private pathPattern: RegExp | null = null;
  private answersToDrop = 0;
  private dropPattern: RegExp | null = null;

  constructor(options: FaultOptions | undefined) {
    this.configure(options);
  }

  /** Replaces the whole fault configuration and restarts both PRNG streams from `seed` (default 1). */
  configure(options: FaultOptions | undefined): void {
    const next = { ...(options ?? {}) };
    const total = EXCLUSIVE.reduce((sum, kind) => sum + checkShare(kind, next[kind]), 0);
    if (total > 1 + 1e-9) throw new Error(`faults shares of ${EXCLUSIVE.join('/')} add up to ${total} > 1`);
    checkShare('slow', next.slow);
    checkShare('jobProfileErrors', next.jobProfileErrors);
    this.options = next;
    const seed = next.seed ?? 1;
    this.requestRandom = mulberry32(seed);
    this.profileRandom = mulberry32(seed ^ 0x5bd1e995);
    this.pathPattern = next.paths === undefined ? null : new RegExp(next.paths);
    this.answersToDrop = next.dropAnswers?.count ?? 0;
    this.dropPattern = next.dropAnswers ? new RegExp(next.dropAnswers.path) : null;
  }

  /** Whether this request's answer is one of the `dropAnswers` still to lose; counts it down if so. */
  dropsAnswer(method: string, path: string): boolean {
    const rule = this.options.dropAnswers;
    if (!rule || this.answersToDrop <= 0 || method !== rule.method.toUpperCase()) return false;
    if (!this.dropPattern?.test(path)) return false;
    this.answersToDrop--;
    return true;
  }

  get current(): Readonly<FaultOptions> {
    return this.options;
  }

  decide(path: string): FaultDecision {
    if (this.pathPattern && !this.pathPattern.test(path)) return { kind: null, delayMs: 0 };
    const outcome = this.requestRandom();
    const slow = this.requestRandom();
    let kind: RequestFaultKind | null = null;
    let edge = 0;
    for (const candidate of EXCLUSIVE) {
      edge += this.options[candidate] ?? 0;
      if (outcome < edge) {
        kind = candidate;
        break;
      }
    }
    const delayMs = slow < (this.options.slow ?? 0) ? (this.options.slowMs ?? 200) : 0;
    return { kind, delayMs };
  }

  /** Whether the next profile of a bulk import job fails with an injected transient error. */
  profileFails(): boolean {
    const share = this.options.jobProfileErrors ?? 0;
    return share > 0 && this.profileRandom() < share;
  }
}
