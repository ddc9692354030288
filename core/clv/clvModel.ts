import { DuckDBDataChunk, DOUBLE, INTEGER, type DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, type Database } from '../db/duckdb.ts';
import type { CodeModel, CodeModelContext, ColumnDoc } from '../models/types.ts';
import {
  CLV_HORIZON_DAYS,
  computeClvScores,
  type ClvComputation,
  type ClvInput,
  type ClvOptions,
} from './clvScores.ts';

/**
 * `int_customer__clv`: Pareto/NBD + Gamma-Gamma scores per buyer (sql/DEFINITIONS.md, Scores → predicted_clv_12m,
 * p_alive), fitted on this shop's buyers at every build.
 *
 * Customer ids never cross into JavaScript: reading a million strings through the client costs seconds. The
 * buyers are numbered in customer_id order inside DuckDB, only their numbers are read, the scores come back
 * through the appender keyed by that row number, and the target is joined together in SQL.
 */

const DAY_SECONDS = 86_400;
/** DuckDB's vector size: appending whole chunks is far cheaper than value by value. */
const CHUNK_ROWS = 2048;

const columns: ColumnDoc[] = [
  {
    name: 'customer_id',
    description: 'Buyer (total_orders ≥ 1) from int_customer__order_metrics; prospects have no row here.',
    tests: [
      'unique',
      'not_null',
      { relationships: { to: 'int_customer__order_metrics', field: 'customer_id' } },
    ],
  },
  {
    name: 'p_alive',
    description:
      'Pareto/NBD probability that the customer is still active at as_of, from their order count and the ' +
      'time since their last order relative to their history: customers may leave at any time, so it falls ' +
      'for one-time buyers who never came back too.',
    tests: ['not_null', { expression: 'p_alive between 0 and 1' }],
  },
  {
    name: 'expected_purchases_12m',
    description: `Pareto/NBD expected number of orders in the ${CLV_HORIZON_DAYS} days after as_of (time unit: days).`,
    tests: ['not_null', { expression: 'expected_purchases_12m >= 0' }],
  },
  {
    name: 'expected_order_value',
    description:
      'Gamma-Gamma expected average order value (EUR), fitted on repeat buyers with their average order ' +
      "value lifetime_revenue / total_orders: the customer's own average shrunk towards the shop mean, the " +
      "shop mean for one-time buyers. Each customer's own average when the shop has too few repeat buyers.",
    tests: ['not_null', { expression: 'expected_order_value >= 0' }],
  },
  {
    name: 'predicted_clv_12m',
    description:
      'expected_purchases_12m × expected_order_value (EUR): revenue expected in the next 12 months, ' +
      'undiscounted (over one year discounting changes little and would need a rate nobody has set).',
    tests: ['not_null', { expression: 'predicted_clv_12m >= 0' }],
  },
];

let stagingCounter = 0;

function stagingName(kind: string): string {
  stagingCounter += 1;
  return `__c360_clv_${kind}_${process.pid}_${stagingCounter}`;
}

function numberOrNaN(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}

/** Reads the staged buyers' numeric columns, in row-number order, straight into typed arrays. */
async function readInput(connection: DuckDBConnection, inputTable: string, count: number): Promise<ClvInput> {
  const input: ClvInput = {
    frequency: new Float64Array(count),
    recency: new Float64Array(count),
    T: new Float64Array(count),
    monetary: new Float64Array(count),
  };
  const targets = [input.frequency, input.recency, input.T, input.monetary];
  const result = await connection.run(
    `SELECT frequency, recency, age, monetary FROM temp.main.${quoteIdent(inputTable)} ORDER BY idx`,
  );
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    if (offset + rows > count)
      throw new Error('int_customer__clv: the staged input changed while it was read');
    for (let c = 0; c < targets.length; c++) {
      const vector = chunk.getColumnVector(c);
      const target = targets[c] as Float64Array;
      for (let i = 0; i < rows; i++) target[offset + i] = numberOrNaN(vector.getItem(i));
    }
    offset += rows;
  }
  if (offset !== count) throw new Error(`int_customer__clv: read ${offset} buyers, expected ${count}`);
  return input;
}

