import { describe, expect, it } from 'vitest';
import { gammaSign, logAbsGamma, sinPi } from '../../core/clv/logGamma.ts';

describe('logAbsGamma', () => {
  it('matches factorials and half-integer values', () => {
    expect(logAbsGamma(1)).toBeCloseTo(0, 14);
    expect(logAbsGamma(2)).toBeCloseTo(0, 14);
    expect(logAbsGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logAbsGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logAbsGamma(101)).toBeCloseTo(363.73937555556347, 9); // ln(100!)
    expect(logAbsGamma(1e-8)).toBeCloseTo(-Math.log(1e-8) - 0.5772156649015329e-8, 9);
  });

  it('handles negative non-integers through reflection and is infinite at the poles', () => {
    expect(logAbsGamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 13);
    expect(gammaSign(-0.5)).toBe(-1);
    expect(logAbsGamma(-1.5)).toBeCloseTo(Math.log((4 / 3) * Math.sqrt(Math.PI)), 13);
    expect(gammaSign(-1.5)).toBe(1);
    expect(logAbsGamma(0)).toBe(Number.POSITIVE_INFINITY);
    expect(logAbsGamma(-3)).toBe(Number.POSITIVE_INFINITY);
    expect(gammaSign(-3)).toBe(0);
    expect(gammaSign(2.5)).toBe(1);
  });

  it('sinPi is exact at integers and keeps precision near them', () => {
    expect(sinPi(7)).toBe(0);
    expect(sinPi(-2)).toBe(0);
    expect(sinPi(0.5)).toBe(1);
    const tiny = 2 ** -30; // exactly representable next to 3, unlike 1e-9
    expect(sinPi(3 + tiny) / (-Math.PI * tiny)).toBeCloseTo(1, 14);
  });
});
