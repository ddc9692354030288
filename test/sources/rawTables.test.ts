import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { runBuild } from '../../core/models/index.ts';
import { loadRawFiles } from '../../core/sources/loadFiles.ts';
import { DEFAULT_SOURCES, findRawTable, RAW_TABLES, salesChannelsOf } from '../../core/sources/rawTables.ts';
import { readSourceDocs } from '../../core/sources/sourceFile.ts';
import { AS_OF_VAR } from '../fixtures/goldenShop/expected.ts';
import { loadGoldenShop } from '../fixtures/goldenShop/loadGoldenShop.ts';

describe('raw sources declared in YAML', () => {
  it('declare the refund columns as optional, and the sales channels with their staging models', () => {
    expect(findRawTable('shopify', 'orders')?.columns.find((c) => c.name === 'total_refunded')).toMatchObject(
      {
        type: 'DECIMAL(12,2)',
        optional: true,
      },
    );
    expect(findRawTable('amazon', 'orders')?.columns.find((c) => c.name === 'refunded_amount')).toMatchObject(
      {
        optional: true,
      },
    );
    expect(salesChannelsOf(DEFAULT_SOURCES).map((c) => c.channel)).toEqual(['shopify', 'amazon', 'otto']);
    expect(RAW_TABLES.filter((t) => t.source === 'otto').map((t) => t.table)).toEqual([
      'orders',
      'order_lines',
    ]);
  });

  it('reject a source declared twice, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'c360-sources-'));
    try {
      mkdirSync(join(dir, 'models'));
      const source = `version: 2
sources:
  - name: ebay
    description: eBay
    tables: [{ name: orders, description: o, columns: [{ name: id, type: VARCHAR, description: id }] }]
`;
      writeFileSync(join(dir, 'models/a.yml'), source);
      writeFileSync(join(dir, 'models/b.yml'), source);
      expect(() => readSourceDocs(dir)).toThrow(/models\/b\.yml: source 'ebay' is declared twice/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('workspaces and exports from before the refund columns', () => {
  let dir: string;
  let db: Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'c360-old-raw-'));
    db = await openDatabase(join(dir, 'workspace.duckdb'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('build: raw order tables without the refund columns get them (empty) and the models build', async () => {
    await loadGoldenShop(db);
    await db.run('alter table raw_shopify.orders drop column total_refunded');
    await db.run('alter table raw_amazon.orders drop column refunded_amount');
    await db.run('drop schema raw_otto cascade');
    const build = await runBuild(db, { vars: { as_of: AS_OF_VAR } });
    expect(build.models.filter((m) => m.status !== 'success')).toEqual([]);
    expect(build.ok).toBe(true);
    const [row] = await db.queryJs(
      `select count(*)::INTEGER as n, count(total_refunded)::INTEGER as refunds from raw_shopify.orders`,
    );
    expect(row).toEqual({ n: expect.any(Number), refunds: 0 });
  });

  it('load: a Shopify orders export without total_refunded loads, the column reads as null, with a warning', async () => {
    const exportDir = join(dir, 'export');
    mkdirSync(join(exportDir, 'shopify'), { recursive: true });
    const columns = findRawTable('shopify', 'orders')!
      .columns.filter((c) => c.name !== 'total_refunded')
      .map((c) => c.name);
    const values: Record<string, string> = {
      id: '1',
      customer_id: '2',
      email: 'a@b.de',
      created_at: '2026-01-01 10:00:00',
      financial_status: 'paid',
      total_price: '10.00',
      currency: 'EUR',
    };
    writeFileSync(
      join(exportDir, 'shopify/orders.csv'),
      `${columns.join(',')}\n${columns.map((c) => values[c] ?? '').join(',')}\n`,
    );
    const report = await loadRawFiles(db, exportDir);
    expect(report.errors).toEqual([]);
    expect(report.files[0]?.warnings.join(' ')).toMatch(/optional columns not in the file.*total_refunded/);
    expect(await db.queryJs('select id::INTEGER as id, total_refunded from raw_shopify.orders')).toEqual([
      { id: 1, total_refunded: null },
    ]);
  });
});
