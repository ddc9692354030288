import { fitParetoNbd, scoreParetoNbd, type ParetoNbdFit, type ParetoNbdParams } from './paretoNbd.ts';
import {
  fitGammaGamma,
  gammaGammaExpectedAverageValue,
  gammaGammaPopulationMean,
  type GammaGammaFit,
  type GammaGammaParams,
} from './gammaGamma.ts';

/**
 * Per-customer CLV scores from Pareto/NBD (how many purchases, and whether the customer is still there) ×
 * Gamma-Gamma (what each purchase is worth), both fitted on the buyers given. Pure computation on typed arrays; `clvModel.ts` does the database I/O.
 */

/** Forecast horizon of `expected_purchases_12m` / `predicted_clv_12m`, in days (the model's time unit). */
export const CLV_HORIZON_DAYS = 365;

/**
 * Pareto/NBD parameters used when the shop's own data cannot support a fit: the CDNOW estimates published in
 * Fader, Hardie & Lee (2005) (r 0.553, α 10.578 weeks, s 0.606, β 11.669 weeks) with α and β converted to
 * days. A generic retail prior, not this shop's behaviour: scores built on it are indicative only, and a
 * warning says so.
 */
export const PARETO_NBD_FALLBACK_PARAMS: ParetoNbdParams = {
  r: 0.553,
  alpha: 10.578 * 7,
  s: 0.606,
  beta: 11.669 * 7,
};

export interface ClvOptions {
  /** Forecast horizon in days. */
  horizonDays?: number;
  /** Below this many buyers Pareto/NBD is not fitted (PARETO_NBD_FALLBACK_PARAMS are used). */
  minBuyers?: number;
  /** …nor below this many repeat buyers (frequency > 0): with none, the likelihood has no finite maximum. */
  minRepeatBuyers?: number;
  /** Below this many repeat buyers with a positive average order value Gamma-Gamma is not fitted. */
  minSpendBuyers?: number;
  /** Fit on at most about this many customers, a deterministic sample of the rest (fit time, not accuracy). */
  maxFitCustomers?: number;
  /** The search on a large sample starts from a fit on about this many of its customers. */
  warmStartCustomers?: number;
}

export const DEFAULT_CLV_OPTIONS: Required<ClvOptions> = {
  horizonDays: CLV_HORIZON_DAYS,
  minBuyers: 20,
  minRepeatBuyers: 5,
  minSpendBuyers: 10,
  maxFitCustomers: 20_000,
  warmStartCustomers: 2_500,
};

/** One row per buyer, in days. */
export interface ClvInput {
  /** Repeat orders: total orders − 1. */
  frequency: Float64Array;
  /** Days from the first to the last order. */
  recency: Float64Array;
  /** Days from the first order to as_of. */
  T: Float64Array;
  /** Average order value: lifetime revenue / total orders. */
  monetary: Float64Array;
}

export interface ClvScores {
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  expectedOrderValue: Float64Array;
  predictedClv: Float64Array;
}

export interface ClvComputation {
  scores: ClvScores;
  /** Pareto/NBD parameters used (days), whether fitted or the fallback. */
  paretoNbd: { params: ParetoNbdParams; source: 'fit' | 'fallback'; fit?: ParetoNbdFit };
  /**
   * Gamma-Gamma parameters, when fitted. With source `observed`, expected_order_value is the customer's own
   * average order value instead (or the buyers' mean where that is not positive).
   */
  gammaGamma: { params?: GammaGammaParams; source: 'fit' | 'observed'; fit?: GammaGammaFit };
  warnings: string[];
}

/**
 * Log-parameter tolerance of the polish on a large sample: 1e-4 relative is far below the sampling error of
 * 20k customers, and stopping there saves half the evaluations.
 */
const POLISH_X_TOLERANCE = 1e-4;
/**
 * The same for Pareto/NBD, warm start and polish: 1e-3 relative (0.1 %) is still far below that sampling error,
 * and each of its evaluations costs a 2F1 per distinct (x, t), so a fifth fewer of them is worth it.
 */
const PURCHASE_FIT_X_TOLERANCE = 1e-3;

/** Knuth's multiplicative hash of the row position: a fixed pseudo-random order, independent of the data. */
function sampleKey(index: number): number {
  return Math.imul(index + 1, 0x9e3779b1) >>> 0;
}

/** Row positions whose key falls below share × 2^32: about `target` rows, the same ones every build. */
function deterministicSample(count: number, target: number): Uint32Array {
  if (count <= target) return Uint32Array.from({ length: count }, (_, i) => i);
  const threshold = (target / count) * 2 ** 32;
  const picked: number[] = [];
  for (let i = 0; i < count; i++) if (sampleKey(i) < threshold) picked.push(i);
  return Uint32Array.from(picked);
}

