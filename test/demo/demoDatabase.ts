import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { generateDemoShop, type DemoOptions, type DemoSummary } from '../../core/demo/index.ts';
import { RAW_TABLES, rawSchemaName } from '../../core/sources/rawTables.ts';

export interface DemoDatabase {
  db: Database;
  summary: DemoSummary;
  dispose(): void;
}

/** A demo shop in a fresh DuckDB file under the OS temp directory. */
export async function createDemoDatabase(options: DemoOptions): Promise<DemoDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'c360-demo-'));
  const db = await openDatabase(join(dir, 'demo.duckdb'));
  const summary = await generateDemoShop(db, options);
  return {
    db,
    summary,
    dispose() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Order-independent fingerprint of every raw table: row count and the sum of row hashes. */
export async function rawTableChecksums(db: Database): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of RAW_TABLES) {
    const name = `${rawSchemaName(table.source)}."${table.table}"`;
    const [row] = await db.queryJson(
      `select count(*)::VARCHAR || ':' || coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR as checksum from ${name} t`,
    );
    result[`${table.source}.${table.table}`] = String(row?.checksum);
  }
  return result;
}

export async function scalar(db: Database, sql: string): Promise<number> {
  const [row] = await db.queryJs(sql);
  const value = row ? Object.values(row)[0] : undefined;
  return Number(value ?? Number.NaN);
}

/** DEFINITIONS.md's validity rule for emails, after trim + lower-case. */
export const VALID_EMAIL_SQL = (column: string): string =>
  `regexp_matches(lower(trim(${column})), '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$')`;
