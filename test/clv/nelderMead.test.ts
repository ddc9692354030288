import { describe, expect, it } from 'vitest';
import { minimizeWithRestarts, nelderMead } from '../../core/clv/nelderMead.ts';

describe('nelderMead', () => {
  it('finds the minimum of a shifted quadratic', () => {
    const result = nelderMead((x) => (x[0]! - 3) ** 2 + 2 * (x[1]! + 1) ** 2 + 5, [0, 0]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(3, 6);
    expect(result.x[1]).toBeCloseTo(-1, 6);
    expect(result.value).toBeCloseTo(5, 10);
  });

  it('solves the Rosenbrock valley with restarts', () => {
    const rosenbrock = (x: readonly number[]): number => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2;
    const result = minimizeWithRestarts(rosenbrock, [[-1.2, 1]], { maxEvaluations: 5000 });
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });

  it('treats NaN as infinitely bad and stays in the valid region', () => {
    const logBarrier = (x: readonly number[]): number => (x[0]! > 0 ? x[0]! - Math.log(x[0]!) : Number.NaN);
    const result = nelderMead(logBarrier, [3], { initialStep: 5 });
    expect(result.x[0]).toBeCloseTo(1, 5);
  });

  it('is deterministic', () => {
    const f = (x: readonly number[]): number => Math.sin(3 * x[0]!) + (x[0]! - 0.3) ** 2 + x[1]! ** 4;
    expect(
      minimizeWithRestarts(f, [
        [0, 1],
        [2, -1],
      ]),
    ).toEqual(
      minimizeWithRestarts(f, [
        [0, 1],
        [2, -1],
      ]),
    );
  });
});
