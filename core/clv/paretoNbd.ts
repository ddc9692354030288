import { logAbsGamma } from './logGamma.ts';
import { minimizeWithRestarts } from './nelderMead.ts';
import { TailEvaluator } from './paretoNbdTail.ts';
import { aggregateRfm, type AggregatedRfm, type RfmSummary } from './rfmSummary.ts';

/**
 * Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987, "Counting Your Customers: Who
 * Are They and What Will They Do Next?", Management Science 33(1)); expressions as derived in Fader & Hardie
 * (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions". While alive a customer buys as a
 * Poisson process with rate λ ~ Gamma(r, α); their lifetime is exponential with rate μ ~ Gamma(s, β), so they
 * can leave at any moment — also before a second purchase, which is what lets P(alive) fall for one-time
 * buyers who never came back. Time is in whatever unit the inputs use (the CLV model uses days); α and β carry
 * that unit.
 */
export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

export interface ParetoNbdFit {
  params: ParetoNbdParams;
  /** Log-likelihood of the fitted data at `params` (weighted sum over customers). */
  logLikelihood: number;
  converged: boolean;
  evaluations: number;
  /** Customers (total weight) and distinct (x, t_x, T) patterns the fit used. */
  customers: number;
  patterns: number;
}

export interface ParetoNbdFitOptions {
  /** Where to start the search (e.g. a fit on a subsample); defaults cover the usual range of retail fits. */
  initialParams?: readonly ParetoNbdParams[];
  /** Edge length of the initial simplex in log-parameter space. */
  initialStep?: number;
  /** Convergence tolerance on the log-parameters; loosen it when the data are a sample anyway. */
  xTolerance?: number;
  /** …and on the mean log-likelihood per customer. */
  fTolerance?: number;
  maxEvaluations?: number;
}

/**
 * Log-parameters (in the rescaled unit) beyond ±this are rejected by the fit: far outside any plausible model
 * (r or s of 22,000 is a homogeneous population), and degenerate data (one repeated history) would otherwise
 * drive the search to extremes where every 2F1 needs the slow general evaluation near z = 1.
 */
const LOG_PARAM_BOUND = 10;
/** In the rescaled time unit (T = 10 at its 99th percentile): a flat start and the shape of the CDNOW fit. */
const DEFAULT_SCALED_STARTS: readonly ParetoNbdParams[] = [
  { r: 1, alpha: 1, s: 1, beta: 1 },
  { r: 0.5, alpha: 3, s: 0.6, beta: 3 },
];

/** ln of the "still alive at T" part: −(r+x) ln(α+T) − s ln(β+T). */
function logAliveTerm(r: number, alpha: number, s: number, beta: number, x: number, T: number): number {
  return -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
}

/**
 * ln[e^alive + e^logWeight (F(t_x) − F(T))], given ln F(t_x) and ln F(T): the individual likelihood relative to
 * the common factor Γ(r+x) α^r β^s / Γ(r), as "still alive at T" plus "left unseen between t_x and T" with
 * logWeight = ln[s / (r+s+x)]. Factored by the larger exponent so nothing overflows. The dropout part is
 * clamped at 0: F(t_x) ≥ F(T) holds exactly but may miss by a rounding error when t_x ≈ T, where that part is
 * negligible anyway (about s (T − t_x) / (β + T) of the first).
 */
function logMixture(alive: number, logWeight: number, logTailRecency: number, logTailAge: number): number {
  const high = Math.max(alive, logWeight + logTailRecency);
  const dropout = Math.exp(logWeight + logTailRecency - high) - Math.exp(logWeight + logTailAge - high);
  return high + Math.log(Math.exp(alive - high) + Math.max(0, dropout));
}

/**
 * Indexes patterns by their distinct frequencies (Γ terms once per frequency) and by the distinct (x, t)
 * pairs their F(t_x) and F(T) need (one 2F1 per pair and evaluation: histories on a common time grid share
 * most of them).
 */
