import { describe, expect, it } from 'vitest';
import {
  PARETO_NBD_FALLBACK_PARAMS,
  computeClvScores,
  type ClvInput,
  type ClvScores,
} from '../../core/clv/clvScores.ts';
import { seededRandom, simulateParetoNbd } from './simulateParetoNbd.ts';

function input(rows: { frequency: number; recency: number; T: number; monetary: number }[]): ClvInput {
  return {
    frequency: Float64Array.from(rows, (r) => r.frequency),
    recency: Float64Array.from(rows, (r) => r.recency),
    T: Float64Array.from(rows, (r) => r.T),
    monetary: Float64Array.from(rows, (r) => r.monetary),
  };
}

/** A retail-like Pareto/NBD shop in days: mean purchase rate r/α = 1 per 50 days, dropout rate s/β = 1 per 333 days. */
const SIMULATED = { r: 0.8, alpha: 40, s: 0.9, beta: 300 };

function simulatedShop(count: number, seed: number, maxAge = 730): ClvInput {
  const random = seededRandom(seed);
  const ages = Array.from({ length: count }, () => 1 + random() * (maxAge - 1));
  const customers = simulateParetoNbd(SIMULATED, ages, seed + 1);
  return input(customers.map((c) => ({ ...c, monetary: 15 + 60 * random() })));
}

function expectSaneScores(scores: ClvScores): void {
  for (const values of Object.values(scores) as Float64Array[]) {
    for (const value of values) {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
    }
  }
  for (const p of scores.pAlive) expect(p).toBeLessThanOrEqual(1);
  scores.predictedClv.forEach((clv, i) => {
    expect(clv).toBeCloseTo(
      (scores.expectedPurchases[i] as number) * (scores.expectedOrderValue[i] as number),
      9,
    );
  });
}

