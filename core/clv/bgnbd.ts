import { hyp2f1Log } from './hypergeometric.ts';
import { logAbsGamma } from './logGamma.ts';
import { minimizeWithRestarts } from './nelderMead.ts';
import { aggregateRfm, type AggregatedRfm, type RfmSummary } from './rfmSummary.ts';

/**
 * BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way: An
 * Alternative to the Pareto/NBD Model", Marketing Science 24(2)). While alive a customer buys as a Poisson
 * process with rate λ ~ Gamma(r, α); after each purchase they drop out with probability p ~ Beta(a, b).
 * Time is in whatever unit the inputs use (the CLV model uses days); α carries that unit.
 */
export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit {
  params: BgNbdParams;
  /** Log-likelihood of the fitted data at `params` (weighted sum over customers). */
  logLikelihood: number;
  converged: boolean;
  evaluations: number;
  /** Customers (total weight) and distinct (x, t_x, T) patterns the fit used. */
  customers: number;
  patterns: number;
}

export interface BgNbdFitOptions {
  /** Where to start the search (e.g. a fit on a subsample); defaults cover the usual range of retail fits. */
  initialParams?: readonly BgNbdParams[];
  /** Edge length of the initial simplex in log-parameter space. */
  initialStep?: number;
  /** Convergence tolerance on the log-parameters; loosen it when the data are a sample anyway. */
  xTolerance?: number;
  maxEvaluations?: number;
}

/** Log-parameters beyond ±this are rejected by the fit: far outside any plausible model, and exp() stays finite. */
const LOG_PARAM_BOUND = 15;
/** In the rescaled time unit (oldest customer at T = 10): a flat start and a typical retail fit. */
const DEFAULT_SCALED_STARTS: readonly BgNbdParams[] = [
  { r: 1, alpha: 1, a: 1, b: 1 },
  { r: 0.25, alpha: 1, a: 0.8, b: 2.5 },
];

/** Indexes patterns by their distinct frequencies, so the Γ terms are evaluated once per frequency. */
interface PreparedData {
  data: AggregatedRfm;
  distinctX: Float64Array;
  xIndex: Uint32Array;
  totalWeight: number;
}

function prepare(data: AggregatedRfm): PreparedData {
  const distinct: number[] = [];
  const xIndex = new Uint32Array(data.frequency.length);
  const positions = new Map<number, number>();
  let totalWeight = 0;
  for (let i = 0; i < data.frequency.length; i++) {
    const x = data.frequency[i] as number;
    let position = positions.get(x);
    if (position === undefined) {
      position = distinct.length;
      positions.set(x, position);
      distinct.push(x);
    }
    xIndex[i] = position;
    totalWeight += data.weight[i] as number;
  }
  return { data, distinctX: Float64Array.from(distinct), xIndex, totalWeight };
}

function logLikelihoodPrepared(params: BgNbdParams, prepared: PreparedData): number {
  const { r, alpha, a, b } = params;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return Number.NaN;
  const { distinctX, xIndex } = prepared;
  const { frequency, recency, T, weight } = prepared.data;
  // Per-frequency constants of FHL (2005) eq. 6: ln[Γ(r+x) α^r / Γ(r)] + ln B(a, b+x) − ln B(a, b), and the
  // ln[a / (b + x − 1)] of the "dropped out after the last purchase" branch.
  const constant = new Float64Array(distinctX.length);
  const dropoutConstant = new Float64Array(distinctX.length);
  const base = r * Math.log(alpha) - logAbsGamma(r) + logAbsGamma(a + b) - logAbsGamma(b);
  for (let k = 0; k < distinctX.length; k++) {
    const x = distinctX[k] as number;
    constant[k] = base + logAbsGamma(r + x) + logAbsGamma(b + x) - logAbsGamma(a + b + x);
    dropoutConstant[k] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : Number.NEGATIVE_INFINITY;
  }
  let total = 0;
  for (let i = 0; i < frequency.length; i++) {
    const k = xIndex[i] as number;
    const x = frequency[i] as number;
    const rx = r + x;
    const aliveTerm = -rx * Math.log(alpha + (T[i] as number));
    let ll: number;
    if (x > 0) {
      const dropoutTerm = (dropoutConstant[k] as number) - rx * Math.log(alpha + (recency[i] as number));
      const high = Math.max(aliveTerm, dropoutTerm);
      ll = (constant[k] as number) + high + Math.log1p(Math.exp(Math.min(aliveTerm, dropoutTerm) - high));
    } else {
      ll = (constant[k] as number) + aliveTerm;
    }
    total += (weight[i] as number) * ll;
  }
  return total;
}

/** Weighted BG/NBD log-likelihood (FHL 2005, eq. 6 summed over customers). */
export function bgnbdLogLikelihood(params: BgNbdParams, data: RfmSummary): number {
  return logLikelihoodPrepared(params, prepare(toAggregated(data)));
}

function toAggregated(data: RfmSummary): AggregatedRfm {
  const n = data.frequency.length;
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) weight[i] = data.weight ? (data.weight[i] as number) : 1;
  return {
    frequency: Float64Array.from(data.frequency),
    recency: Float64Array.from(data.recency),
    T: Float64Array.from(data.T),
    weight,
  };
}

/**
 * Maximum-likelihood fit. Identical (x, t_x, T) rows are merged first, so repeated histories cost nothing.
 * Time is rescaled so the oldest customer has T = 10 (as `lifetimes` does) to keep the optimisation well
 * conditioned whatever the time unit; α is scaled back. Optimises the mean log-likelihood per customer over
 * log-parameters with Nelder–Mead and restarts.
 */
