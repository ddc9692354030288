import { describe, expect, it } from 'vitest';
import {
  fitParetoNbd,
  paretoNbdExpectedPurchases,
  paretoNbdLogLikelihood,
  paretoNbdProbabilityAlive,
  paretoNbdUnconditionalExpectedPurchases,
  scoreParetoNbd,
  type ParetoNbdParams,
} from '../../core/clv/paretoNbd.ts';
import { aggregateRfm } from '../../core/clv/rfmSummary.ts';
import { loadCdnowSummary } from './cdnowFixture.ts';
import { seededRandom, simulateParetoNbd } from './simulateParetoNbd.ts';

const cdnow = loadCdnowSummary();
const cdnowFit = fitParetoNbd(cdnow);
/**
 * The Pareto/NBD fit to the CDNOW calibration data as Fader, Hardie & Lee (2005, "Counting Your Customers the
 * Easy Way", section 5) report it next to their BG/NBD (time unit weeks); CLVTools' correctness tests check
 * the same figures (and r 0.55315, α 10.57633, s 0.60625, β 11.67150, LL −9594.976 at more digits).
 */
const PUBLISHED: ParetoNbdParams = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
const PUBLISHED_LOG_LIKELIHOOD = -9595.0;

function expectWithinRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual / expected - 1)).toBeLessThanOrEqual(tolerance);
}

/**
 * P(alive) straight from the definition, independent of any hypergeometric function: the dropout integral
 * ∫_{t_x}^T (α+τ)^−(r+x) (β+τ)^−(s+1) dτ by composite Simpson in u = ln(α+τ) (the integrand is smooth there),
 * then 1 / (1 + s (α+T)^(r+x) (β+T)^s · integral).
 */
function pAliveByQuadrature(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const panels = 20_000;
  const u0 = Math.log(p.alpha + tx);
  const u1 = Math.log(p.alpha + T);
  const h = (u1 - u0) / panels;
  // Relative to the integrand at T, so large exponents stay finite.
  const logScale = -(p.r + x) * Math.log(p.alpha + T) - (p.s + 1) * Math.log(p.beta + T);
  const f = (u: number): number => {
    const tau = Math.exp(u) - p.alpha;
    return Math.exp(-(p.r + x - 1) * u - (p.s + 1) * Math.log(p.beta + tau) - logScale);
  };
  let sum = f(u0) + f(u1);
  for (let k = 1; k < panels; k++) sum += (k % 2 === 1 ? 4 : 2) * f(u0 + k * h);
  const integral = (sum * h) / 3;
  return 1 / (1 + (p.s * integral) / (p.beta + T));
}