async function writeScores(
  connection: DuckDBConnection,
  outputTable: string,
  computation: ClvComputation,
): Promise<void> {
  const { pAlive, expectedPurchases, expectedOrderValue, predictedClv } = computation.scores;
  const appender = await connection.createAppender(outputTable, 'main', 'temp');
  try {
    const chunk = DuckDBDataChunk.create([INTEGER, DOUBLE, DOUBLE, DOUBLE, DOUBLE], CHUNK_ROWS);
    const n = pAlive.length;
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, n - start);
      chunk.rowCount = rows;
      chunk.setColumnValues(
        0,
        Array.from({ length: rows }, (_, i) => start + i),
      );
      chunk.setColumnValues(1, Array.from(pAlive.subarray(start, start + rows)));
      chunk.setColumnValues(2, Array.from(expectedPurchases.subarray(start, start + rows)));
      chunk.setColumnValues(3, Array.from(expectedOrderValue.subarray(start, start + rows)));
      chunk.setColumnValues(4, Array.from(predictedClv.subarray(start, start + rows)));
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

export interface ClvBuildOptions extends ClvOptions {
  /** Where warnings go; console.warn by default. */
  warn?: (message: string) => void;
}

/**
 * Builds the CLV table into ctx.target and returns the fit it used (parameters, fallbacks, warnings).
 * `clvModel.build` is this with the default options.
 */
export async function buildClvTable(
  ctx: CodeModelContext,
  options: ClvBuildOptions = {},
): Promise<ClvComputation> {
  const db: Database = ctx.db;
  const inputTable = stagingName('input');
  const outputTable = stagingName('scores');
  const input = quoteIdent(inputTable);
  const output = quoteIdent(outputTable);
  try {
    // Days as fractional epoch differences; bad rows (last before first, orders after as_of) are clamped so
    // 0 ≤ recency ≤ T instead of failing the build.
    await db.run(
      `CREATE TEMP TABLE ${input} AS
       WITH buyers AS (
         SELECT CAST(customer_id AS VARCHAR) AS customer_id,
                CAST(total_orders AS DOUBLE) AS total_orders,
                epoch(first_order_at) AS first_epoch,
                epoch(coalesce(last_order_at, first_order_at)) AS last_epoch,
                coalesce(CAST(lifetime_revenue AS DOUBLE), 0) AS revenue
         FROM ${ctx.ref('int_customer__order_metrics')}
         WHERE total_orders >= 1 AND customer_id IS NOT NULL AND first_order_at IS NOT NULL
       ), days AS (
         SELECT customer_id, total_orders, revenue,
                greatest(0, (last_epoch - first_epoch) / ${DAY_SECONDS}) AS recency,
                greatest(0, (epoch(CAST($as_of AS TIMESTAMP)) - first_epoch) / ${DAY_SECONDS}) AS age
         FROM buyers
       )
       SELECT CAST(row_number() OVER (ORDER BY customer_id) - 1 AS INTEGER) AS idx,
              customer_id,
              total_orders - 1 AS frequency,
              recency,
              greatest(age, recency) AS age,
              revenue / total_orders AS monetary
       FROM days`,
      { as_of: ctx.asOf },
    );
    const [countRow] = await db.queryJs(`SELECT count(*)::INTEGER AS n FROM temp.main.${input}`);
    const count = Number(countRow?.n ?? 0);
    const clvInput = await readInput(db.connection, inputTable, count);
    const computation = computeClvScores(clvInput, options);
    const warn = options.warn ?? ((message: string) => console.warn(`[int_customer__clv] ${message}`));
    for (const warning of computation.warnings) warn(warning);

    await db.run(
      `CREATE TEMP TABLE ${output} (idx INTEGER, p_alive DOUBLE, expected_purchases_12m DOUBLE,
        expected_order_value DOUBLE, predicted_clv_12m DOUBLE)`,
    );
    await writeScores(db.connection, outputTable, computation);
    // idx follows customer_id, so this orders the rows by customer_id without sorting strings again.
    await db.run(
      `CREATE OR REPLACE TABLE ${ctx.target} AS
       SELECT i.customer_id, s.p_alive, s.expected_purchases_12m, s.expected_order_value, s.predicted_clv_12m
       FROM temp.main.${input} AS i JOIN temp.main.${output} AS s USING (idx)
       ORDER BY idx`,
    );
    return computation;
  } finally {
    await db.run(`DROP TABLE IF EXISTS temp.main.${input}`);
    await db.run(`DROP TABLE IF EXISTS temp.main.${output}`);
  }
}

export const clvModel: CodeModel = {
  name: 'int_customer__clv',
  description:
    'Predicted 12-month customer value per buyer: Pareto/NBD (Schmittlein, Morrison & Colombo 1987) for ' +
    'future purchases and P(alive), Gamma-Gamma (Fader & Hardie 2013) for order value, fitted by maximum ' +
    'likelihood on this ' +
    "shop's buyers at each build. Time unit: days; frequency = orders − 1, recency = days first → last " +
    'order, T = days first order → as_of. Shops with too few (repeat) buyers get documented fallbacks and a ' +
    'build warning.',
  refs: ['int_customer__order_metrics'],
  // a build step: dim_customers carries the scores
  persist: false,
  columns,
  async build(ctx) {
    await buildClvTable(ctx);
  },
};