function pick(values: Float64Array, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k] as number] as number;
  return out;
}

function plausible(params: Record<string, number>): boolean {
  return Object.values(params).every((value) => Number.isFinite(value) && value > 1e-8 && value < 1e8);
}

function fitPurchaseModel(
  input: ClvInput,
  options: Required<ClvOptions>,
  warnings: string[],
): ClvComputation['paretoNbd'] {
  // One impossible history (NaN, negative, recency beyond T) would make the whole likelihood NaN, so such
  // rows are scored but left out of the fit.
  const usable: number[] = [];
  let repeatBuyers = 0;
  for (let i = 0; i < input.frequency.length; i++) {
    const x = input.frequency[i] as number;
    const recency = input.recency[i] as number;
    const T = input.T[i] as number;
    if (x >= 0 && recency >= 0 && T >= recency && Number.isFinite(x) && Number.isFinite(T)) {
      usable.push(i);
      if (x > 0) repeatBuyers++;
    }
  }
  const buyers = usable.length;
  if (buyers < options.minBuyers || repeatBuyers < options.minRepeatBuyers) {
    warnings.push(
      `Pareto/NBD not fitted: ${buyers} buyers, ${repeatBuyers} with repeat orders (need ${options.minBuyers} ` +
        `and ${options.minRepeatBuyers}); using the generic CDNOW parameters, so p_alive and expected purchases ` +
        'are indicative only.',
    );
    return { params: PARETO_NBD_FALLBACK_PARAMS, source: 'fallback' };
  }
  const rows = Uint32Array.from(usable);
  const sample = Uint32Array.from(
    deterministicSample(buyers, options.maxFitCustomers),
    (k) => rows[k] as number,
  );
  // Whole days for the fit: histories then share most of their (x, t) pairs, so the likelihood needs a third
  // of the 2F1 evaluations, and half a day is nothing next to purchase cycles of weeks. Scores use exact times.
  const fitData = {
    frequency: pick(input.frequency, sample),
    recency: pick(input.recency, sample).map(Math.round),
    T: pick(input.T, sample).map(Math.round),
  };
  let fit: ParetoNbdFit;
  try {
    if (sample.length > 2 * options.warmStartCustomers) {
      // A multi-start search on a small subsample, then a local polish on the whole sample from there.
      const subsample = deterministicSample(sample.length, options.warmStartCustomers);
      const warm = fitParetoNbd(
        {
          frequency: pick(fitData.frequency, subsample),
          recency: pick(fitData.recency, subsample),
          T: pick(fitData.T, subsample),
        },
        { xTolerance: PURCHASE_FIT_X_TOLERANCE },
      );
      fit = fitParetoNbd(fitData, {
        initialParams: [warm.params],
        initialStep: 0.2,
        xTolerance: PURCHASE_FIT_X_TOLERANCE,
      });
    } else {
      fit = fitParetoNbd(fitData);
    }
  } catch (error) {
    warnings.push(
      `Pareto/NBD fit failed (${error instanceof Error ? error.message : String(error)}); using the generic ` +
        'CDNOW parameters.',
    );
    return { params: PARETO_NBD_FALLBACK_PARAMS, source: 'fallback' };
  }
  if (!plausible({ ...fit.params }) || !Number.isFinite(fit.logLikelihood)) {
    const { r, alpha, s, beta } = fit.params;
    warnings.push(
      `Pareto/NBD fit degenerate (r ${r}, alpha ${alpha}, s ${s}, beta ${beta}); using the generic CDNOW ` +
        'parameters.',
    );
    return { params: PARETO_NBD_FALLBACK_PARAMS, source: 'fallback', fit };
  }
  if (!fit.converged)
    warnings.push(
      'Pareto/NBD fit stopped at its evaluation limit before converging; scores use its best point.',
    );
  return { params: fit.params, source: 'fit', fit };
}

