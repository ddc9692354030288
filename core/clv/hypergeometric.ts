import { gammaSign, logAbsGamma } from './logGamma.ts';

/**
 * Gauss hypergeometric function 2F1(a, b; c; z) for real parameters and real z ≤ 1.
 *
 * The Pareto/NBD likelihood and P(alive) need 2F1 at z = |α − β| / (max(α, β) + t), which approaches 1 when
 * one of α, β is much smaller than the other, with parameters growing with the customer's frequency (the
 * model uses its own positive series below z = 0.95 and this function beyond). A plain power series is then
 * slow or overflows, so several representations are tried:
 * - the power series, or Euler's transformation (1 − z)^(c−a−b) 2F1(c−a, c−b; c; z), whose terms decay like
 *   n^(c−a−b−1) instead of growing like n^(a+b−c−1) when c − a − b < 0 (the `lifetimes` library's fallback);
 * - near z = 1, the connection formula onto 1 − z (Abramowitz & Stegun 15.3.6), interpolated across integer
 *   c − a − b where its two terms have cancelling poles;
 * - for z < 0, Pfaff's transformation onto (0, 1).
 * Each evaluation reports how much cancellation it suffered (largest term / result); the first one that lost
 * fewer than ~5 digits is used, else the best one. Values are carried as signed logarithms, so results like
 * (1 − z)^(−500) neither overflow nor underflow.
 */

export interface SignedLog {
  /** ln|value|; −Infinity for 0. */
  logAbs: number;
  sign: -1 | 0 | 1;
}

interface Evaluation {
  value: SignedLog;
  /** ln(largest intermediate magnitude / |value|): the digits lost to cancellation, in nats. */
  logCondition: number;
}

const EPSILON = 1e-16;
const MAX_TERMS = 200_000;
/** Above this z the connection formula onto 1 − z is tried first. */
const CONNECTION_Z = 0.9;
/** For |c − a − b| beyond this the series in z converges fast enough even near 1 (tail ~ n^(−|c−a−b|)). */
const CONNECTION_MAX_ABS_S = 6;
/** Within this distance of an integer, c − a − b is interpolated from four neighbouring values of c. */
const INTEGER_S_WINDOW = 2.5e-4;
/** Accept an evaluation that lost at most this many nats (~5 decimal digits) to cancellation. */
const ACCEPTABLE_LOG_CONDITION = Math.log(1e5);
const RESCALE = 1e200;
const LOG_RESCALE = Math.log(RESCALE);

const NAN_LOG: SignedLog = { logAbs: Number.NaN, sign: 0 };
const ZERO_LOG: SignedLog = { logAbs: Number.NEGATIVE_INFINITY, sign: 0 };

function isNonPositiveInteger(value: number): boolean {
  return value <= 0 && Number.isInteger(value);
}

function signOf(value: number): -1 | 0 | 1 {
  return value > 0 ? 1 : value < 0 ? -1 : 0;
}

function multiplySigns(...signs: (-1 | 0 | 1)[]): -1 | 0 | 1 {
  let product = 1;
  for (const s of signs) product *= s;
  return signOf(product);
}

function isUsable(evaluation: Evaluation | null): evaluation is Evaluation {
  return (
    evaluation !== null && !Number.isNaN(evaluation.value.logAbs) && !Number.isNaN(evaluation.logCondition)
  );
}

/** Sum of two signed logarithms, without leaving log space. */
export function addSignedLogs(x: SignedLog, y: SignedLog): SignedLog {
  if (Number.isNaN(x.logAbs) || Number.isNaN(y.logAbs)) return NAN_LOG;
  if (x.sign === 0) return y;
  if (y.sign === 0) return x;
  const big = x.logAbs >= y.logAbs ? x : y;
  const small = big === x ? y : x;
  const ratio = Math.exp(small.logAbs - big.logAbs);
  if (big.sign === small.sign) return { logAbs: big.logAbs + Math.log1p(ratio), sign: big.sign };
  if (ratio === 1) return ZERO_LOG;
  return { logAbs: big.logAbs + Math.log1p(-ratio), sign: big.sign };
}