export function fitBgNbd(summary: RfmSummary, options: BgNbdFitOptions = {}): BgNbdFit {
  const aggregated = aggregateRfm(summary);
  if (aggregated.frequency.length === 0) throw new Error('fitBgNbd needs at least one customer');
  let maxT = 0;
  for (const t of aggregated.T) maxT = Math.max(maxT, t);
  const scale = maxT > 0 ? 10 / maxT : 1;
  const scaled: AggregatedRfm = {
    frequency: aggregated.frequency,
    recency: aggregated.recency.map((v) => v * scale),
    T: aggregated.T.map((v) => v * scale),
    weight: aggregated.weight,
  };
  const prepared = prepare(scaled);
  const objective = (logParams: readonly number[]): number => {
    if (logParams.some((v) => !(Math.abs(v) <= LOG_PARAM_BOUND))) return Number.POSITIVE_INFINITY;
    const [r, alpha, a, b] = logParams.map(Math.exp) as [number, number, number, number];
    return -logLikelihoodPrepared({ r, alpha, a, b }, prepared) / prepared.totalWeight;
  };
  const starts = options.initialParams
    ? options.initialParams.map((p) => [p.r, p.alpha * scale, p.a, p.b].map(Math.log))
    : DEFAULT_SCALED_STARTS.map((p) => [p.r, p.alpha, p.a, p.b].map(Math.log));
  const result = minimizeWithRestarts(objective, starts, {
    maxEvaluations: options.maxEvaluations ?? 4000,
    initialStep: options.initialStep ?? 0.5,
    xTolerance: options.xTolerance ?? 1e-6,
    fTolerance: 1e-10,
  });
  const [r, alphaScaled, a, b] = result.x.map(Math.exp) as [number, number, number, number];
  const params: BgNbdParams = { r, alpha: alphaScaled / scale, a, b };
  return {
    params,
    logLikelihood: logLikelihoodPrepared(params, prepare(aggregated)),
    converged: result.converged && Number.isFinite(result.value),
    evaluations: result.evaluations,
    customers: prepared.totalWeight,
    patterns: aggregated.frequency.length,
  };
}

/**
 * P(alive) from ln of the odds that a customer with x > 0 has already dropped out:
 * L = ln[a / (b + x − 1)] + (r + x) ln[(α + T) / (α + t_x)], P = 1 / (1 + e^L), written so neither branch
 * overflows.
 */
function probabilityAlive(
  r: number,
  alpha: number,
  a: number,
  b: number,
  x: number,
  recency: number,
  T: number,
): number {
  if (x <= 0) return 1;
  const logOdds = Math.log(a / (b + x - 1)) + (r + x) * Math.log((alpha + T) / (alpha + recency));
  return logOdds > 0 ? Math.exp(-logOdds) / (1 + Math.exp(-logOdds)) : 1 / (1 + Math.exp(logOdds));
}

/**
 * P(alive | x, t_x, T) (Fader, Hardie & Lee 2008, "Computing P(alive) using the BG/NBD model"). Customers
 * without repeat purchases are alive with probability 1: in the BG/NBD model dropout only happens right after
 * a repeat purchase.
 */
export function bgnbdProbabilityAlive(params: BgNbdParams, x: number, recency: number, T: number): number {
  return probabilityAlive(params.r, params.alpha, params.a, params.b, x, recency, T);
}

/** The formulas have a removable singularity at a = 1 (numerator and denominator vanish); step off it. */
function offUnit(a: number): number {
  return Math.abs(a - 1) < 1e-9 ? 1 + 1e-9 : a;
}

/** 1 − sign · e^logValue, accurately when the product is close to 1. */
function oneMinus(sign: -1 | 0 | 1, logValue: number): number {
  if (sign > 0) return -Math.expm1(logValue);
  return sign < 0 ? 1 + Math.exp(logValue) : 1;
}

/**
 * E[Y(t) | x, t_x, T]: expected number of purchases in the next t time units of a customer with that history
 * (FHL 2005, eq. 10), as P(alive) × (a + b + x − 1)/(a − 1) × [1 − ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x;
 * a+b+x−1; t/(α+T+t))]. NaN only if 2F1 cannot be evaluated.
 */
export function bgnbdExpectedPurchases(
  params: BgNbdParams,
  t: number,
  x: number,
  recency: number,
  T: number,
): number {
  if (t <= 0) return 0;
  const { r, alpha, b } = params;
  const a = offUnit(params.a);
  const hyp = hyp2f1Log(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  if (Number.isNaN(hyp.logAbs)) return Number.NaN;
  const bracket = oneMinus(hyp.sign, hyp.logAbs + (r + x) * Math.log((alpha + T) / (alpha + T + t)));
  return ((a + b + x - 1) / (a - 1)) * bracket * probabilityAlive(r, alpha, a, b, x, recency, T);
}

/** E[X(t)]: expected repeat purchases in (0, t] of a customer just acquired (FHL 2005, eq. 9). */
export function bgnbdUnconditionalExpectedPurchases(params: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, b } = params;
  const a = offUnit(params.a);
  const hyp = hyp2f1Log(r, b, a + b - 1, t / (alpha + t));
  if (Number.isNaN(hyp.logAbs)) return Number.NaN;
  return ((a + b - 1) / (a - 1)) * oneMinus(hyp.sign, hyp.logAbs + r * Math.log(alpha / (alpha + t)));
}