function fitSpendModel(
  input: ClvInput,
  options: Required<ClvOptions>,
  warnings: string[],
): ClvComputation['gammaGamma'] {
  const spenders: number[] = [];
  for (let i = 0; i < input.frequency.length; i++) {
    const m = input.monetary[i] as number;
    const x = input.frequency[i] as number;
    if (x > 0 && Number.isFinite(x) && m > 0 && Number.isFinite(m)) spenders.push(i);
  }
  if (spenders.length < options.minSpendBuyers) {
    warnings.push(
      `Gamma-Gamma not fitted: ${spenders.length} repeat buyers with a positive average order value (need ` +
        `${options.minSpendBuyers}); expected_order_value is each customer's own average order value.`,
    );
    return { source: 'observed' };
  }
  const rows = Uint32Array.from(spenders);
  const sample = deterministicSample(rows.length, options.maxFitCustomers);
  const chosen = Uint32Array.from(sample, (k) => rows[k] as number);
  const fitData = { frequency: pick(input.frequency, chosen), monetary: pick(input.monetary, chosen) };
  let fit: GammaGammaFit;
  try {
    if (chosen.length > 2 * options.warmStartCustomers) {
      const subsample = deterministicSample(chosen.length, options.warmStartCustomers);
      const warm = fitGammaGamma({
        frequency: pick(fitData.frequency, subsample),
        monetary: pick(fitData.monetary, subsample),
      });
      fit = fitGammaGamma(fitData, {
        initialParams: [warm.params],
        initialStep: 0.2,
        xTolerance: POLISH_X_TOLERANCE,
      });
    } else {
      fit = fitGammaGamma(fitData);
    }
  } catch (error) {
    warnings.push(
      `Gamma-Gamma fit failed (${error instanceof Error ? error.message : String(error)}); using observed averages.`,
    );
    return { source: 'observed' };
  }
  if (
    !plausible({ ...fit.params }) ||
    !(fit.params.q > 1) ||
    !Number.isFinite(gammaGammaPopulationMean(fit.params))
  ) {
    warnings.push(
      `Gamma-Gamma fit unusable (p ${fit.params.p}, q ${fit.params.q}, v ${fit.params.v}; q must exceed 1 for a ` +
        "finite mean order value); expected_order_value is each customer's own average order value.",
    );
    return { source: 'observed', fit };
  }
  return { params: fit.params, source: 'fit', fit };
}

/** Fits both models on the buyers and scores each of them. Never throws on degenerate data; see `warnings`. */
export function computeClvScores(input: ClvInput, userOptions: ClvOptions = {}): ClvComputation {
  const options = { ...DEFAULT_CLV_OPTIONS, ...userOptions };
  const n = input.frequency.length;
  if (input.recency.length !== n || input.T.length !== n || input.monetary.length !== n) {
    throw new Error('computeClvScores: frequency, recency, T and monetary must have the same length');
  }
  const warnings: string[] = [];
  const paretoNbd = fitPurchaseModel(input, options, warnings);
  const gammaGamma = fitSpendModel(input, options, warnings);

  let positiveSum = 0;
  let positiveCount = 0;
  for (const m of input.monetary) {
    if (m > 0 && Number.isFinite(m)) {
      positiveSum += m;
      positiveCount++;
    }
  }
  const meanOrderValue = positiveCount > 0 ? positiveSum / positiveCount : 0;

  const scores: ClvScores = {
    pAlive: new Float64Array(n),
    expectedPurchases: new Float64Array(n),
    expectedOrderValue: new Float64Array(n),
    predictedClv: new Float64Array(n),
  };
  let repaired = 0;
  const purchaseScores = scoreParetoNbd(paretoNbd.params, options.horizonDays, input);
  for (let i = 0; i < n; i++) {
    const x = input.frequency[i] as number;
    const observed = input.monetary[i] as number;
    const ownValue = observed > 0 && Number.isFinite(observed) ? observed : meanOrderValue;

    let pAlive = purchaseScores.pAlive[i] as number;
    let purchases = purchaseScores.expectedPurchases[i] as number;
    let value = gammaGamma.params
      ? gammaGammaExpectedAverageValue(gammaGamma.params, x, Math.max(0, observed))
      : ownValue;
    // Clamp into the quantities' ranges; a non-finite value (2F1 not converging, absurd input) becomes the
    // neutral choice and is counted, so the output never holds NaN or Infinity.
    if (!Number.isFinite(pAlive)) {
      pAlive = 0;
      repaired++;
    }
    pAlive = Math.min(1, Math.max(0, pAlive));
    if (!Number.isFinite(purchases)) {
      purchases = 0;
      repaired++;
    }
    purchases = Math.max(0, purchases);
    if (!Number.isFinite(value) || value < 0) {
      value = Number.isFinite(ownValue) ? Math.max(0, ownValue) : 0;
      repaired++;
    }
    let clv = purchases * value;
    if (!Number.isFinite(clv)) {
      clv = 0;
      repaired++;
    }
    scores.pAlive[i] = pAlive;
    scores.expectedPurchases[i] = purchases;
    scores.expectedOrderValue[i] = value;
    scores.predictedClv[i] = clv;
  }
  if (repaired > 0)
    warnings.push(`${repaired} non-finite CLV values were replaced by 0 or the observed order value.`);
  return { scores, paretoNbd, gammaGamma, warnings };
}