/** A finished partial sum, its rescaling undone, with how much cancellation it went through. */
function seriesResult(sum: number, logScale: number, maxTerm: number): Evaluation {
  if (sum === 0) return { value: ZERO_LOG, logCondition: Number.POSITIVE_INFINITY };
  return {
    value: { logAbs: Math.log(Math.abs(sum)) + logScale, sign: signOf(sum) },
    logCondition: Math.log(maxTerm / Math.abs(sum)),
  };
}

/**
 * The defining power series Σ (a)_n (b)_n / ((c)_n n!) z^n, for |z| < 1 (or terminating).
 * Stops once the geometric bound on the remaining tail is below EPSILON of the sum.
 */
function powerSeries(a: number, b: number, c: number, z: number): Evaluation | null {
  let sum = 1;
  let term = 1;
  let maxTerm = 1;
  let logScale = 0;
  const absZ = Math.abs(z);
  for (let n = 0; n < MAX_TERMS; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    if (term === 0) return seriesResult(sum, logScale, maxTerm);
    sum += term;
    if (!Number.isFinite(sum)) return null;
    const absTerm = Math.abs(term);
    if (absTerm > maxTerm) maxTerm = absTerm;
    const bound = Math.max(Math.abs(ratio), absZ);
    if (n >= 1 && bound < 1 && (absTerm * bound) / (1 - bound) <= EPSILON * Math.abs(sum)) {
      return seriesResult(sum, logScale, maxTerm);
    }
    if (maxTerm > RESCALE) {
      sum /= RESCALE;
      term /= RESCALE;
      maxTerm /= RESCALE;
      logScale += LOG_RESCALE;
    }
  }
  return null;
}

/** Euler's transformation: (1 − z)^(c−a−b) 2F1(c − a, c − b; c; z). */
function eulerSeries(a: number, b: number, c: number, z: number): Evaluation | null {
  const inner = powerSeries(c - a, c - b, c, z);
  if (!isUsable(inner)) return null;
  return {
    value: { logAbs: inner.value.logAbs + (c - a - b) * Math.log1p(-z), sign: inner.value.sign },
    logCondition: inner.logCondition,
  };
}

/** A&S 15.3.6, valid for non-integer s = c − a − b and 0 < z < 1. */
function connectionFormula(a: number, b: number, c: number, z: number): Evaluation | null {
  const s = c - a - b;
  const w = 1 - z;
  let first: SignedLog = ZERO_LOG;
  let firstMagnitude = Number.NEGATIVE_INFINITY;
  if (gammaSign(c - a) !== 0 && gammaSign(c - b) !== 0) {
    const series = powerSeries(a, b, 1 - s, w);
    if (!isUsable(series)) return null;
    first = {
      logAbs: logAbsGamma(c) + logAbsGamma(s) - logAbsGamma(c - a) - logAbsGamma(c - b) + series.value.logAbs,
      sign: multiplySigns(gammaSign(c), gammaSign(s), gammaSign(c - a), gammaSign(c - b), series.value.sign),
    };
    firstMagnitude = first.logAbs + series.logCondition;
  }
  let second: SignedLog = ZERO_LOG;
  let secondMagnitude = Number.NEGATIVE_INFINITY;
  if (gammaSign(a) !== 0 && gammaSign(b) !== 0) {
    const series = powerSeries(c - a, c - b, 1 + s, w);
    if (!isUsable(series)) return null;
    second = {
      logAbs:
        s * Math.log1p(-z) +
        logAbsGamma(c) +
        logAbsGamma(-s) -
        logAbsGamma(a) -
        logAbsGamma(b) +
        series.value.logAbs,
      sign: multiplySigns(gammaSign(c), gammaSign(-s), gammaSign(a), gammaSign(b), series.value.sign),
    };
    secondMagnitude = second.logAbs + series.logCondition;
  }
  const value = addSignedLogs(first, second);
  if (value.sign === 0) return null;
  return { value, logCondition: Math.max(firstMagnitude, secondMagnitude) - value.logAbs };
}