interface PreparedData {
  data: AggregatedRfm;
  distinctX: Float64Array;
  xIndex: Uint32Array;
  /** The distinct (x, t) pairs. */
  tailX: Float64Array;
  tailT: Float64Array;
  /** Each pattern's pairs for t_x and T; −1 when t_x = T (no dropout term). */
  recencyTail: Int32Array;
  ageTail: Int32Array;
  /** Distinct T values and each pattern's position among them (ln(α+T), ln(β+T) once per value). */
  distinctT: Float64Array;
  tIndex: Uint32Array;
  totalWeight: number;
}

/** Position of `value` in `values`, appended on first sight, so patterns with one value share its work. */
function intern(positions: Map<number, number>, values: number[], value: number): number {
  let position = positions.get(value);
  if (position === undefined) {
    position = values.length;
    positions.set(value, position);
    values.push(value);
  }
  return position;
}

function prepare(data: AggregatedRfm): PreparedData {
  const n = data.frequency.length;
  const distinct: number[] = [];
  const xIndex = new Uint32Array(n);
  const positions = new Map<number, number>();
  const tailX: number[] = [];
  const tailT: number[] = [];
  const tailPositions = new Map<number, Map<number, number>>();
  const tailOf = (x: number, t: number): number => {
    let byT = tailPositions.get(x);
    if (byT === undefined) {
      byT = new Map();
      tailPositions.set(x, byT);
    }
    let position = byT.get(t);
    if (position === undefined) {
      position = tailX.length;
      byT.set(t, position);
      tailX.push(x);
      tailT.push(t);
    }
    return position;
  };
  const recencyTail = new Int32Array(n);
  const ageTail = new Int32Array(n);
  const distinctT: number[] = [];
  const tIndex = new Uint32Array(n);
  const tPositions = new Map<number, number>();
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const x = data.frequency[i] as number;
    xIndex[i] = intern(positions, distinct, x);
    const recency = data.recency[i] as number;
    const age = data.T[i] as number;
    tIndex[i] = intern(tPositions, distinctT, age);
    if (recency < age) {
      recencyTail[i] = tailOf(x, recency);
      ageTail[i] = tailOf(x, age);
    } else {
      recencyTail[i] = -1;
      ageTail[i] = -1;
    }
    totalWeight += data.weight[i] as number;
  }
  return {
    data,
    distinctX: Float64Array.from(distinct),
    xIndex,
    tailX: Float64Array.from(tailX),
    tailT: Float64Array.from(tailT),
    recencyTail,
    ageTail,
    distinctT: Float64Array.from(distinctT),
    tIndex,
    totalWeight,
  };
}

/**
 * Weighted sum of Fader & Hardie's (2005) eq. 22: ln Γ(r+x) − ln Γ(r) + r ln α + s ln β
 * + ln[(α+T)^−(r+x) (β+T)^−s + s/(r+s+x) A₀].
 */
