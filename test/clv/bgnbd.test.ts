import { describe, expect, it } from 'vitest';
import {
  bgnbdExpectedPurchases,
  bgnbdLogLikelihood,
  bgnbdProbabilityAlive,
  bgnbdUnconditionalExpectedPurchases,
  fitBgNbd,
  type BgNbdParams,
} from '../../core/clv/bgnbd.ts';
import { aggregateRfm } from '../../core/clv/rfmSummary.ts';
import { loadCdnowSummary } from './cdnowFixture.ts';
import { seededRandom, simulateBgNbd } from './simulateBgNbd.ts';

const cdnow = loadCdnowSummary();
const cdnowFit = fitBgNbd(cdnow);
/** Fader, Hardie & Lee (2005), section 5: the CDNOW calibration fit (time unit weeks). */
const PUBLISHED: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const PUBLISHED_LOG_LIKELIHOOD = -9582.4;

function expectWithinRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual / expected - 1)).toBeLessThanOrEqual(tolerance);
}

describe('BG/NBD on the CDNOW sample', () => {
  it('reproduces the parameters Fader, Hardie & Lee (2005) published, within 1 %', () => {
    expect(cdnowFit.converged).toBe(true);
    expect(cdnowFit.customers).toBe(2357);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expectWithinRelative(cdnowFit.params[key], PUBLISHED[key], 0.01);
    }
    // And they agree to the three decimals printed in the paper.
    expect(cdnowFit.params.r).toBeCloseTo(PUBLISHED.r, 3);
    expect(cdnowFit.params.alpha).toBeCloseTo(PUBLISHED.alpha, 3);
    expect(cdnowFit.params.a).toBeCloseTo(PUBLISHED.a, 3);
    expect(cdnowFit.params.b).toBeCloseTo(PUBLISHED.b, 3);
  });

  it('reaches the published log-likelihood of −9582.4', () => {
    expect(Math.abs(cdnowFit.logLikelihood - PUBLISHED_LOG_LIKELIHOOD)).toBeLessThan(0.1);
    // The published (rounded) parameters score a hair below the optimum.
    const atPublished = bgnbdLogLikelihood(PUBLISHED, cdnow);
    expect(Math.abs(atPublished - PUBLISHED_LOG_LIKELIHOOD)).toBeLessThan(0.1);
    expect(atPublished).toBeLessThanOrEqual(cdnowFit.logLikelihood);
  });

  it("expects 1.226 purchases in the next 39 weeks from FHL's example customer (x=2, t_x=30.43, T=38.86)", () => {
    // Fader, Hardie & Lee (2005), section 5 / Hardie's spreadsheet; also lifetimes' test suite.
    expect(bgnbdExpectedPurchases(cdnowFit.params, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
  });

  it("matches Hardie's spreadsheet for E[X(t)] of a newly acquired customer", () => {
    // Values as quoted in lifetimes' tests (test_expectation_returns_same_value_Hardie_excel_sheet).
    const times = [0.1429, 1, 3, 31.8571, 32, 78];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => {
      expect(
        Math.abs(bgnbdUnconditionalExpectedPurchases(cdnowFit.params, t) - (expected[i] as number)),
      ).toBeLessThan(1e-3);
    });
  });

  it("matches the lifetimes README's top-5 expected purchases for the next week", () => {
    const rows: [number, number, number, number][] = [
      [18, 35.14, 35.86, 0.424877],
      [19, 34.0, 34.14, 0.474738],
      [17, 28.43, 28.86, 0.486526],
      [29, 37.71, 38.0, 0.662396],
      [26, 30.86, 31.0, 0.710623],
    ];
    for (const [x, tx, T, expected] of rows) {
      expect(Math.abs(bgnbdExpectedPurchases(cdnowFit.params, 1, x, tx, T) - expected)).toBeLessThan(1e-5);
    }
  });

  it('gives P(alive) as the lifetimes formula does, and 1 without repeat purchases', () => {
    // 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) evaluated independently in numpy at the fitted parameters.
    expect(bgnbdProbabilityAlive(cdnowFit.params, 2, 30.43, 38.86)).toBeCloseTo(0.726609, 5);
    expect(bgnbdProbabilityAlive(cdnowFit.params, 7, 29.43, 38.86)).toBeCloseTo(0.641801, 5);
    expect(bgnbdProbabilityAlive(cdnowFit.params, 0, 0, 38.86)).toBe(1);
  });

  it('keeps P(alive) in [0, 1], falling with time since the last purchase', () => {
    for (let x = 0; x < 100; x += 10) {
      for (let tx = 0; tx < 100; tx += 10) {
        let previous = Number.POSITIVE_INFINITY;
        for (let T = tx; T < 100; T += 10) {
          const p = bgnbdProbabilityAlive(cdnowFit.params, x, tx, T);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
          expect(p).toBeLessThanOrEqual(previous);
          previous = p;
        }
      }
    }
    expect(bgnbdProbabilityAlive(cdnowFit.params, 10, 38, 39)).toBeGreaterThan(
      bgnbdProbabilityAlive(cdnowFit.params, 10, 5, 39),
    );
  });

  it('reduces the conditional expectation to E[X(t)] for a customer acquired just now', () => {
    for (const t of [1, 10, 52]) {
      expect(bgnbdExpectedPurchases(cdnowFit.params, t, 0, 0, 0)).toBeCloseTo(
        bgnbdUnconditionalExpectedPurchases(cdnowFit.params, t),
        12,
      );
    }
  });

  it('expects more purchases over longer horizons and none over an empty one', () => {
    let previous = 0;
    for (const t of [1, 5, 26, 52, 260, 5200]) {
      const expected = bgnbdExpectedPurchases(cdnowFit.params, t, 3, 20, 38);
      expect(expected).toBeGreaterThan(previous);
      previous = expected;
    }
    expect(bgnbdExpectedPurchases(cdnowFit.params, 0, 3, 20, 38)).toBe(0);
  });
});

