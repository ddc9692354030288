import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildClvTable, clvModel } from '../../core/clv/clvModel.ts';
import { quoteIdent, type Database } from '../../core/db/duckdb.ts';
import type { ColumnTest } from '../../core/models/types.ts';
import {
  createOrderMetrics,
  modelContext,
  openTempDatabase,
  type FakeBuyer,
  type TempDatabase,
} from './orderMetricsFixture.ts';
import { seededRandom, simulateParetoNbd } from './simulateParetoNbd.ts';

const AS_OF = '2024-06-01 00:00:00';

/** A retail-like Pareto/NBD shop in days: mean purchase rate r/α = 1 per 50 days, dropout rate s/β = 1 per 333 days. */
const SIMULATED = { r: 0.8, alpha: 40, s: 0.9, beta: 300 };

function simulatedBuyers(count: number, seed: number): FakeBuyer[] {
  const random = seededRandom(seed);
  const ages = Array.from({ length: count }, () => 1 + random() * 729);
  return simulateParetoNbd(SIMULATED, ages, seed + 1).map((c) => ({
    ...c,
    averageOrderValue: Math.round((15 + 70 * random()) * 100) / 100,
  }));
}

/** Rows of int_customer__clv violating a column test (what a dbt-style test runner would count). */
async function violations(db: Database, column: string, test: ColumnTest): Promise<number> {
  const table = quoteIdent(clvModel.name);
  const col = quoteIdent(column);
  let sql: string;
  if (test === 'unique') sql = `SELECT count(*) - count(DISTINCT ${col}) AS n FROM ${table}`;
  else if (test === 'not_null') sql = `SELECT count(*) AS n FROM ${table} WHERE ${col} IS NULL`;
  else if ('expression' in test) sql = `SELECT count(*) AS n FROM ${table} WHERE NOT (${test.expression})`;
  else if ('relationships' in test)
    sql = `SELECT count(*) AS n FROM ${table} t WHERE NOT EXISTS (SELECT 1 FROM ${quoteIdent(test.relationships.to)} r
           WHERE r.${quoteIdent(test.relationships.field)} = t.${col})`;
  else throw new Error(`untested kind of test on ${column}`);
  const [row] = await db.queryJs(sql);
  return Number(row?.n);
}

