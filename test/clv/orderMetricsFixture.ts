import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBDataChunk, DOUBLE, INTEGER } from '@duckdb/node-api';
import { openDatabase, quoteIdent, type Database } from '../../core/db/duckdb.ts';
import type { CodeModelContext } from '../../core/models/types.ts';

/** One buyer of the fake `int_customer__order_metrics`, in days before as_of. */
export interface FakeBuyer {
  /** Repeat orders (total_orders − 1). */
  frequency: number;
  /** Days from first to last order. */
  recency: number;
  /** Days from first order to as_of. */
  T: number;
  /** Average order value. */
  averageOrderValue: number;
}

export interface TempDatabase {
  db: Database;
  dispose(): void;
}

export async function openTempDatabase(): Promise<TempDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'c360-clv-'));
  const db = await openDatabase(join(dir, 'workspace.duckdb'), { threads: 2 });
  return {
    db,
    dispose() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates `int_customer__order_metrics` with the columns the CLV model reads, plus `prospects` rows with
 * total_orders 0 (which the model must skip). Buyers get ids `c_000000001`, … in input order. Rows go in
 * through the appender so 1M-row fixtures take a second, not minutes.
 */
export async function createOrderMetrics(
  db: Database,
  buyers: readonly FakeBuyer[],
  asOf: string,
  prospects = 0,
): Promise<void> {
  await db.run(
    'CREATE OR REPLACE TEMP TABLE fake_buyers (n INTEGER, frequency DOUBLE, recency DOUBLE, age DOUBLE, aov DOUBLE)',
  );
  const appender = await db.connection.createAppender('fake_buyers', 'main', 'temp');
  const chunk = DuckDBDataChunk.create([INTEGER, DOUBLE, DOUBLE, DOUBLE, DOUBLE], 2048);
  for (let start = 0; start < buyers.length; start += 2048) {
    const slice = buyers.slice(start, start + 2048);
    chunk.rowCount = slice.length;
    chunk.setColumnValues(
      0,
      slice.map((_, i) => start + i + 1),
    );
    chunk.setColumnValues(
      1,
      slice.map((b) => b.frequency),
    );
    chunk.setColumnValues(
      2,
      slice.map((b) => b.recency),
    );
    chunk.setColumnValues(
      3,
      slice.map((b) => b.T),
    );
    chunk.setColumnValues(
      4,
      slice.map((b) => b.averageOrderValue),
    );
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
  const daysAgo = (column: string): string =>
    `CAST($as_of AS TIMESTAMP) - to_microseconds(CAST(round((${column}) * 86400000000) AS BIGINT))`;
  await db.run(
    `CREATE OR REPLACE TABLE int_customer__order_metrics AS
     SELECT 'c_' || lpad(CAST(n AS VARCHAR), 9, '0') AS customer_id,
            CAST(frequency + 1 AS INTEGER) AS total_orders,
            ${daysAgo('age')} AS first_order_at,
            ${daysAgo('age - recency')} AS last_order_at,
            CAST(aov * (frequency + 1) AS DECIMAL(14, 2)) AS lifetime_revenue
     FROM temp.main.fake_buyers
     UNION ALL
     SELECT 'p_' || lpad(CAST(i AS VARCHAR), 9, '0'), 0, NULL, NULL, 0
     FROM range(${prospects}) AS t(i)`,
    { as_of: asOf },
  );
  await db.run('DROP TABLE temp.main.fake_buyers');
}

export function modelContext(db: Database, asOf: string): CodeModelContext {
  return { db, vars: {}, ref: (name) => quoteIdent(name), target: quoteIdent('int_customer__clv'), asOf };
}