/**
 * The connection formula, or, within INTEGER_S_WINDOW of integer c − a − b, a cubic through its values at
 * c ± δ and c ± 2δ (2F1 is analytic in c; only the formula's two terms blow up there).
 */
function nearOne(a: number, b: number, c: number, z: number): Evaluation | null {
  const s = c - a - b;
  const nearestInteger = Math.round(s);
  const offset = s - nearestInteger;
  if (Math.abs(offset) >= INTEGER_S_WINDOW) return connectionFormula(a, b, c, z);
  const delta = INTEGER_S_WINDOW;
  const nodes = [-2 * delta, -delta, delta, 2 * delta];
  const evaluations = nodes.map((node) => connectionFormula(a, b, a + b + nearestInteger + node, z));
  if (!evaluations.every(isUsable)) return null;
  const usable = evaluations as Evaluation[];
  const reference = Math.max(...usable.map((e) => e.value.logAbs));
  let value = 0;
  for (let i = 0; i < nodes.length; i++) {
    let weight = 1;
    for (let j = 0; j < nodes.length; j++) {
      if (j !== i) weight *= (offset - (nodes[j] as number)) / ((nodes[i] as number) - (nodes[j] as number));
    }
    const e = usable[i] as Evaluation;
    value += weight * e.value.sign * Math.exp(e.value.logAbs - reference);
  }
  if (value === 0 || !Number.isFinite(value)) return null;
  const logAbs = Math.log(Math.abs(value)) + reference;
  const logCondition = Math.max(...usable.map((e) => e.value.logAbs + e.logCondition)) - logAbs;
  return { value: { logAbs, sign: signOf(value) }, logCondition };
}

const enum Method {
  Direct,
  Euler,
  Connection,
  /** Pfaff's transformation for z < 0, with a or with b in front (both are valid). */
  PfaffA,
  PfaffB,
}

// Orders of preference; static so the hot path allocates no closures or arrays.
const NEGATIVE_S_IN_Z: readonly Method[] = [Method.Euler, Method.Direct];
const NEGATIVE_S_IN_Z_THEN_CONNECTION: readonly Method[] = [Method.Euler, Method.Direct, Method.Connection];
const POSITIVE_S_IN_Z: readonly Method[] = [Method.Direct, Method.Euler];
const POSITIVE_S_IN_Z_THEN_CONNECTION: readonly Method[] = [Method.Direct, Method.Euler, Method.Connection];
const CONNECTION_FIRST_NEGATIVE_S: readonly Method[] = [Method.Connection, Method.Euler, Method.Direct];
const CONNECTION_FIRST_POSITIVE_S: readonly Method[] = [Method.Connection, Method.Direct, Method.Euler];
const NEAR_ZERO_NEGATIVE_Z: readonly Method[] = [Method.Direct, Method.PfaffA, Method.PfaffB];
const FAR_NEGATIVE_Z: readonly Method[] = [Method.PfaffA, Method.PfaffB];

function scaled(inner: Evaluation | null, logFactor: number): Evaluation | null {
  if (!isUsable(inner)) return null;
  return {
    value: { logAbs: inner.value.logAbs + logFactor, sign: inner.value.sign },
    logCondition: inner.logCondition,
  };
}

function evaluateWith(method: Method, a: number, b: number, c: number, z: number): Evaluation | null {
  switch (method) {
    case Method.Direct:
      return powerSeries(a, b, c, z);
    case Method.Euler:
      return eulerSeries(a, b, c, z);
    case Method.Connection:
      return nearOne(a, b, c, z);
    case Method.PfaffA:
      // 2F1(a, b; c; z) = (1 − z)^(−a) 2F1(a, c − b; c; z / (z − 1)), whose argument lies in (0, 1).
      return scaled(evaluateUnitInterval(a, c - b, c, z / (z - 1)), -a * Math.log1p(-z));
    case Method.PfaffB:
      return scaled(evaluateUnitInterval(b, c - a, c, z / (z - 1)), -b * Math.log1p(-z));
  }
}