describe('Pareto/NBD on the CDNOW sample', () => {
  it('reproduces the parameters published for CDNOW (r 0.553, α 10.578, s 0.606, β 11.669), within 0.1 %', () => {
    expect(cdnowFit.converged).toBe(true);
    expect(cdnowFit.customers).toBe(2357);
    for (const key of ['r', 'alpha', 's', 'beta'] as const) {
      expectWithinRelative(cdnowFit.params[key], PUBLISHED[key], 1e-3);
    }
    expect(cdnowFit.params.r).toBeCloseTo(PUBLISHED.r, 3);
    expect(cdnowFit.params.alpha).toBeCloseTo(PUBLISHED.alpha, 3);
    expect(cdnowFit.params.s).toBeCloseTo(PUBLISHED.s, 3);
    // β is the flattest direction of this likelihood: published 11.669, CLVTools 11.6715.
    expect(cdnowFit.params.beta).toBeCloseTo(PUBLISHED.beta, 2);
  });

  it('reaches the published log-likelihood of −9595.0', () => {
    expect(Math.abs(cdnowFit.logLikelihood - PUBLISHED_LOG_LIKELIHOOD)).toBeLessThan(0.05);
    const atPublished = paretoNbdLogLikelihood(PUBLISHED, cdnow);
    expect(Math.abs(atPublished - PUBLISHED_LOG_LIKELIHOOD)).toBeLessThan(0.05);
    expect(atPublished).toBeLessThanOrEqual(cdnowFit.logLikelihood);
    // CLVTools' optimum (−9594.976) is not better than ours.
    expect(cdnowFit.logLikelihood).toBeGreaterThanOrEqual(-9594.976);
  });

  it('gives P(alive) 0.9979 to the BTYD walkthrough customer (x = 26, t_x = 30.86, T = 31)', () => {
    // BTYD vignette ("Buy 'Til You Die – A Walkthrough", p. 8), at its parameters; also lifetimes' tests.
    const btyd: ParetoNbdParams = { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };
    expect(paretoNbdProbabilityAlive(btyd, 26, 30.86, 31)).toBeCloseTo(0.9979, 4);
  });

  it('expects 25.46 purchases in the next 52 weeks from that customer', () => {
    // BTYD walkthrough, conditional expected transactions; also lifetimes' tests.
    expect(Math.abs(paretoNbdExpectedPurchases(cdnowFit.params, 52, 26, 30.86, 31) - 25.46)).toBeLessThan(
      0.01,
    );
  });

  it('stays smooth for long, busy histories (no underflow between x = 132 and 133)', () => {
    // lifetimes' test_conditional_expectation_underflow, with its reference values.
    const params: ParetoNbdParams = { r: 0.55, alpha: 10.58, s: 0.61, beta: 11.67 };
    expect(paretoNbdExpectedPurchases(params, 10, 132, 200, 200)).toBeCloseTo(6.2060517889632418, 8);
    expect(paretoNbdExpectedPurchases(params, 10, 133, 200, 200)).toBeCloseTo(6.2528722475748113, 8);
  });

  it('agrees with P(alive) computed by quadrature, on both sides of α = β and near z = 1', () => {
    const cases: [ParetoNbdParams, number, number, number][] = [
      [PUBLISHED, 0, 0, 38.86],
      [PUBLISHED, 2, 30.43, 38.86],
      [PUBLISHED, 7, 2, 300],
      // α < β and α > β, with (α − β) / (max + t) up to 0.999: the general 2F1 takes over beyond 0.95.
      [{ r: 1.3, alpha: 0.85, s: 2.2, beta: 5.1 }, 0, 0, 10],
      [{ r: 1.3, alpha: 0.005, s: 2.2, beta: 5.1 }, 3, 0.05, 10],
      [{ r: 0.4, alpha: 80, s: 0.7, beta: 0.3 }, 0, 0, 700],
      [{ r: 0.4, alpha: 80, s: 0.7, beta: 0.08 }, 12, 0.01, 900],
      [{ r: 2, alpha: 30, s: 1, beta: 30 }, 40, 600, 1000],
    ];
    for (const [params, x, tx, T] of cases) {
      const expected = pAliveByQuadrature(params, x, tx, T);
      expect(Math.abs(paretoNbdProbabilityAlive(params, x, tx, T) - expected)).toBeLessThan(1e-9);
    }
  });

  it('lets one-time buyers fade: P(alive) falls with the time since their only purchase', () => {
    let previous = 1;
    for (const T of [1, 5, 10, 39, 78, 200]) {
      const p = paretoNbdProbabilityAlive(cdnowFit.params, 0, 0, T);
      expect(p).toBeLessThan(previous);
      previous = p;
    }
    expect(previous).toBeLessThan(0.1);
    // Who bought just now is alive for sure.
    expect(paretoNbdProbabilityAlive(cdnowFit.params, 0, 0, 0)).toBe(1);
  });

  it('keeps P(alive) in [0, 1], falling with time since the last purchase', () => {
    for (let x = 0; x < 100; x += 10) {
      for (let tx = 0; tx < 100; tx += 10) {
        let previous = Number.POSITIVE_INFINITY;
        for (let T = tx; T < 100; T += 10) {
          const p = paretoNbdProbabilityAlive(cdnowFit.params, x, tx, T);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
          expect(p).toBeLessThanOrEqual(previous);
          previous = p;
        }
      }
    }
    expect(paretoNbdProbabilityAlive(cdnowFit.params, 10, 38, 39)).toBeGreaterThan(
      paretoNbdProbabilityAlive(cdnowFit.params, 10, 5, 39),
    );
  });

  it('starts E[X(t)] at the mean purchase rate r/α and matches the conditional form for a new customer', () => {
    const { r, alpha } = cdnowFit.params;
    expect(paretoNbdUnconditionalExpectedPurchases(cdnowFit.params, 1e-6) / 1e-6).toBeCloseTo(r / alpha, 6);
    for (const t of [1, 10, 52]) {
      expect(paretoNbdExpectedPurchases(cdnowFit.params, t, 0, 0, 0)).toBeCloseTo(
        paretoNbdUnconditionalExpectedPurchases(cdnowFit.params, t),
        12,
      );
    }
    // The closed form at s = 1 is the limit of the general one.
    const atOne = { ...cdnowFit.params, s: 1 };
    expect(paretoNbdUnconditionalExpectedPurchases(atOne, 52)).toBeCloseTo(
      paretoNbdUnconditionalExpectedPurchases({ ...atOne, s: 1 + 1e-9 }, 52),
      7,
    );
  });

  it('expects more purchases over longer horizons and none over an empty one', () => {
    let previous = 0;
    for (const t of [1, 5, 26, 52, 260, 5200]) {
      const expected = paretoNbdExpectedPurchases(cdnowFit.params, t, 3, 20, 38);
      expect(expected).toBeGreaterThan(previous);
      previous = expected;
    }
    expect(paretoNbdExpectedPurchases(cdnowFit.params, 0, 3, 20, 38)).toBe(0);
  });

  it('scores many customers as the single-customer functions do', () => {
    const scores = scoreParetoNbd(cdnowFit.params, 52, cdnow);
    cdnow.frequency.forEach((x, i) => {
      const tx = cdnow.recency[i] as number;
      const T = cdnow.T[i] as number;
      expect(scores.pAlive[i]).toBe(paretoNbdProbabilityAlive(cdnowFit.params, x, tx, T));
      expect(scores.expectedPurchases[i]).toBe(paretoNbdExpectedPurchases(cdnowFit.params, 52, x, tx, T));
    });
  });
});

