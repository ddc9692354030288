import { hyp2f1Log } from './hypergeometric.ts';
import type { ParetoNbdParams } from './paretoNbd.ts';

/**
 * The Pareto/NBD dropout integral's antiderivative F(t), the one special function the model needs (for the
 * likelihood and P(alive)), evaluated fast enough to run once per distinct (x, t) and likelihood evaluation.
 */

/** Beyond this argument the series below needs too many terms; the general 2F1 takes over. */
const SERIES_MAX_Z = 0.95;
const SERIES_EPSILON = 1e-16;
/** z ≤ 0.95 needs at most ~800 terms; the cap only guards against inputs the checks above missed. */
const SERIES_MAX_TERMS = 10_000;

/**
 * ln F(t) with F(t) = (r+s+x) ∫_t^∞ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ, the antiderivative behind Fader & Hardie's
 * (2005) A₀ = F(t_x) − F(T) (their eq. 19–20):
 *   α ≥ β: F(t) = 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+t)) / (α+t)^(r+s+x)
 *   α < β: F(t) = 2F1(r+s+x, r+x; r+s+x+1; (β−α)/(β+t)) / (β+t)^(r+s+x)
 * The branch keeps the argument z in [0, 1). Euler's transformation turns both into the positive series
 * G(z) = 2F1(1, q; r+s+x+1; z) = Σ (q)_n / (r+s+x+1)_n zⁿ (q = r+x for α ≥ β, s+1 for α < β):
 *   α ≥ β: F(t) = G(z) (α+t)^−(r+x) (β+t)^−s,   α < β: F(t) = G(z) (α+t)^(1−r−x) (β+t)^−(s+1),
 * whose terms shrink at least like zⁿ and never cancel, and whose coefficients depend only on x, so they are
 * computed once per frequency and reused for every t. Powers stay in log space (large T or x neither overflow
 * nor underflow); for z > SERIES_MAX_Z the general hyp2f1Log (connection formula near 1) is used instead.
 * One evaluator per parameter set; it memoises F(0), which every one-time buyer shares.
 */
export class TailEvaluator {
  private readonly coefficientsByX = new Map<number, number[]>();
  private readonly atZero = new Map<number, number>();
  constructor(private readonly params: ParetoNbdParams) {}

  /** ln F(t) for frequency x; NaN if it cannot be evaluated (e.g. a negative or NaN frequency). */
  logTail(x: number, t: number): number {
    if (t === 0) {
      let value = this.atZero.get(x);
      if (value === undefined) {
        value = this.compute(x, 0);
        this.atZero.set(x, value);
      }
      return value;
    }
    return this.compute(x, t);
  }

  private compute(x: number, t: number): number {
    const { r, alpha, s, beta } = this.params;
    const alphaLarger = alpha >= beta;
    const larger = (alphaLarger ? alpha : beta) + t;
    const z = Math.abs(alpha - beta) / larger;
    if (!(z >= 0)) return Number.NaN;
    const logPowers = alphaLarger
      ? -(r + x) * Math.log(alpha + t) - s * Math.log(beta + t)
      : (1 - r - x) * Math.log(alpha + t) - (s + 1) * Math.log(beta + t);
    // Also rejects NaN or negative inputs, which would otherwise never meet the series' stopping rule.
    if (!(r + x > 0 && s > 0)) return Number.NaN;
    if (z > SERIES_MAX_Z) {
      const a = r + s + x;
      const hyp = hyp2f1Log(a, alphaLarger ? s + 1 : r + x, a + 1, z);
      return hyp.sign === 1 ? hyp.logAbs - a * Math.log(larger) : Number.NaN;
    }
    return Math.log(this.series(x, alphaLarger ? r + x : s + 1, r + s + x + 1, z)) + logPowers;
  }

  /** G(z); the remaining tail after a term is at most term · z / (1 − z), as the term ratio stays below z. */
  private series(x: number, q: number, c: number, z: number): number {
    let coefficients = this.coefficientsByX.get(x);
    if (coefficients === undefined) {
      coefficients = [1];
      this.coefficientsByX.set(x, coefficients);
    }
    const tailFactor = z / (1 - z);
    let sum = 1;
    let power = 1;
    for (let n = 1; n < SERIES_MAX_TERMS; n++) {
      if (n >= coefficients.length) {
        coefficients.push(((coefficients[n - 1] as number) * (q + n - 1)) / (c + n - 1));
      }
      power *= z;
      const term = (coefficients[n] as number) * power;
      sum += term;
      if (term * tailFactor <= SERIES_EPSILON * sum) return sum;
    }
    return Number.NaN;
  }
}