/** Tries the representations in order; returns the first well-conditioned one, else the least bad. */
function firstWellConditioned(
  methods: readonly Method[],
  a: number,
  b: number,
  c: number,
  z: number,
): Evaluation | null {
  let best: Evaluation | null = null;
  for (const method of methods) {
    const evaluation = evaluateWith(method, a, b, c, z);
    if (!isUsable(evaluation)) continue;
    if (evaluation.logCondition <= ACCEPTABLE_LOG_CONDITION) return evaluation;
    if (best === null || evaluation.logCondition < best.logCondition) best = evaluation;
  }
  return best;
}

function evaluateUnitInterval(a: number, b: number, c: number, z: number): Evaluation | null {
  const s = c - a - b;
  let methods: readonly Method[];
  if (z <= CONNECTION_Z || Math.abs(s) >= CONNECTION_MAX_ABS_S) {
    if (s < 0) methods = z > 0.5 ? NEGATIVE_S_IN_Z_THEN_CONNECTION : NEGATIVE_S_IN_Z;
    else methods = z > 0.5 ? POSITIVE_S_IN_Z_THEN_CONNECTION : POSITIVE_S_IN_Z;
  } else {
    methods = s < 0 ? CONNECTION_FIRST_NEGATIVE_S : CONNECTION_FIRST_POSITIVE_S;
  }
  return firstWellConditioned(methods, a, b, c, z);
}

/**
 * ln|2F1(a, b; c; z)| and its sign, for real a, b, c and z ≤ 1. The logAbs is NaN when the value is not
 * defined (z > 1, c a non-positive integer without an earlier terminating numerator, divergence at z = 1) or
 * no representation converged.
 */
export function hyp2f1Log(a: number, b: number, c: number, z: number): SignedLog {
  if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && Number.isFinite(z)) || z > 1)
    return NAN_LOG;
  if (z === 0 || a === 0 || b === 0) return { logAbs: 0, sign: 1 };
  const terminates = isNonPositiveInteger(a) || isNonPositiveInteger(b);
  if (isNonPositiveInteger(c)) {
    const degree = Math.min(isNonPositiveInteger(a) ? -a : Infinity, isNonPositiveInteger(b) ? -b : Infinity);
    // The series only makes sense when it stops before (c)_n hits zero.
    if (!(degree < -c)) return NAN_LOG;
  }
  if (terminates) return powerSeries(a, b, c, z)?.value ?? NAN_LOG;

  if (z < 0) {
    return firstWellConditioned(z > -1 ? NEAR_ZERO_NEGATIVE_Z : FAR_NEGATIVE_Z, a, b, c, z)?.value ?? NAN_LOG;
  }

  const s = c - a - b;
  if (z === 1) {
    // Gauss's summation theorem; diverges unless c − a − b > 0.
    if (!(s > 0)) return NAN_LOG;
    if (gammaSign(c - a) === 0 || gammaSign(c - b) === 0) return ZERO_LOG;
    return {
      logAbs: logAbsGamma(c) + logAbsGamma(s) - logAbsGamma(c - a) - logAbsGamma(c - b),
      sign: multiplySigns(gammaSign(c), gammaSign(s), gammaSign(c - a), gammaSign(c - b)),
    };
  }
  return evaluateUnitInterval(a, b, c, z)?.value ?? NAN_LOG;
}

/** 2F1(a, b; c; z) as a number (may overflow to ±Infinity where hyp2f1Log would not). */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  const value = hyp2f1Log(a, b, c, z);
  if (Number.isNaN(value.logAbs)) return Number.NaN;
  if (value.sign === 0) return 0;
  return value.sign * Math.exp(value.logAbs);
}
