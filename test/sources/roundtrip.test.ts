import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { generateDemoShop } from '../../core/demo/index.ts';
import { loadRawFiles, type LoadReport } from '../../core/sources/loadFiles.ts';
import { RAW_TABLES, rawSchemaName, type SourceName } from '../../core/sources/rawTables.ts';

/** Each source is exported in another format and layout, so every reader path is exercised. */
const EXPORT: Record<SourceName, { path: (table: string) => string; options: string }> = {
  shopify: { path: (t) => `shopify/${t}.csv`, options: 'format csv, header true' },
  amazon: { path: (t) => `amazon__${t}.parquet`, options: 'format parquet' },
  shipments: { path: (t) => `shipments/${t}.jsonl`, options: 'format json' },
  klaviyo: { path: (t) => `klaviyo/${t}.ndjson`, options: 'format json' },
  zendesk: { path: (t) => `zendesk__${t}.csv.gz`, options: 'format csv, header true, compression gzip' },
  otto: { path: (t) => `otto/${t}.csv`, options: 'format csv, header true' },
};

describe('loading exported raw tables', () => {
  let dir: string;
  let target: Database;
  let report: LoadReport;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'c360-roundtrip-'));
    const exportDir = join(dir, 'export');
    mkdirSync(join(exportDir, 'shopify'), { recursive: true });
    for (const source of ['shipments', 'klaviyo', 'otto']) mkdirSync(join(exportDir, source));

    const origin = await openDatabase(join(dir, 'origin.duckdb'));
    await generateDemoShop(origin, { customers: 2_000, seed: 11, asOf: '2025-03-31', dirtyShare: 0.05 });
    for (const table of RAW_TABLES) {
      const spec = EXPORT[table.source];
      if (!spec) throw new Error(`no export format for the source ${table.source}`);
      await origin.run(
        `copy ${rawSchemaName(table.source)}."${table.table}" to '${join(exportDir, spec.path(table.table))}' (${spec.options})`,
      );
    }
    origin.close();

    target = await openDatabase(join(dir, 'target.duckdb'));
    report = await loadRawFiles(target, exportDir);
    await target.run(`attach '${join(dir, 'origin.duckdb')}' as origin (read_only)`);
  });
  afterAll(() => {
    target?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads every file without errors, rejections or unknown files', () => {
    expect(report.errors).toEqual([]);
    expect(report.unknownFiles).toEqual([]);
    expect(report.createdEmpty).toEqual([]);
    expect(report.files).toHaveLength(RAW_TABLES.length);
    for (const file of report.files) expect(file.rowsRejected, file.file).toBe(0);
  });

  it('reproduces every raw table exactly, dirty rows included', async () => {
    for (const table of RAW_TABLES) {
      const name = `${rawSchemaName(table.source)}."${table.table}"`;
      const [diff] = await target.queryJs(`select
        (select count(*) from origin.${name})::INTEGER as origin_rows,
        (select count(*) from ${name})::INTEGER as loaded_rows,
        (select count(*) from (select * from origin.${name} except all select * from ${name}))::INTEGER as missing,
        (select count(*) from (select * from ${name} except all select * from origin.${name}))::INTEGER as extra`);
      expect(diff, name).toMatchObject({ missing: 0, extra: 0 });
      expect(diff?.loaded_rows, name).toBe(diff?.origin_rows);
      const loaded = report.files.find((f) => f.source === table.source && f.table === table.table);
      expect(loaded?.rowsLoaded, name).toBe(diff?.origin_rows);
    }
  });
});