describe('BG/NBD fitting', () => {
  it('gives the same likelihood for merged identical histories as for the individual rows', () => {
    const aggregated = aggregateRfm(cdnow);
    expect(aggregated.frequency.length).toBeLessThan(cdnow.frequency.length);
    expect(aggregated.weight.reduce((s, w) => s + w, 0)).toBe(2357);
    expect(bgnbdLogLikelihood(PUBLISHED, aggregated)).toBeCloseTo(bgnbdLogLikelihood(PUBLISHED, cdnow), 6);
  });

  it('does not depend on the time unit except through alpha', () => {
    const inDays = fitBgNbd({
      frequency: cdnow.frequency,
      recency: cdnow.recency.map((v) => v * 7),
      T: cdnow.T.map((v) => v * 7),
    });
    expectWithinRelative(inDays.params.r, cdnowFit.params.r, 1e-4);
    expectWithinRelative(inDays.params.alpha, cdnowFit.params.alpha * 7, 1e-4);
    expectWithinRelative(inDays.params.a, cdnowFit.params.a, 1e-4);
    expectWithinRelative(inDays.params.b, cdnowFit.params.b, 1e-4);
    expect(bgnbdExpectedPurchases(inDays.params, 39 * 7, 2, 30.43 * 7, 38.86 * 7)).toBeCloseTo(1.226, 3);
  });

  it('recovers the parameters of simulated customers', () => {
    const truth: BgNbdParams = { r: 0.5, alpha: 20, a: 0.8, b: 3 };
    const random = seededRandom(3);
    const ages = Array.from({ length: 20_000 }, () => 1 + random() * 729);
    const customers = simulateBgNbd(truth, ages, 5);
    const observed = {
      frequency: customers.map((c) => c.frequency),
      recency: customers.map((c) => c.recency),
      T: customers.map((c) => c.T),
    };
    const fit = fitBgNbd(observed);
    // Sampling error at 20k customers is a few per cent; a and b are the least well identified.
    expectWithinRelative(fit.params.r, truth.r, 0.08);
    expectWithinRelative(fit.params.alpha, truth.alpha, 0.08);
    expectWithinRelative(fit.params.a, truth.a, 0.15);
    expectWithinRelative(fit.params.b, truth.b, 0.2);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdLogLikelihood(truth, observed));
  });

  it('is deterministic and independent of the input order', () => {
    const reversed = {
      frequency: [...cdnow.frequency].reverse(),
      recency: [...cdnow.recency].reverse(),
      T: [...cdnow.T].reverse(),
    };
    expect(fitBgNbd(reversed).params).toEqual(cdnowFit.params);
  });
});
