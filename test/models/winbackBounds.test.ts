/**
 * The winback bounds are variables: the golden shop (test/fixtures/goldenShop) built with a shorter horizon and a
 * longer active window. Hand-checked against sql/DEFINITIONS.md "Winback"; days since the last order at as_of:
 * sabine 61, amazonOnly 90, petra 91, monika 210, peter 211.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { runBuild } from '../../core/models/index.ts';
import { AS_OF_VAR } from '../fixtures/goldenShop/expected.ts';
import { loadGoldenShop } from '../fixtures/goldenShop/loadGoldenShop.ts';
import { RELAY_AMAZON_ONLY } from '../fixtures/goldenShop/rawRows.ts';

const PEOPLE: Record<string, string> = {
  sabine: 'shopify:103',
  amazonOnly: `amazon:${RELAY_AMAZON_ONLY}`,
  petra: 'shopify:112',
  monika: 'shopify:110',
  peter: 'shopify:115',
};

let dir = '';
let db: Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c360-winback-bounds-'));
  db = await openDatabase(join(dir, 'golden.duckdb'));
  await loadGoldenShop(db);
});

afterAll(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Builds with the given vars and returns each person's lifecycle and winback columns. */
async function stagesWith(vars: Record<string, string | number>): Promise<Record<string, string>> {
  const build = await runBuild(db, { vars: { as_of: AS_OF_VAR, ...vars } });
  expect(build.ok, JSON.stringify(build.tests.filter((t) => t.status !== 'pass'))).toBe(true);
  const result: Record<string, string> = {};
  for (const [handle, sourceId] of Object.entries(PEOPLE)) {
    const [row] = await db.queryJs(
      `select lifecycle_stage, winback_stage, is_winback_candidate from dim_customers
       where list_contains(source_ids, $1)`,
      [sourceId],
    );
    result[handle] =
      `${String(row?.lifecycle_stage)} / ${String(row?.winback_stage)} / ${row?.is_winback_candidate ? 'on list' : 'off list'}`;
  }
  return result;
}

describe('winback bounds', () => {
  it('archive buyers beyond winback_horizon_days and take them off the winback list', async () => {
    expect(await stagesWith({ winback_horizon_days: 210 })).toEqual({
      sabine: 'at_risk / early / on list',
      amazonOnly: 'at_risk / early / on list',
      petra: 'at_risk / mid / on list',
      monika: 'lapsing / late / on list', // 210 ≤ horizon
      peter: 'churned / archived / off list', // 211 > horizon 210
    });
  });

  it('start the winback where a longer active window ends', async () => {
    expect(await stagesWith({ lifecycle_active_days: 90 })).toEqual({
      sabine: 'active / null / off list', // 61 ≤ 90
      amazonOnly: 'active / null / off list', // 90 ≤ 90
      petra: 'at_risk / mid / on list', // 91: the first winback day is already mid
      monika: 'lapsing / late / on list',
      peter: 'churned / final / on list', // 211 ≤ default horizon 365
    });
  });
});