describe('computeClvScores', () => {
  it('fits both models on a normal shop and scores every buyer', () => {
    const shop = simulatedShop(3000, 1);
    const result = computeClvScores(shop);
    expect(result.paretoNbd.source).toBe('fit');
    expect(result.gammaGamma.source).toBe('fit');
    expect(result.warnings).toEqual([]);
    expect(result.scores.pAlive).toHaveLength(3000);
    expectSaneScores(result.scores);
  });

  it('returns empty scores with warnings when there are no buyers', () => {
    const result = computeClvScores(input([]));
    expect(result.scores.predictedClv).toHaveLength(0);
    expect(result.paretoNbd).toEqual({ params: PARETO_NBD_FALLBACK_PARAMS, source: 'fallback' });
    expect(result.gammaGamma.source).toBe('observed');
    expect(result.warnings.join('\n')).toMatch(/Pareto\/NBD not fitted: 0 buyers/);
  });

  it('falls back to the documented defaults for a shop with a handful of buyers', () => {
    const result = computeClvScores(
      input([
        { frequency: 3, recency: 100, T: 120, monetary: 40 },
        { frequency: 0, recency: 0, T: 10, monetary: 25 },
        { frequency: 1, recency: 5, T: 300, monetary: 60 },
      ]),
    );
    expect(result.paretoNbd.source).toBe('fallback');
    expect(result.paretoNbd.params).toEqual(PARETO_NBD_FALLBACK_PARAMS);
    expect(result.gammaGamma.source).toBe('observed');
    expect(Array.from(result.scores.expectedOrderValue)).toEqual([40, 25, 60]);
    expect(result.warnings).toHaveLength(2);
    expectSaneScores(result.scores);
  });

  it('falls back when nobody ever ordered twice, where Pareto/NBD has no finite maximum', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      frequency: 0,
      recency: 0,
      T: 1 + i * 3,
      monetary: 30 + (i % 7),
    }));
    const result = computeClvScores(input(rows));
    expect(result.paretoNbd.source).toBe('fallback');
    expect(result.warnings[0]).toMatch(/0 with repeat orders/);
    expect(result.gammaGamma.source).toBe('observed');
    // Older one-time buyers are less likely to be still there, and expected to buy less.
    for (let i = 1; i < rows.length; i++) {
      expect(result.scores.pAlive[i]).toBeLessThan(result.scores.pAlive[i - 1] as number);
    }
    expect(result.scores.expectedPurchases[0]).toBeGreaterThan(
      result.scores.expectedPurchases[199] as number,
    );
    expectSaneScores(result.scores);
  });

  it('gives one-time buyers who never came back a low p_alive, and recent ones a high one', () => {
    // Three years of history, as the demo shop has.
    const shop = simulatedShop(6000, 11, 1095);
    const { pAlive } = computeClvScores(shop).scores;
    const median = (values: number[]): number => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)] as number;
    };
    const oneTime = (keep: (T: number) => boolean): number[] =>
      Array.from(pAlive).filter((_, i) => shop.frequency[i] === 0 && keep(shop.T[i] as number));
    const longGone = oneTime((T) => T > 700);
    const recent = oneTime((T) => T <= 60);
    expect(longGone.length).toBeGreaterThan(100);
    expect(recent.length).toBeGreaterThan(20);
    expect(median(longGone)).toBeLessThan(0.3);
    expect(median(recent)).toBeGreaterThan(median(longGone));
    // Among repeat buyers, a long silence costs more than a short one.
    const repeat = (keep: (silence: number) => boolean): number[] =>
      Array.from(pAlive).filter(
        (_, i) =>
          (shop.frequency[i] as number) >= 2 && keep((shop.T[i] as number) - (shop.recency[i] as number)),
      );
    expect(median(repeat((d) => d > 365))).toBeLessThan(median(repeat((d) => d <= 60)));
  });

  it('never emits NaN or Infinity, whatever the input', () => {
    const shop = simulatedShop(500, 9);
    const rows = Array.from({ length: 500 }, (_, i) => ({
      frequency: shop.frequency[i] as number,
      recency: shop.recency[i] as number,
      T: shop.T[i] as number,
      monetary: shop.monetary[i] as number,
    }));
    rows.push(
      { frequency: 5000, recency: 700, T: 700, monetary: 20 },
      { frequency: 2, recency: 0, T: 0, monetary: 20 },
      { frequency: 3, recency: 10, T: 20, monetary: Number.NaN },
      { frequency: 3, recency: 10, T: 20, monetary: -50 },
      { frequency: 1, recency: 10, T: Number.NaN, monetary: 30 },
      { frequency: 0, recency: 0, T: 1e9, monetary: 1e12 },
    );
    const result = computeClvScores(input(rows));
    expectSaneScores(result.scores);
    expect(result.warnings.join('\n')).toMatch(/non-finite CLV values were replaced/);
    // The impossible rows are scored, but do not spoil the fit for everyone else.
    expect(result.paretoNbd.source).toBe('fit');
    expect(result.gammaGamma.source).toBe('fit');
  });

  it('uses observed averages when spend is too heavy-tailed for a finite Gamma-Gamma mean', () => {
    const random = seededRandom(4);
    const rows = Array.from({ length: 400 }, () => ({
      frequency: 1,
      recency: 50,
      T: 200,
      // Pareto(0.6) spend: no finite mean, so the fit lands on q ≤ 1.
      monetary: 10 / Math.pow(1 - random(), 1 / 0.6),
    }));
    const result = computeClvScores(input(rows));
    expect(result.gammaGamma.source).toBe('observed');
    expect(result.gammaGamma.fit?.params.q).toBeLessThanOrEqual(1);
    expect(result.warnings.join('\n')).toMatch(/q must exceed 1/);
    result.scores.expectedOrderValue.forEach((value, i) => expect(value).toBe(rows[i]?.monetary));
  });

  it('fits large shops on a deterministic sample, warm-started from a smaller one', () => {
    const shop = simulatedShop(12_000, 21);
    const options = { maxFitCustomers: 4000, warmStartCustomers: 1000 };
    const first = computeClvScores(shop, options);
    const second = computeClvScores(shop, options);
    expect(first.paretoNbd.fit?.customers).toBeGreaterThan(3600);
    expect(first.paretoNbd.fit?.customers).toBeLessThan(4400);
    expect(first.paretoNbd.params).toEqual(second.paretoNbd.params);
    expect(first.scores).toEqual(second.scores);
    expect(Math.abs(first.paretoNbd.params.r / SIMULATED.r - 1)).toBeLessThan(0.15);
    expect(Math.abs(first.paretoNbd.params.alpha / SIMULATED.alpha - 1)).toBeLessThan(0.15);
  });
});
