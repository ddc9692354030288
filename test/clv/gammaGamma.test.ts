import { describe, expect, it } from 'vitest';
import {
  fitGammaGamma,
  gammaGammaExpectedAverageValue,
  gammaGammaLogLikelihood,
  gammaGammaPopulationMean,
} from '../../core/clv/gammaGamma.ts';
import { loadCdnowSummary } from './cdnowFixture.ts';

const cdnow = loadCdnowSummary();
const repeatBuyers = cdnow.frequency.flatMap((x, i) => (x > 0 ? [i] : []));
const spend = {
  frequency: repeatBuyers.map((i) => cdnow.frequency[i] as number),
  monetary: repeatBuyers.map((i) => cdnow.averageSpend[i] as number),
};
const fit = fitGammaGamma(spend);

describe('Gamma-Gamma on the CDNOW sample', () => {
  it('reproduces p = 6.25, q = 3.74, v = 15.44 of Fader & Hardie (2013) on the 946 repeat buyers', () => {
    expect(repeatBuyers).toHaveLength(946);
    expect(fit.customers).toBe(946);
    expect(fit.converged).toBe(true);
    expect(fit.params.p).toBeCloseTo(6.25, 2);
    expect(fit.params.q).toBeCloseTo(3.74, 2);
    expect(Math.abs(fit.params.v / 15.44 - 1)).toBeLessThan(0.01);
  });

  it("matches the lifetimes README's conditional expected average profit", () => {
    // customer 1 (x 2, m̄ 22.35), 2 (1, 11.77), 3 (one-time buyer), 6 (7, 73.74), 9 (2, 25.55)
    const cases: [number, number, number][] = [
      [2, 22.35, 24.658619],
      [1, 11.77, 18.911489],
      [0, 0, 35.170981],
      [7, 73.74, 71.462843],
      [2, 25.55, 27.282408],
    ];
    for (const [x, m, expected] of cases) {
      expect(Math.abs(gammaGammaExpectedAverageValue(fit.params, x, m) - expected)).toBeLessThan(1e-4);
    }
  });

  it("shrinks a customer's average towards the population mean, less so the more they bought", () => {
    const mean = gammaGammaPopulationMean(fit.params);
    expect(gammaGammaExpectedAverageValue(fit.params, 0, 500)).toBeCloseTo(mean, 10);
    const few = gammaGammaExpectedAverageValue(fit.params, 1, 100);
    const many = gammaGammaExpectedAverageValue(fit.params, 50, 100);
    expect(few).toBeGreaterThan(mean);
    expect(few).toBeLessThan(many);
    expect(many).toBeLessThan(100);
  });

  it('has no finite population mean when q ≤ 1', () => {
    expect(gammaGammaPopulationMean({ p: 2, q: 0.9, v: 10 })).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('Gamma-Gamma fitting', () => {
  it('scales v, and only v, with the currency unit', () => {
    const inCents = fitGammaGamma({
      frequency: spend.frequency,
      monetary: spend.monetary.map((m) => m * 100),
    });
    expect(inCents.params.p).toBeCloseTo(fit.params.p, 3);
    expect(inCents.params.q).toBeCloseTo(fit.params.q, 3);
    expect(Math.abs(inCents.params.v / (fit.params.v * 100) - 1)).toBeLessThan(1e-4);
  });

  it('skips one-time buyers and non-positive averages, and counts weights', () => {
    const withNoise = fitGammaGamma({
      frequency: [...spend.frequency, 0, 3, 2],
      monetary: [...spend.monetary, 40, 0, -5],
    });
    expect(withNoise.customers).toBe(946);
    expect(withNoise.params.p).toBeCloseTo(fit.params.p, 4);
    const doubled = gammaGammaLogLikelihood(fit.params, { ...spend, weight: spend.frequency.map(() => 2) });
    expect(doubled).toBeCloseTo(2 * fit.logLikelihood, 6);
  });

  it('refuses data without any repeat buyer', () => {
    expect(() => fitGammaGamma({ frequency: [0, 0], monetary: [10, 20] })).toThrow(/at least one customer/);
  });
});
