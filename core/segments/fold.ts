import type { JsonRow } from '../db/duckdb.ts';
import type { SegmentBit } from './projection.ts';

/**
 * The accumulators of a preview, filled from grouped rows (stop, breakdown values, masks, weights). They are
 * additive over customers, so a threshold edit can be applied as a delta: subtract what the customers whose
 * outcome changed contributed before, add what they contribute now (preview.ts decides when that applies).
 */
export interface FoldState {
  /** reached[i]: customers whose first failed step is i; reached[k]: eligible members past every step. */
  reached: number[];
  /** Held out among those past every step (only when the holdout is a per-group count). */
  heldOut: number;
  /** Per breakdown column: value key → value and member count. */
  breakdowns: Map<string, { value: unknown; count: number }>[];
  /** Per other segment: eligible customers in both. */
  overlaps: Map<string, number>;
}

export interface FoldShape {
  /** Number of steps in the stop expression; stop = k for customers past every step. */
  k: number;
  /** First stop value that counts as eligible (the holdout step's index, else k). */
  eligibleStop: number;
  breakdownCount: number;
  /** Breakdown values of each dims_code, when the source codes them together. */
  dims?: Map<number, unknown[]>;
  others: SegmentBit[];
  /** Result column holding each other segment's mask. */
  maskColumn: string[];
}

export function emptyFold(shape: FoldShape): FoldState {
  return {
    reached: new Array<number>(shape.k + 1).fill(0),
    heldOut: 0,
    breakdowns: Array.from({ length: shape.breakdownCount }, () => new Map()),
    overlaps: new Map(shape.others.map((o) => [o.name, 0])),
  };
}

export function cloneFold(state: FoldState): FoldState {
  return {
    reached: [...state.reached],
    heldOut: state.heldOut,
    breakdowns: state.breakdowns.map((m) => new Map([...m.entries()].map(([k, v]) => [k, { ...v }]))),
    overlaps: new Map(state.overlaps),
  };
}

export function toNumber(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : Number(value ?? 0);
}

/**
 * Adds (sign 1) or removes (sign −1) the customers of one grouped row that stop at `stop`. `prefix` names the
 * row's columns: `${prefix}b0…` breakdown values (or the dims_code), `${prefix}m0…` masks.
 */
export function applyRow(
  state: FoldState,
  shape: FoldShape,
  row: JsonRow,
  stop: number,
  sign: 1 | -1,
  columns: { breakdown: (i: number) => string; mask: (name: string) => string },
): void {
  const n = toNumber(row.n) * sign;
  state.reached[stop] = (state.reached[stop] ?? 0) + n;
  if (stop === shape.k) {
    const h = toNumber(row.h) * sign;
    state.heldOut += h;
    const values = shape.dims
      ? (shape.dims.get(toNumber(row[columns.breakdown(0)])) ?? [])
      : Array.from({ length: shape.breakdownCount }, (_, i) => row[columns.breakdown(i)]);
    values.forEach((value, i) => {
      const key = `${typeof value}:${String(value)}`;
      const map = state.breakdowns[i]!;
      const entry = map.get(key) ?? { value, count: 0 };
      entry.count += n - h;
      if (entry.count === 0) map.delete(key);
      else map.set(key, entry);
    });
  }
  if (stop >= shape.eligibleStop)
    for (const other of shape.others) {
      const mask = row[columns.mask(other.name)];
      if (typeof mask === 'bigint' && (mask & other.bit) !== 0n)
        state.overlaps.set(other.name, (state.overlaps.get(other.name) ?? 0) + n);
    }
}