describe('Pareto/NBD fitting', () => {
  it('gives the same likelihood for merged identical histories as for the individual rows', () => {
    const aggregated = aggregateRfm(cdnow);
    expect(aggregated.frequency.length).toBeLessThan(cdnow.frequency.length);
    expect(paretoNbdLogLikelihood(PUBLISHED, aggregated)).toBeCloseTo(
      paretoNbdLogLikelihood(PUBLISHED, cdnow),
      6,
    );
  });

  it('does not depend on the time unit except through alpha and beta', () => {
    const inDays = fitParetoNbd({
      frequency: cdnow.frequency,
      recency: cdnow.recency.map((v) => v * 7),
      T: cdnow.T.map((v) => v * 7),
    });
    expectWithinRelative(inDays.params.r, cdnowFit.params.r, 1e-3);
    expectWithinRelative(inDays.params.alpha, cdnowFit.params.alpha * 7, 1e-3);
    expectWithinRelative(inDays.params.s, cdnowFit.params.s, 1e-3);
    expectWithinRelative(inDays.params.beta, cdnowFit.params.beta * 7, 2e-3);
    expect(paretoNbdProbabilityAlive(inDays.params, 26, 30.86 * 7, 31 * 7)).toBeCloseTo(0.9979, 4);
  });

  it('recovers the parameters of simulated customers', () => {
    const truth: ParetoNbdParams = { r: 0.8, alpha: 40, s: 0.9, beta: 300 };
    const random = seededRandom(3);
    const ages = Array.from({ length: 20_000 }, () => 1 + random() * 1094);
    const customers = simulateParetoNbd(truth, ages, 5);
    // In whole days, as the CLV model fits them: shared (x, t) pairs keep the fit fast.
    const observed = {
      frequency: customers.map((c) => c.frequency),
      recency: customers.map((c) => Math.round(c.recency)),
      T: customers.map((c) => Math.round(c.T)),
    };
    const fit = fitParetoNbd(observed, { xTolerance: 1e-4 });
    // Sampling error at 20k customers is a few per cent for the purchase process; the dropout process is
    // seen only through the customers who stopped buying, so s and β are looser.
    expectWithinRelative(fit.params.r, truth.r, 0.05);
    expectWithinRelative(fit.params.alpha, truth.alpha, 0.05);
    expectWithinRelative(fit.params.s, truth.s, 0.15);
    expectWithinRelative(fit.params.beta, truth.beta, 0.2);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(paretoNbdLogLikelihood(truth, observed));
  });

  it('is deterministic and independent of the input order', () => {
    const reversed = {
      frequency: [...cdnow.frequency].reverse(),
      recency: [...cdnow.recency].reverse(),
      T: [...cdnow.T].reverse(),
    };
    expect(fitParetoNbd(reversed).params).toEqual(cdnowFit.params);
  });
});
