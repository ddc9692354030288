import { describe, expect, it } from 'vitest';
import { hyp2f1, hyp2f1Log } from '../../core/clv/hypergeometric.ts';
import { logAbsGamma } from '../../core/clv/logGamma.ts';

/** Relative closeness of two positive numbers through their logs, so huge values compare too. */
function expectLogClose(actualLog: number, expectedLog: number, tolerance = 1e-10): void {
  expect(Math.abs(actualLog - expectedLog)).toBeLessThanOrEqual(
    tolerance * Math.max(1, Math.abs(expectedLog)),
  );
}

function expectRelativelyClose(actual: number, expected: number, tolerance = 1e-10): void {
  expect(Math.abs(actual / expected - 1)).toBeLessThanOrEqual(tolerance);
}

describe('hyp2f1', () => {
  it('matches the elementary closed forms', () => {
    for (const z of [0.3, 0.9, 0.99, 0.999999, -0.5, -10]) {
      expectRelativelyClose(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z);
    }
    expectRelativelyClose(hyp2f1(2.5, 1.3, 1.3, 0.95), Math.pow(0.05, -2.5));
    for (const x of [0.5, 0.9, 0.999]) expectRelativelyClose(hyp2f1(0.5, 0.5, 1.5, x * x), Math.asin(x) / x);
    expectRelativelyClose(hyp2f1(0.5, 1, 1.5, -9), Math.atan(3) / 3);
  });

  it('is 1 at z = 0 and when a numerator parameter is 0', () => {
    expect(hyp2f1(3.2, 1.1, 0.7, 0)).toBe(1);
    expect(hyp2f1(0, 5, 2, 0.999)).toBe(1);
  });

  it("follows Gauss's theorem at z = 1 and refuses the divergent case", () => {
    const expected = Math.exp(logAbsGamma(2.5) + logAbsGamma(1.5) - logAbsGamma(2.2) - logAbsGamma(1.8));
    expect(hyp2f1(0.3, 0.7, 2.5, 1)).toBeCloseTo(expected, 12);
    expect(hyp2f1(1.3, 0.7, 1.5, 1)).toBeNaN();
  });

  it('is undefined for z > 1 and for c at a pole', () => {
    expect(hyp2f1(1, 1, 2, 1.5)).toBeNaN();
    expect(hyp2f1(1.5, 2.5, -2, 0.3)).toBeNaN();
    expect(hyp2f1(Number.NaN, 1, 2, 0.3)).toBeNaN();
  });

  // ln|2F1| and sign from mpmath 1.3.0 (`mp.hyp2f1` at 50 digits). The first four are arguments of the BG/NBD
  // model this project used before Pareto/NBD, kept as hard cases:
  // CDNOW's published parameters (r 0.243, α 4.414, a 0.793, b 2.426), conditional for FHL's example
  // customer (x = 2, T = 38.86, t = 39 weeks) and unconditional; a one-time buyer when α is tiny (z → 1);
  // a 500-order buyer in days (value ~e^1148, far past double range).
  const reference: [string, number, number, number, number, number, 1 | -1][] = [
    ['CDNOW customer 1, x=2, t=39', 2.243, 4.426, 4.219, 0.4740258161752194, 1.5206757450090227, 1],
    ['CDNOW unconditional, t=78', 0.243, 2.426, 2.219, 0.9464411386414929, 0.8712957074757659, 1],
    ['one-time buyer, z near 1', 0.243, 2.426, 2.219, 0.9986320109439124, 2.275072374791573, 1],
    ['500 repeat orders', 500.243, 502.426, 502.219, 0.8992406959383884, 1148.5423923305575, 1],
    ['c − a − b = 0 near z = 1', 1.5, 2.5, 4, 0.999, 3.2444769253632453, 1],
    ['c − a − b = 1 near z = 1', 1.5, 2.5, 5, 0.99, 1.5814580185697542, 1],
    ['c − a − b = −1 near z = 1', 0.25, 3.5, 2.75, 0.9999, 7.198840173472925, 1],
    ['c − a − b = −2 near z = 1', 1.25, 1.75, 1, 0.95, 6.164871127176711, 1],
    ['c − a − b within 1e-7 of an integer', 0.7, 1.3, 2.0000001, 0.98, 1.2871669846528837, 1],
    ['negative z (Pfaff)', 0.8, 2.2, 3.1, -30, -2.367855599519293, 1],
    ['terminating polynomial', -3, 2, 1.5, 0.4, -2.976490027331596, 1],
    ['large c', 2, 3, 80, 0.9, 0.06986063667053344, 1],
  ];
  it.each(reference)('matches mpmath: %s', (_name, a, b, c, z, expectedLog, expectedSign) => {
    const value = hyp2f1Log(a, b, c, z);
    expect(value.sign).toBe(expectedSign);
    expectLogClose(value.logAbs, expectedLog, 1e-9);
  });

  it('keeps values beyond double range in log form while hyp2f1 overflows', () => {
    expect(hyp2f1Log(500.243, 502.426, 502.219, 0.999).logAbs).toBeGreaterThan(3000);
    expect(hyp2f1(500.243, 502.426, 502.219, 0.999)).toBe(Number.POSITIVE_INFINITY);
  });

  it('is accurate over a wide CLV parameter range, frequencies 0–400 and z up to 1 − 1e-5', () => {
    // Identity check independent of any reference table: Euler's transformation relates two evaluations
    // that go through different code paths (series in z vs. the connection formula near 1).
    for (const x of [0, 1, 3, 12, 60, 400]) {
      for (const z of [0.2, 0.6, 0.91, 0.99, 0.99999]) {
        const [r, a, b] = [0.35, 0.7, 4.2];
        const direct = hyp2f1Log(r + x, b + x, a + b + x - 1, z);
        const euler = hyp2f1Log(a + b - 1 - r, a - 1, a + b + x - 1, z);
        expect(direct.sign).toBe(euler.sign);
        expectLogClose(direct.logAbs, euler.logAbs + (a - 1 - r - x) * Math.log1p(-z), 1e-9);
      }
    }
  });
});
