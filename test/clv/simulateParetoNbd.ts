import type { ParetoNbdParams } from '../../core/clv/paretoNbd.ts';

/** Small seeded PRNG (mulberry32) so simulated shops are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, rate 1) by Marsaglia & Tsang (2000), with the usual boost for shape < 1. */
export function sampleGamma(shape: number, random: () => number): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = standardNormal(random);
    const v = Math.pow(1 + c * x, 3);
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export interface SimulatedCustomer {
  frequency: number;
  recency: number;
  T: number;
}

/**
 * Draws customers from the Pareto/NBD generative story (as `lifetimes.generate_data.pareto_nbd_model` does):
 * λ ~ Gamma(r, α), μ ~ Gamma(s, β); the customer is alive for an Exponential(μ) time from their first purchase
 * and, while alive, buys as a Poisson(λ) process. Observed until T.
 */
export function simulateParetoNbd(
  params: ParetoNbdParams,
  ages: readonly number[],
  seed: number,
): SimulatedCustomer[] {
  const random = seededRandom(seed);
  return ages.map((T) => {
    const lambda = sampleGamma(params.r, random) / params.alpha;
    const mu = sampleGamma(params.s, random) / params.beta;
    const lifetime = -Math.log(1 - random()) / mu;
    const end = Math.min(T, lifetime);
    let time = 0;
    let frequency = 0;
    let recency = 0;
    for (;;) {
      time += -Math.log(1 - random()) / lambda;
      if (time > end) break;
      frequency++;
      recency = time;
    }
    return { frequency, recency, T };
  });
}
