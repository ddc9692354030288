import { logAbsGamma } from './logGamma.ts';
import { minimizeWithRestarts } from './nelderMead.ts';

/**
 * Gamma-Gamma model of average transaction value (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary
 * Value", after Colombo & Jiang 1999). A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ)
 * across customers (`v` here is γ); the observed average m̄ of x transactions then has a closed-form density.
 * Assumes spend is independent of purchase frequency.
 */
export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

export interface SpendSummary {
  /** x: number of transactions the average is over (repeat buyers only: x > 0). */
  frequency: ArrayLike<number>;
  /** m̄: their average value (> 0). */
  monetary: ArrayLike<number>;
  weight?: ArrayLike<number>;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  converged: boolean;
  evaluations: number;
  /** Customers (total weight) the fit used; rows with x ≤ 0 or m̄ ≤ 0 are skipped. */
  customers: number;
}

export interface GammaGammaFitOptions {
  /** Where to start the search; defaults to a flat start and a typical fit. */
  initialParams?: readonly GammaGammaParams[];
  /** Edge length of the initial simplex in log-parameter space. */
  initialStep?: number;
  /** Convergence tolerance on the log-parameters; loosen it when the data are a sample anyway. */
  xTolerance?: number;
  maxEvaluations?: number;
}

const LOG_PARAM_BOUND = 15;
/** For values rescaled to mean 1: a flat start and the shape of a typical retail fit. */
const DEFAULT_SCALED_STARTS: readonly GammaGammaParams[] = [
  { p: 1, q: 1, v: 1 },
  { p: 6, q: 4, v: 0.5 },
];

interface Prepared {
  x: Float64Array;
  logX: Float64Array;
  m: Float64Array;
  logM: Float64Array;
  w: Float64Array;
  /** Distinct frequencies and each row's position among them, so Γ terms are computed once per frequency. */
  distinctX: Float64Array;
  xIndex: Uint32Array;
  totalWeight: number;
}

function prepare(summary: SpendSummary, monetaryScale: number): Prepared {
  const x: number[] = [];
  const m: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < summary.frequency.length; i++) {
    const xi = summary.frequency[i] as number;
    const mi = (summary.monetary[i] as number) * monetaryScale;
    const wi = summary.weight ? (summary.weight[i] as number) : 1;
    if (xi > 0 && mi > 0 && Number.isFinite(mi) && wi > 0) {
      x.push(xi);
      m.push(mi);
      w.push(wi);
    }
  }
  const distinct: number[] = [];
  const positions = new Map<number, number>();
  const xIndex = new Uint32Array(x.length);
  x.forEach((value, i) => {
    let position = positions.get(value);
    if (position === undefined) {
      position = distinct.length;
      positions.set(value, position);
      distinct.push(value);
    }
    xIndex[i] = position;
  });
  return {
    x: Float64Array.from(x),
    logX: Float64Array.from(x, Math.log),
    m: Float64Array.from(m),
    logM: Float64Array.from(m, Math.log),
    w: Float64Array.from(w),
    distinctX: Float64Array.from(distinct),
    xIndex,
    totalWeight: w.reduce((sum, value) => sum + value, 0),
  };
}

function logLikelihoodPrepared(params: GammaGammaParams, data: Prepared): number {
  const { p, q, v } = params;
  if (!(p > 0 && q > 0 && v > 0)) return Number.NaN;
  const base = q * Math.log(v) - logAbsGamma(q);
  const gammaTerms = new Float64Array(data.distinctX.length);
  for (let k = 0; k < gammaTerms.length; k++) {
    const px = p * (data.distinctX[k] as number);
    gammaTerms[k] = logAbsGamma(px + q) - logAbsGamma(px) + base;
  }
  let total = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i] as number;
    const px = p * x;
    const ll =
      (gammaTerms[data.xIndex[i] as number] as number) +
      (px - 1) * (data.logM[i] as number) +
      px * (data.logX[i] as number) -
      (px + q) * Math.log(x * (data.m[i] as number) + v);
    total += (data.w[i] as number) * ll;
  }
  return total;
}

/** Weighted log-likelihood of the average values (Fader & Hardie 2013, eq. 1), over rows with x > 0, m̄ > 0. */
export function gammaGammaLogLikelihood(params: GammaGammaParams, summary: SpendSummary): number {
  return logLikelihoodPrepared(params, prepare(summary, 1));
}

/**
 * Maximum-likelihood fit over log-parameters (Nelder–Mead with restarts). Values are rescaled to mean 1 for
 * the search — only ν's scale v depends on the currency unit — and v is scaled back.
 */
export function fitGammaGamma(summary: SpendSummary, options: GammaGammaFitOptions = {}): GammaGammaFit {
  const unscaled = prepare(summary, 1);
  if (unscaled.x.length === 0)
    throw new Error('fitGammaGamma needs at least one customer with x > 0 and m > 0');
  let weightedSum = 0;
  for (let i = 0; i < unscaled.m.length; i++)
    weightedSum += (unscaled.m[i] as number) * (unscaled.w[i] as number);
  const scale = unscaled.totalWeight / weightedSum;
  const scaled = prepare(summary, scale);
  const objective = (logParams: readonly number[]): number => {
    if (logParams.some((value) => !(Math.abs(value) <= LOG_PARAM_BOUND))) return Number.POSITIVE_INFINITY;
    const [p, q, v] = logParams.map(Math.exp) as [number, number, number];
    return -logLikelihoodPrepared({ p, q, v }, scaled) / scaled.totalWeight;
  };
  const starts = (options.initialParams?.map((p) => ({ ...p, v: p.v * scale })) ?? DEFAULT_SCALED_STARTS).map(
    (p) => [p.p, p.q, p.v].map(Math.log),
  );
  const result = minimizeWithRestarts(objective, starts, {
    maxEvaluations: options.maxEvaluations ?? 3000,
    initialStep: options.initialStep ?? 0.5,
    xTolerance: options.xTolerance ?? 1e-6,
    fTolerance: 1e-10,
  });
  const [p, q, vScaled] = result.x.map(Math.exp) as [number, number, number];
  const params: GammaGammaParams = { p, q, v: vScaled / scale };
  return {
    params,
    logLikelihood: logLikelihoodPrepared(params, unscaled),
    converged: result.converged && Number.isFinite(result.value),
    evaluations: result.evaluations,
    customers: unscaled.totalWeight,
  };
}

/**
 * E[M | x, m̄] = p(v + x m̄) / (p x + q − 1) (Fader & Hardie 2013, eq. 5): a weighted average of the population
 * mean p v / (q − 1) and the customer's own m̄, the latter weighted more the more transactions they made.
 * Needs q > 1 (a finite population mean); x = 0 gives the population mean.
 */
export function gammaGammaExpectedAverageValue(
  params: GammaGammaParams,
  x: number,
  monetary: number,
): number {
  const { p, q, v } = params;
  return (p * (v + x * monetary)) / (p * x + q - 1);
}

/** The population mean transaction value p v / (q − 1); Infinity when q ≤ 1. */
export function gammaGammaPopulationMean(params: GammaGammaParams): number {
  return params.q > 1 ? (params.p * params.v) / (params.q - 1) : Number.POSITIVE_INFINITY;
}
