/**
 * Per-customer purchase histories in the form the Pareto/NBD and Gamma-Gamma models take, column-wise so a
 * million customers stay a few typed arrays.
 */
export interface RfmSummary {
  /** x: number of repeat purchases (orders − 1). */
  frequency: ArrayLike<number>;
  /** t_x: time from the first to the last purchase. */
  recency: ArrayLike<number>;
  /** T: time from the first purchase to the end of observation. */
  T: ArrayLike<number>;
  /** How many customers share the row; 1 each when omitted. */
  weight?: ArrayLike<number>;
}

/** The same histories with identical (x, t_x, T) rows merged, summing their weights. */
export interface AggregatedRfm {
  frequency: Float64Array;
  recency: Float64Array;
  T: Float64Array;
  weight: Float64Array;
}

/**
 * Merges identical (x, t_x, T) rows. The result is sorted by (x, t_x, T), so it — and every sum over it — does
 * not depend on the input order.
 */
export function aggregateRfm(summary: RfmSummary): AggregatedRfm {
  const n = summary.frequency.length;
  if (
    summary.recency.length !== n ||
    summary.T.length !== n ||
    (summary.weight && summary.weight.length !== n)
  ) {
    throw new Error('aggregateRfm: frequency, recency, T and weight must have the same length');
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const { frequency: x, recency: tx, T } = summary;
  order.sort(
    (i, j) =>
      (x[i] as number) - (x[j] as number) ||
      (tx[i] as number) - (tx[j] as number) ||
      (T[i] as number) - (T[j] as number),
  );
  const outX: number[] = [];
  const outTx: number[] = [];
  const outT: number[] = [];
  const outW: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    const w = summary.weight ? (summary.weight[i] as number) : 1;
    const last = outX.length - 1;
    if (last >= 0 && outX[last] === x[i] && outTx[last] === tx[i] && outT[last] === T[i]) {
      outW[last] = (outW[last] as number) + w;
    } else {
      outX.push(x[i] as number);
      outTx.push(tx[i] as number);
      outT.push(T[i] as number);
      outW.push(w);
    }
  }
  return {
    frequency: Float64Array.from(outX),
    recency: Float64Array.from(outTx),
    T: Float64Array.from(outT),
    weight: Float64Array.from(outW),
  };
}
