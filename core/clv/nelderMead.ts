/**
 * Derivative-free minimisation (Nelder & Mead 1965) for the handful of parameters of the CLV models.
 * Deterministic: the same function and start give the same result.
 */

export type Objective = (x: readonly number[]) => number;

export interface NelderMeadOptions {
  /** Stop when every vertex is within this distance (per coordinate) of the best one. */
  xTolerance?: number;
  /** …and every vertex's value within this of the best value. */
  fTolerance?: number;
  maxEvaluations?: number;
  /** Edge length of the initial simplex along each axis. */
  initialStep?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

export interface RestartOptions extends NelderMeadOptions {
  /** Restarts from the best point found, with a fresh simplex, until one improves by less than fTolerance. */
  maxRestarts?: number;
}

const DEFAULTS = {
  xTolerance: 1e-8,
  fTolerance: 1e-10,
  maxEvaluations: 5000,
  initialStep: 0.5,
} as const;

// Standard coefficients: reflection, expansion, contraction, shrink.
const REFLECT = 1;
const EXPAND = 2;
const CONTRACT = 0.5;
const SHRINK = 0.5;

/** NaN (e.g. a parameter outside the model's domain) is treated as +Infinity so the simplex moves away. */
function safe(f: Objective): Objective {
  return (x) => {
    const value = f(x);
    return Number.isNaN(value) ? Number.POSITIVE_INFINITY : value;
  };
}

export function nelderMead(
  objective: Objective,
  start: readonly number[],
  options: NelderMeadOptions = {},
): MinimizeResult {
  const xTolerance = options.xTolerance ?? DEFAULTS.xTolerance;
  const fTolerance = options.fTolerance ?? DEFAULTS.fTolerance;
  const maxEvaluations = options.maxEvaluations ?? DEFAULTS.maxEvaluations;
  const step = options.initialStep ?? DEFAULTS.initialStep;
  const f = safe(objective);
  const n = start.length;
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations++;
    return f(x);
  };

  const simplex: number[][] = [Array.from(start)];
  for (let i = 0; i < n; i++) {
    const vertex = Array.from(start);
    vertex[i] = (vertex[i] as number) + step;
    simplex.push(vertex);
  }
  const values = simplex.map(evaluate);

  const order = (): void => {
    const indices = simplex
      .map((_, i) => i)
      .sort((i, j) => (values[i] as number) - (values[j] as number) || i - j);
    const sortedSimplex = indices.map((i) => simplex[i] as number[]);
    const sortedValues = indices.map((i) => values[i] as number);
    for (let i = 0; i <= n; i++) {
      simplex[i] = sortedSimplex[i] as number[];
      values[i] = sortedValues[i] as number;
    }
  };
  const along = (from: number[], towards: number[], coefficient: number): number[] =>
    from.map((v, k) => v + coefficient * (v - (towards[k] as number)));

  let converged = false;
  while (evaluations < maxEvaluations) {
    order();
    const best = simplex[0] as number[];
    const bestValue = values[0] as number;
    let spreadX = 0;
    let spreadF = 0;
    for (let i = 1; i <= n; i++) {
      const vertex = simplex[i] as number[];
      for (let k = 0; k < n; k++)
        spreadX = Math.max(spreadX, Math.abs((vertex[k] as number) - (best[k] as number)));
      spreadF = Math.max(spreadF, Math.abs((values[i] as number) - bestValue));
    }
    if (spreadX <= xTolerance && spreadF <= fTolerance) {
      converged = true;
      break;
    }

    const worst = simplex[n] as number[];
    const worstValue = values[n] as number;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      const vertex = simplex[i] as number[];
      for (let k = 0; k < n; k++) centroid[k] = (centroid[k] as number) + (vertex[k] as number) / n;
    }

    const reflected = along(centroid, worst, REFLECT);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < bestValue) {
      const expanded = along(centroid, worst, EXPAND);
      const expandedValue = evaluate(expanded);
      if (expandedValue < reflectedValue) {
        simplex[n] = expanded;
        values[n] = expandedValue;
      } else {
        simplex[n] = reflected;
        values[n] = reflectedValue;
      }
      continue;
    }
    if (reflectedValue < (values[n - 1] as number)) {
      simplex[n] = reflected;
      values[n] = reflectedValue;
      continue;
    }
    // Contract towards the better of the reflected point and the worst vertex.
    const outside = reflectedValue < worstValue;
    const contracted = along(centroid, worst, outside ? CONTRACT : -CONTRACT);
    const contractedValue = evaluate(contracted);
    if (contractedValue < (outside ? reflectedValue : worstValue)) {
      simplex[n] = contracted;
      values[n] = contractedValue;
      continue;
    }
    for (let i = 1; i <= n; i++) {
      const vertex = simplex[i] as number[];
      simplex[i] = vertex.map((v, k) => (best[k] as number) + SHRINK * (v - (best[k] as number)));
      values[i] = evaluate(simplex[i] as number[]);
    }
  }
  order();
  return { x: Array.from(simplex[0] as number[]), value: values[0] as number, evaluations, converged };
}

/**
 * Nelder–Mead from each start, each followed by restarts from its best point (a collapsed simplex can stall
 * short of the optimum); returns the best result overall.
 */
export function minimizeWithRestarts(
  objective: Objective,
  starts: readonly (readonly number[])[],
  options: RestartOptions = {},
): MinimizeResult {
  const maxRestarts = options.maxRestarts ?? 5;
  const fTolerance = options.fTolerance ?? DEFAULTS.fTolerance;
  let best: MinimizeResult | null = null;
  let evaluations = 0;
  for (const start of starts) {
    let current = nelderMead(objective, start, options);
    evaluations += current.evaluations;
    for (let restart = 0; restart < maxRestarts; restart++) {
      const next = nelderMead(objective, current.x, options);
      evaluations += next.evaluations;
      const improvement = current.value - next.value;
      if (next.value <= current.value) current = next;
      if (!(improvement > fTolerance)) break;
    }
    if (best === null || current.value < best.value) best = current;
  }
  if (best === null) throw new Error('minimizeWithRestarts needs at least one start');
  return { ...best, evaluations };
}
