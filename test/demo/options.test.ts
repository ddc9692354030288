import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../core/db/duckdb.ts';
import { demoOptionsSchema, generateDemoShop } from '../../core/demo/index.ts';

function messages(input: unknown): string[] {
  const result = demoOptionsSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

describe('demoOptionsSchema', () => {
  it('accepts a customer count alone and fills nothing in', () => {
    expect(demoOptionsSchema.parse({ customers: 20_000 })).toEqual({ customers: 20_000 });
  });

  it('accepts every option at the edges of its range', () => {
    expect(messages({ customers: 1, seed: -5, asOf: '2024-02-29', dirtyShare: 0 })).toEqual([]);
    expect(messages({ customers: 5_000_000, seed: 2_147_483_647, dirtyShare: 0.5 })).toEqual([]);
  });

  it('explains what is wrong with the customer count', () => {
    expect(messages({ customers: 0 })).toEqual(['customers must be at least 1']);
    expect(messages({ customers: 12.5 })).toEqual(['customers must be a whole number']);
    expect(messages({ customers: 5_000_001 })).toEqual(['customers must be at most 5,000,000']);
    expect(messages({})).toEqual(['customers must be a number']);
  });

  it('rejects dates that are not calendar days in YYYY-MM-DD form', () => {
    expect(messages({ customers: 10, asOf: '30.06.2025' })).toEqual([
      'asOf must be a date in the form YYYY-MM-DD, e.g. 2025-06-30',
    ]);
    expect(messages({ customers: 10, asOf: '2025-02-30' })).toEqual(['asOf is not a calendar date']);
  });

  it('rejects a dirty share outside 0..0.5, a fractional seed and unknown options', () => {
    expect(messages({ customers: 10, dirtyShare: 0.6 })).toEqual(['dirtyShare must be between 0 and 0.5']);
    expect(messages({ customers: 10, seed: 1.5 })).toEqual(['seed must be a whole number']);
    expect(messages({ customers: 10, customer: 3 })).toHaveLength(1);
  });
});

describe('generateDemoShop options', () => {
  it('refuses invalid options before touching the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c360-demo-options-'));
    const db = await openDatabase(join(dir, 'demo.duckdb'));
    try {
      await expect(generateDemoShop(db, { customers: -1 })).rejects.toThrow(
        'Invalid demo options: customers must be at least 1.',
      );
      const schemas = await db.queryJs(
        `select schema_name from information_schema.schemata where schema_name like 'raw_%'`,
      );
      expect(schemas).toEqual([]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('defaults to seed 42, today and reports progress per stage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c360-demo-options-'));
    const db = await openDatabase(join(dir, 'demo.duckdb'));
    const stages: string[] = [];
    try {
      const summary = await generateDemoShop(db, { customers: 50, onProgress: (e) => stages.push(e.stage) });
      expect(summary.seed).toBe(42);
      expect(summary.asOf).toBe(new Date().toISOString().slice(0, 10));
      expect(stages).toEqual(summary.stages.map((s) => s.stage));
      expect(summary.totalSeconds).toBeGreaterThan(0);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replaces an earlier demo shop instead of adding to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c360-demo-options-'));
    const db = await openDatabase(join(dir, 'demo.duckdb'));
    try {
      await generateDemoShop(db, { customers: 300, asOf: '2025-01-31' });
      const second = await generateDemoShop(db, { customers: 100, asOf: '2025-01-31' });
      const [row] = await db.queryJs('select count(*)::INTEGER as n from raw_shopify.customers');
      expect(row?.n).toBe(second.tables.find((t) => t.table === 'customers')?.rows);
      expect(Number(row?.n)).toBeLessThan(150);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves the previous raw tables untouched when a run fails half-way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c360-demo-options-'));
    const db = await openDatabase(join(dir, 'demo.duckdb'));
    try {
      const first = await generateDemoShop(db, { customers: 200, asOf: '2025-01-31' });
      const failing = generateDemoShop(db, {
        customers: 400,
        asOf: '2025-01-31',
        onProgress: (e) => {
          if (e.stage === 'shipments') throw new Error('interrupted');
        },
      });
      await expect(failing).rejects.toThrow('interrupted');
      const [row] = await db.queryJs('select count(*)::INTEGER as n from raw_shopify.customers');
      expect(row?.n).toBe(first.tables.find((t) => t.table === 'customers')?.rows);
      const leftovers = await db.queryJs(
        `select table_name from duckdb_tables() where table_name like '%demo_build%' or temporary`,
      );
      expect(leftovers).toEqual([]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
