import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/duckdb.ts';
import type { Vars } from '../../core/models/index.ts';
import { SegmentEngine } from '../../core/segments/index.ts';
import { DEFAULT_SYNC_CONFIG } from '../../core/sync/config.ts';
import { planList, prepareListPlanTable } from '../../core/sync/listPlan.ts';
import { ensureSyncTables } from '../../core/sync/state.ts';
import { createSegmentProject, type SegmentProject } from './segmentProject.ts';

/**
 * A project with one model, dim_customers, whose winback flag reads the variable winback_early_days (declared
 * in vars.yml, default 60), and three saved segments: one on the flag, one on `{var: winback_early_days}`, one
 * that overrides the threshold with a number.
 *
 * | id  | days | marketable |
 * |-----|------|------------|
 * | c1  | 20   | y          |
 * | c2  | 50   | y          |
 * | c3  | 70   | y          |
 * | c4  | 100  | n          |
 */
const DIM_CUSTOMERS = `select
    customer_id,
    customer_id || '@Example.com ' as email,
    is_marketable,
    days_since_last_order,
    days_since_last_order >= {{ var('winback_early_days') }} as is_winback_candidate
from (values ('c1', 20, true), ('c2', 50, true), ('c3', 70, true), ('c4', 100, false))
    t(customer_id, days_since_last_order, is_marketable)`;

const SEGMENTS: Record<string, string> = {
  'winback.yaml': `name: winback
rules:
  - column: is_winback_candidate
    op: '='
    value: true
properties: [days_since_last_order]
`,
  'winback_var.yaml': `name: winback_var
rules:
  - column: days_since_last_order
    op: '>='
    value: {var: winback_early_days}
`,
  'winback_45.yaml': `name: winback_45
rules:
  - column: days_since_last_order
    op: '>='
    value: 45
`,
};

let fixture: SegmentProject;
let db: Database;
let project: string;
let segmentsDir: string;

beforeEach(async () => {
  fixture = await createSegmentProject({
    prefix: 'c360-seg-tables-',
    dimCustomers: DIM_CUSTOMERS,
    segments: SEGMENTS,
    varColumns: ['days_since_last_order'],
  });
  ({ db, project, segmentsDir } = fixture);
});

afterEach(() => fixture.close());

async function build(vars: Vars = {}, configVars: Vars = {}) {
  const result = await fixture.build(vars, configVars);
  expect(result.ok).toBe(true);
  return result;
}

async function members(table: string): Promise<string[]> {
  return (await db.queryJs(`select customer_id from ${table} order by 1`)).map((r) => String(r.customer_id));
}

async function listPlanMembers(segment: string): Promise<number> {
  await ensureSyncTables(db);
  await prepareListPlanTable(db);
  const engine = await SegmentEngine.open(db, { segmentsDir, projectDir: project });
  return (await planList(db, engine, DEFAULT_SYNC_CONFIG.lists, segment)).members;
}

describe('the build’s segment tables', () => {
  it('materialise every saved segment as seg_<name>: members, email and properties', async () => {
    const result = await build();
    expect(result.warnings).toEqual([]);
    expect(await members('seg_winback')).toEqual(['c3']);
    expect(await members('seg_winback_var')).toEqual(['c3']);
    expect(await members('seg_winback_45')).toEqual(['c2', 'c3']);
    expect(await db.queryJson('select * from seg_winback')).toEqual([
      { customer_id: 'c3', email: 'c3@example.com', days_since_last_order: 70 },
    ]);
  });

  it('follow winback_early_days from --var and vars:, in the table and in the list plan', async () => {
    await build();
    expect(await listPlanMembers('winback')).toBe(1);
    await build({ winback_early_days: 45 });
    expect(await members('seg_winback')).toEqual(['c2', 'c3']);
    expect(await members('seg_winback_var')).toEqual(['c2', 'c3']);
    expect(await listPlanMembers('winback')).toBe(2);
    expect(await listPlanMembers('winback_var')).toBe(2);
    await build({}, { winback_early_days: 10 });
    expect(await members('seg_winback_var')).toEqual(['c1', 'c2', 'c3']);
    // A number in the segment overrides the variable for this segment only.
    expect(await members('seg_winback_45')).toEqual(['c2', 'c3']);
  });

  it('drop seg_ tables of segments that no longer exist (older versions made them as models)', async () => {
    await db.run(`create table main.seg_winback_candidates as select 'c1' as customer_id`);
    await build();
    const tables = (
      await db.queryJson(`select table_name from duckdb_tables() where schema_name = 'main' order by 1`)
    ).map((r) => String(r.table_name));
    expect(tables).toEqual(['dim_customers', 'seg_winback', 'seg_winback_45', 'seg_winback_var']);
  });

  it('leave a broken segment without a table and say why', async () => {
    await build();
    await writeFile(
      join(segmentsDir, 'winback_var.yaml'),
      SEGMENTS['winback_var.yaml']!.replace('winback_early_days', 'winback_erly_days'),
    );
    const result = await build();
    expect(result.warnings.join('\n')).toMatch(/winback_var.*winback_erly_days/s);
    expect(await db.queryJs(`select * from duckdb_tables() where table_name = 'seg_winback_var'`)).toEqual(
      [],
    );
  });
});