function logLikelihoodPrepared(params: ParetoNbdParams, prepared: PreparedData): number {
  const { r, alpha, s, beta } = params;
  if (!(r > 0 && alpha > 0 && s > 0 && beta > 0)) return Number.NaN;
  const { distinctX, xIndex, tailX, tailT, recencyTail, ageTail, distinctT, tIndex } = prepared;
  const { frequency, weight } = prepared.data;
  const constant = new Float64Array(distinctX.length);
  const logWeight = new Float64Array(distinctX.length);
  const base = -logAbsGamma(r) + r * Math.log(alpha) + s * Math.log(beta);
  for (let k = 0; k < distinctX.length; k++) {
    const x = distinctX[k] as number;
    constant[k] = base + logAbsGamma(r + x);
    logWeight[k] = Math.log(s / (r + s + x));
  }
  const logAlphaT = distinctT.map((t) => Math.log(alpha + t));
  const logBetaT = distinctT.map((t) => Math.log(beta + t));
  const tails = new Float64Array(tailX.length);
  const evaluator = new TailEvaluator(params);
  for (let k = 0; k < tailX.length; k++) {
    const value = evaluator.logTail(tailX[k] as number, tailT[k] as number);
    if (Number.isNaN(value)) return Number.NaN;
    tails[k] = value;
  }
  let total = 0;
  for (let i = 0; i < frequency.length; i++) {
    const k = xIndex[i] as number;
    const j = tIndex[i] as number;
    const alive = -(r + (frequency[i] as number)) * (logAlphaT[j] as number) - s * (logBetaT[j] as number);
    const recencyPosition = recencyTail[i] as number;
    const ll =
      recencyPosition >= 0
        ? logMixture(
            alive,
            logWeight[k] as number,
            tails[recencyPosition] as number,
            tails[ageTail[i] as number] as number,
          )
        : alive;
    total += (weight[i] as number) * ((constant[k] as number) + ll);
  }
  return total;
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

/** Weighted Pareto/NBD log-likelihood (Fader & Hardie 2005, eq. 22 summed over customers). */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, data: RfmSummary): number {
  return logLikelihoodPrepared(params, prepare(toAggregated(data)));
}

/** The q-quantile of values with weights (the smallest value whose cumulative weight reaches q). */
function weightedQuantile(values: Float64Array, weights: Float64Array, q: number): number {
  const order = Array.from(values.keys()).sort((i, j) => (values[i] as number) - (values[j] as number));
  let total = 0;
  for (const w of weights) total += w;
  let cumulative = 0;
  for (const i of order) {
    cumulative += weights[i] as number;
    if (cumulative >= q * total) return values[i] as number;
  }
  return 0;
}

/**
 * Maximum-likelihood fit. Identical (x, t_x, T) rows are merged first, so repeated histories cost nothing.
 * Time is rescaled so the 99th percentile of T is 10 (`lifetimes` puts the oldest customer there) to keep the
 * optimisation well conditioned whatever the time unit — a percentile, so one absurd history (a first order
 * decades ago) does not squeeze everybody else to T ≈ 0; α and β are scaled back. Optimises the mean log-likelihood per
 * customer over log-parameters with Nelder–Mead and restarts.
 */
