/**
 * Logarithm of the absolute value of the gamma function, and its sign, for real arguments.
 *
 * Lanczos approximation (g = 7, 9 coefficients, as in Numerical Recipes / Boost's "lanczos9"), accurate to
 * about 1e-15 relative for positive arguments; negative arguments go through the reflection formula so the
 * hypergeometric connection formulas can use Γ of negative non-integers.
 */

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** sin(πx) with the argument reduced first, so large |x| keeps its precision and integers give exactly 0. */
export function sinPi(x: number): number {
  let reduced = x - 2 * Math.round(x / 2); // in [-1, 1]
  if (reduced === 0 || Math.abs(reduced) === 1) return 0;
  // sin(π(1 − r)) = sin(πr): folding onto [-1/2, 1/2] keeps arguments near ±1 exact relative to their distance.
  if (reduced > 0.5) reduced = 1 - reduced;
  else if (reduced < -0.5) reduced = -1 - reduced;
  return Math.sin(Math.PI * reduced);
}

/** ln|Γ(x)|; +Infinity at the poles (0, -1, -2, …). */
export function logAbsGamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (x < 0.5) {
    const s = sinPi(x);
    if (s === 0) return Number.POSITIVE_INFINITY;
    return Math.log(Math.PI) - Math.log(Math.abs(s)) - logAbsGamma(1 - x);
  }
  const y = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) {
    sum += (LANCZOS_COEFFICIENTS[i] as number) / (y + i);
  }
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Sign of Γ(x): +1 for x > 0, alternating between the poles for x < 0; 0 at the poles. */
export function gammaSign(x: number): -1 | 0 | 1 {
  if (x > 0) return 1;
  if (Number.isInteger(x)) return 0;
  // Γ is negative on (-1, 0), positive on (-2, -1), …
  return Math.floor(x) % 2 === 0 ? 1 : -1;
}
