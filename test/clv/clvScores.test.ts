import { describe, expect, it } from 'vitest';
import {
  BGNBD_FALLBACK_PARAMS,
  computeClvScores,
  type ClvInput,
  type ClvScores,
} from '../../core/clv/clvScores.ts';
import { seededRandom, simulateBgNbd } from './simulateBgNbd.ts';

function input(rows: { frequency: number; recency: number; T: number; monetary: number }[]): ClvInput {
  return {
    frequency: Float64Array.from(rows, (r) => r.frequency),
    recency: Float64Array.from(rows, (r) => r.recency),
    T: Float64Array.from(rows, (r) => r.T),
    monetary: Float64Array.from(rows, (r) => r.monetary),
  };
}

function simulatedShop(count: number, seed: number): ClvInput {
  const random = seededRandom(seed);
  const ages = Array.from({ length: count }, () => 1 + random() * 729);
  const customers = simulateBgNbd({ r: 0.5, alpha: 20, a: 0.8, b: 3 }, ages, seed + 1);
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
    expect(result.bgnbd.source).toBe('fit');
    expect(result.gammaGamma.source).toBe('fit');
    expect(result.warnings).toEqual([]);
    expect(result.scores.pAlive).toHaveLength(3000);
    expectSaneScores(result.scores);
  });

  it('returns empty scores with warnings when there are no buyers', () => {
    const result = computeClvScores(input([]));
    expect(result.scores.predictedClv).toHaveLength(0);
    expect(result.bgnbd).toEqual({ params: BGNBD_FALLBACK_PARAMS, source: 'fallback' });
    expect(result.gammaGamma.source).toBe('observed');
    expect(result.warnings.join('\n')).toMatch(/BG\/NBD not fitted: 0 buyers/);
  });

  it('falls back to the documented defaults for a shop with a handful of buyers', () => {
    const result = computeClvScores(
      input([
        { frequency: 3, recency: 100, T: 120, monetary: 40 },
        { frequency: 0, recency: 0, T: 10, monetary: 25 },
        { frequency: 1, recency: 5, T: 300, monetary: 60 },
      ]),
    );
    expect(result.bgnbd.source).toBe('fallback');
    expect(result.bgnbd.params).toEqual(BGNBD_FALLBACK_PARAMS);
    expect(result.gammaGamma.source).toBe('observed');
    expect(Array.from(result.scores.expectedOrderValue)).toEqual([40, 25, 60]);
    expect(result.warnings).toHaveLength(2);
    expectSaneScores(result.scores);
  });

  it('falls back when nobody ever ordered twice, where BG/NBD has no finite maximum', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      frequency: 0,
      recency: 0,
      T: 1 + i * 3,
      monetary: 30 + (i % 7),
    }));
    const result = computeClvScores(input(rows));
    expect(result.bgnbd.source).toBe('fallback');
    expect(result.warnings[0]).toMatch(/0 with repeat orders/);
    expect(result.gammaGamma.source).toBe('observed');
    for (const p of result.scores.pAlive) expect(p).toBe(1);
    // Older one-time buyers are expected to buy less.
    expect(result.scores.expectedPurchases[0]).toBeGreaterThan(
      result.scores.expectedPurchases[199] as number,
    );
    expectSaneScores(result.scores);
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
    expect(result.bgnbd.source).toBe('fit');
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
    expect(first.bgnbd.fit?.customers).toBeGreaterThan(3600);
    expect(first.bgnbd.fit?.customers).toBeLessThan(4400);
    expect(first.bgnbd.params).toEqual(second.bgnbd.params);
    expect(first.scores).toEqual(second.scores);
    expect(Math.abs(first.bgnbd.params.r / 0.5 - 1)).toBeLessThan(0.15);
    expect(Math.abs(first.bgnbd.params.alpha / 20 - 1)).toBeLessThan(0.15);
  });
});