export function fitParetoNbd(summary: RfmSummary, options: ParetoNbdFitOptions = {}): ParetoNbdFit {
  const aggregated = aggregateRfm(summary);
  if (aggregated.frequency.length === 0) throw new Error('fitParetoNbd needs at least one customer');
  const typicalT = weightedQuantile(aggregated.T, aggregated.weight, 0.99);
  const scale = typicalT > 0 ? 10 / typicalT : 1;
  const prepared = prepare({
    frequency: aggregated.frequency,
    recency: aggregated.recency.map((v) => v * scale),
    T: aggregated.T.map((v) => v * scale),
    weight: aggregated.weight,
  });
  const objective = (logParams: readonly number[]): number => {
    if (logParams.some((v) => !(Math.abs(v) <= LOG_PARAM_BOUND))) return Number.POSITIVE_INFINITY;
    const [r, alpha, s, beta] = logParams.map(Math.exp) as [number, number, number, number];
    return -logLikelihoodPrepared({ r, alpha, s, beta }, prepared) / prepared.totalWeight;
  };
  const starts = (options.initialParams ?? DEFAULT_SCALED_STARTS).map((p) => {
    const unit = options.initialParams ? scale : 1;
    return [p.r, p.alpha * unit, p.s, p.beta * unit].map(Math.log);
  });
  const result = minimizeWithRestarts(objective, starts, {
    maxEvaluations: options.maxEvaluations ?? 4000,
    initialStep: options.initialStep ?? 0.5,
    xTolerance: options.xTolerance ?? 1e-6,
    fTolerance: options.fTolerance ?? 1e-10,
  });
  const [r, alphaScaled, s, betaScaled] = result.x.map(Math.exp) as [number, number, number, number];
  const params: ParetoNbdParams = { r, alpha: alphaScaled / scale, s, beta: betaScaled / scale };
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
 * (1 − (g/(g+t))^(s−1)) / (s − 1), the horizon factor of the expectations; its limit ln(1 + t/g) at s = 1.
 * expm1/log1p keep it accurate for s near 1 and short horizons.
 */
function horizonFactor(s: number, g: number, t: number): number {
  const logGrowth = Math.log1p(t / g);
  if (s === 1) return logGrowth;
  return -Math.expm1(-(s - 1) * logGrowth) / (s - 1);
}

function probabilityAlive(
  params: ParetoNbdParams,
  tails: TailEvaluator,
  x: number,
  recency: number,
  T: number,
): number {
  const { r, alpha, s, beta } = params;
  if (recency >= T) return 1;
  const alive = logAliveTerm(r, alpha, s, beta, x, T);
  return Math.exp(
    alive - logMixture(alive, Math.log(s / (r + s + x)), tails.logTail(x, recency), tails.logTail(x, T)),
  );
}

function expectedPurchases(params: ParetoNbdParams, pAlive: number, t: number, x: number, T: number): number {
  if (t <= 0) return 0;
  const { r, alpha, s, beta } = params;
  return (pAlive * (r + x) * (beta + T) * horizonFactor(s, beta + T, t)) / (alpha + T);
}

/**
 * P(alive | x, t_x, T) (Fader & Hardie 2005, eq. 18): the share of the likelihood in which the customer is
 * still alive at T, 1 / (1 + s/(r+s+x) (α+T)^(r+x) (β+T)^s A₀). Falls with the time since the last purchase,
 * for one-time buyers too. NaN only if 2F1 cannot be evaluated.
 */
export function paretoNbdProbabilityAlive(
  params: ParetoNbdParams,
  x: number,
  recency: number,
  T: number,
): number {
  return probabilityAlive(params, new TailEvaluator(params), x, recency, T);
}

/**
 * E[Y(t) | x, t_x, T]: expected number of purchases in the next t time units of a customer with that history
 * (Fader & Hardie 2005, eq. 24; Schmittlein et al. 1987):
 * P(alive) × (r+x)(β+T) / ((α+T)(s−1)) × [1 − ((β+T)/(β+T+t))^(s−1)].
 */
export function paretoNbdExpectedPurchases(
  params: ParetoNbdParams,
  t: number,
  x: number,
  recency: number,
  T: number,
): number {
  return expectedPurchases(params, paretoNbdProbabilityAlive(params, x, recency, T), t, x, T);
}

/** E[X(t)]: expected repeat purchases in (0, t] of a customer just acquired (Fader & Hardie 2005, eq. 17). */
export function paretoNbdUnconditionalExpectedPurchases(params: ParetoNbdParams, t: number): number {
  return expectedPurchases(params, 1, t, 0, 0);
}

export interface ParetoNbdScores {
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
}

/**
 * P(alive) and expected purchases over `horizon` for many customers at once; the F(0) term shared by
 * one-time buyers is computed once. Entries are NaN where 2F1 could not be evaluated.
 */
export function scoreParetoNbd(
  params: ParetoNbdParams,
  horizon: number,
  data: Pick<RfmSummary, 'frequency' | 'recency' | 'T'>,
): ParetoNbdScores {
  const n = data.frequency.length;
  const scores: ParetoNbdScores = { pAlive: new Float64Array(n), expectedPurchases: new Float64Array(n) };
  const tails = new TailEvaluator(params);
  for (let i = 0; i < n; i++) {
    const x = data.frequency[i] as number;
    const T = data.T[i] as number;
    const pAlive = probabilityAlive(params, tails, x, data.recency[i] as number, T);
    scores.pAlive[i] = pAlive;
    scores.expectedPurchases[i] = expectedPurchases(params, pAlive, horizon, x, T);
  }
  return scores;
}