describe('int_customer__clv code model', () => {
  let temp: TempDatabase;
  beforeEach(async () => {
    temp = await openTempDatabase();
  });
  afterEach(() => temp.dispose());

  it('declares its name, upstream model and documented columns', () => {
    expect(clvModel.name).toBe('int_customer__clv');
    expect(clvModel.refs).toEqual(['int_customer__order_metrics']);
    expect(clvModel.columns.map((c) => c.name)).toEqual([
      'customer_id',
      'p_alive',
      'expected_purchases_12m',
      'expected_order_value',
      'predicted_clv_12m',
    ]);
    for (const column of clvModel.columns) expect(column.description.length).toBeGreaterThan(20);
  });

  it('scores every buyer, skips prospects, and passes its own column tests', async () => {
    const buyers: FakeBuyer[] = [
      ...simulatedBuyers(600, 1),
      // Two frequent buyers, one still ordering last week and one silent for a year.
      { frequency: 12, recency: 355, T: 360, averageOrderValue: 50 },
      { frequency: 12, recency: 20, T: 380, averageOrderValue: 50 },
    ];
    await createOrderMetrics(temp.db, buyers, AS_OF, 50);
    const warnings: string[] = [];
    const result = await buildClvTable(modelContext(temp.db, AS_OF), { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect(result.paretoNbd.source).toBe('fit');
    expect(result.gammaGamma.source).toBe('fit');

    const types = await temp.db.queryJs(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'int_customer__clv' ORDER BY ordinal_position`,
    );
    expect(types).toEqual([
      { column_name: 'customer_id', data_type: 'VARCHAR' },
      { column_name: 'p_alive', data_type: 'DOUBLE' },
      { column_name: 'expected_purchases_12m', data_type: 'DOUBLE' },
      { column_name: 'expected_order_value', data_type: 'DOUBLE' },
      { column_name: 'predicted_clv_12m', data_type: 'DOUBLE' },
    ]);
    const [summary] = await temp.db.queryJs(`
      SELECT count(*)::INTEGER AS n,
             count(*) FILTER (WHERE isnan(p_alive) OR isnan(expected_purchases_12m) OR isnan(expected_order_value)
                              OR isnan(predicted_clv_12m) OR isinf(predicted_clv_12m))::INTEGER AS bad,
             count(*) FILTER (WHERE customer_id LIKE 'p_%')::INTEGER AS prospects
      FROM int_customer__clv`);
    expect(summary).toEqual({ n: 602, bad: 0, prospects: 0 });

    for (const column of clvModel.columns) {
      for (const test of column.tests ?? []) {
        expect(await violations(temp.db, column.name, test), `${column.name}: ${JSON.stringify(test)}`).toBe(
          0,
        );
      }
    }

    const rows = await temp.db.queryJs(
      `SELECT customer_id, p_alive, predicted_clv_12m FROM int_customer__clv WHERE customer_id IN ('c_000000601', 'c_000000602') ORDER BY customer_id`,
    );
    const [recent, lapsed] = rows as { p_alive: number; predicted_clv_12m: number }[];
    expect(recent!.p_alive).toBeGreaterThan(0.9);
    expect(recent!.p_alive).toBeGreaterThan(lapsed!.p_alive);
    expect(recent!.predicted_clv_12m).toBeGreaterThan(lapsed!.predicted_clv_12m);
  });

  it('produces identical output when built twice', async () => {
    await createOrderMetrics(temp.db, simulatedBuyers(400, 2), AS_OF);
    const ctx = modelContext(temp.db, AS_OF);
    await clvModel.build(ctx);
    const first = await temp.db.queryJs('SELECT * FROM int_customer__clv');
    await clvModel.build(ctx);
    const second = await temp.db.queryJs('SELECT * FROM int_customer__clv');
    expect(second).toEqual(first);
    // Rows come out in customer_id order and the staging tables are gone.
    expect(first.map((r) => r.customer_id)).toEqual([...first.map((r) => r.customer_id)].sort());
    const temps = await temp.db.queryJs(
      `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '__c360_clv_%'`,
    );
    expect(temps).toEqual([]);
  });

  it('warns and falls back instead of failing on a shop with three buyers', async () => {
    await createOrderMetrics(
      temp.db,
      [
        { frequency: 0, recency: 0, T: 5, averageOrderValue: 30 },
        { frequency: 2, recency: 40, T: 90, averageOrderValue: 45.5 },
        { frequency: 1, recency: 3, T: 400, averageOrderValue: 20 },
      ],
      AS_OF,
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await clvModel.build(modelContext(temp.db, AS_OF));
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/^\[int_customer__clv\] Pareto\/NBD not fitted/);
    } finally {
      warn.mockRestore();
    }
    const rows = await temp.db.queryJs(
      'SELECT customer_id, p_alive, expected_order_value FROM int_customer__clv ORDER BY customer_id',
    );
    expect(rows.map((r) => r.expected_order_value)).toEqual([30, 45.5, 20]);
    // The generic parameters still tell the buyer of five days ago from the one silent for a year.
    expect(rows[0]?.p_alive).toBeGreaterThan(0.9);
    expect(rows[2]?.p_alive).toBeLessThan(0.5);
  });

  it('creates an empty table with the right columns when nobody has ordered', async () => {
    await createOrderMetrics(temp.db, [], AS_OF, 10);
    await buildClvTable(modelContext(temp.db, AS_OF), { warn: () => undefined });
    const [row] = await temp.db.queryJs('SELECT count(*)::INTEGER AS n FROM int_customer__clv');
    expect(row?.n).toBe(0);
    const columns = await temp.db.queryJs(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'int_customer__clv' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(clvModel.columns.map((c) => c.name));
  });

  it('tolerates null revenue and orders stamped after as_of', async () => {
    await createOrderMetrics(temp.db, simulatedBuyers(100, 3), AS_OF);
    await temp.db.run(
      `UPDATE int_customer__order_metrics SET lifetime_revenue = NULL WHERE customer_id = 'c_000000001'`,
    );
    await temp.db.run(
      `UPDATE int_customer__order_metrics SET last_order_at = TIMESTAMP '2024-06-03 00:00:00' WHERE customer_id = 'c_000000002'`,
    );
    await buildClvTable(modelContext(temp.db, AS_OF), { warn: () => undefined });
    const [bad] = await temp.db.queryJs(
      `SELECT count(*)::INTEGER AS n FROM int_customer__clv WHERE NOT (p_alive BETWEEN 0 AND 1 AND predicted_clv_12m >= 0
         AND NOT isnan(predicted_clv_12m) AND NOT isinf(predicted_clv_12m))`,
    );
    expect(bad?.n).toBe(0);
  });

  it('builds 100k buyers in a few seconds and recovers the simulated parameters', async () => {
    await createOrderMetrics(temp.db, simulatedBuyers(100_000, 4), AS_OF);
    const started = performance.now();
    const result = await buildClvTable(modelContext(temp.db, AS_OF), { warn: () => undefined });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `int_customer__clv: 100k buyers built in ${seconds.toFixed(2)} s`,
      result.paretoNbd.params,
      result.gammaGamma.params,
    );
    expect(result.paretoNbd.source).toBe('fit');
    expect(Math.abs(result.paretoNbd.params.r / SIMULATED.r - 1)).toBeLessThan(0.1);
    expect(Math.abs(result.paretoNbd.params.alpha / SIMULATED.alpha - 1)).toBeLessThan(0.1);
    const [summary] = await temp.db.queryJs(`
      SELECT count(*)::INTEGER AS n, min(p_alive) AS lo, max(p_alive) AS hi,
             count(*) FILTER (WHERE isnan(predicted_clv_12m) OR isinf(predicted_clv_12m) OR predicted_clv_12m < 0)::INTEGER AS bad
      FROM int_customer__clv`);
    expect(summary?.n).toBe(100_000);
    expect(summary?.bad).toBe(0);
    expect(summary?.lo).toBeGreaterThanOrEqual(0);
    expect(summary?.hi).toBeLessThanOrEqual(1);
  });
});
