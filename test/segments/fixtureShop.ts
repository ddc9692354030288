import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';

/**
 * A hand-made dim_customers of ten customers, as-of 2026-06-30, small enough to count by hand. The columns are
 * a subset of the real mart with the same names and types.
 *
 * | id  | mkt | orders | revenue | days | last_order_at       | stage    | tier        | ch | winback | categories        | preg opt/buy | age  | gender |
 * |-----|-----|--------|---------|------|---------------------|----------|-------------|----|---------|-------------------|--------------|------|--------|
 * | c01 | y   | 1      | 40.0    | 10   | 2026-06-20 10:00    | new      | low         | 1  |         | [Schlaf]          | n / n        | 30   | female |
 * | c02 | y   | 3      | 250.0   | 45   | 2026-05-16 08:00    | active   | high        | 2  |         | [Immun, Schlaf]   | n / n        | 45   | male   |
 * | c03 | y   | 2      | 90.5    | 75   | 2026-04-16 23:59    | at_risk  | medium      | 1  | early   | [Erkältung]       | y / y        | 33   | female |
 * | c04 | y   | 5      | 900.0   | 100  | 2026-03-22 12:00    | at_risk  | vip         | 2  | mid     | [Energie, Immun]  | n / n        | null | null   |
 * | c05 | n   | 1      | 20.0    | 150  | 2026-01-31 00:00    | lapsing  | low         | 1  | late    | [Allergie]        | n / n        | 61   | male   |
 * | c06 | y   | 4      | 400.0   | 300  | 2025-09-03 09:30    | churned  | high        | 1  | final   | [Schwangerschaft] | y / y        | 29   | female |
 * | c07 | y   | 0      | 0.0     | null | null                | prospect | no_purchase | 0  |         | []                | n / n        | null | diverse|
 * | c08 | y   | 2      | 120.0   | 60   | 2026-05-01 15:00    | active   | medium      | 1  | early   | [Ruhe, Schlaf]    | n / y        | 52   | female |
 * | c09 | n   | 0      | 0.0     | null | null                | prospect | no_purchase | 0  |         | []                | n / n        | 19   | male   |
 * | c10 | y   | 7      | 1500.0  | 211  | 2025-12-01 18:00    | churned  | vip         | 2  | final   | [Immun]           | y / n        | 70   | male   |
 *
 * next_replenishment_date: c01 2026-07-10, c02 2026-06-25, c03 2026-05-01, c08 2026-07-14, others null.
 * email: c01…c10@example.com; c05 has no email.
 */
export const FIXTURE_AS_OF = '2026-06-30';

export const FIXTURE_SQL = `
create or replace table dim_customers as
select * from (values
  ('c01', 'c01@example.com', true,  1, 40.0,   10,   timestamp '2026-06-20 10:00:00', 'new',      'low',         1, null,    ['Schlaf'],            false, false, 30,   'female',  date '2026-07-10'),
  ('c02', 'c02@example.com', true,  3, 250.0,  45,   timestamp '2026-05-16 08:00:00', 'active',   'high',        2, null,    ['Immun', 'Schlaf'],   false, false, 45,   'male',    date '2026-06-25'),
  ('c03', 'c03@example.com', true,  2, 90.5,   75,   timestamp '2026-04-16 23:59:00', 'at_risk',  'medium',      1, 'early', ['Erkältung'],         true,  true,  33,   'female',  date '2026-05-01'),
  ('c04', 'c04@example.com', true,  5, 900.0,  100,  timestamp '2026-03-22 12:00:00', 'at_risk',  'vip',         2, 'mid',   ['Energie', 'Immun'],  false, false, null, null,      null),
  ('c05', null,              false, 1, 20.0,   150,  timestamp '2026-01-31 00:00:00', 'lapsing',  'low',         1, 'late',  ['Allergie'],          false, false, 61,   'male',    null),
  ('c06', 'c06@example.com', true,  4, 400.0,  300,  timestamp '2025-09-03 09:30:00', 'churned',  'high',        1, 'final', ['Schwangerschaft'],   true,  true,  29,   'female',  null),
  ('c07', 'c07@example.com', true,  0, 0.0,    null, null,                            'prospect', 'no_purchase', 0, null,    []::varchar[],         false, false, null, 'diverse', null),
  ('c08', 'c08@example.com', true,  2, 120.0,  60,   timestamp '2026-05-01 15:00:00', 'active',   'medium',      1, 'early', ['Ruhe', 'Schlaf'],    false, true,  52,   'female',  date '2026-07-14'),
  ('c09', 'c09@example.com', false, 0, 0.0,    null, null,                            'prospect', 'no_purchase', 0, null,    []::varchar[],         false, false, 19,   'male',    null),
  ('c10', 'c10@example.com', true,  7, 1500.0, 211,  timestamp '2025-12-01 18:00:00', 'churned',  'vip',         2, 'final', ['Immun'],             true,  false, 70,   'male',    null)
) t(customer_id, email, is_marketable, total_orders, lifetime_revenue, days_since_last_order, last_order_at,
    lifecycle_stage, customer_value_tier, channels_count, winback_stage, preferred_categories,
    pregnancy_opt_in, has_bought_pregnancy_products, age, gender, next_replenishment_date)
`;

export interface Fixture {
  dir: string;
  db: Database;
  close(): Promise<void>;
}

/** Opens a fresh workspace database in a temp folder with the hand-made dim_customers. */
export async function openFixture(sql = FIXTURE_SQL): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-seg-'));
  const db = await openDatabase(join(dir, 'workspace.duckdb'));
  await db.run(sql);
  await db.run(`alter table dim_customers alter total_orders type bigint`);
  await db.run(`alter table dim_customers alter days_since_last_order type bigint`);
  await db.run(`alter table dim_customers alter channels_count type bigint`);
  await db.run(`alter table dim_customers alter lifetime_revenue type double`);
  await db.run(`alter table dim_customers alter age type integer`);
  // A build run so that "days ago" rules count from the fixture's as_of.
  await db.run('create schema if not exists c360');
  await db.run(`create table c360.build_runs (run_id varchar, finished_at timestamp, as_of timestamp, ok boolean,
    published boolean, seconds double, selectors varchar, vars varchar, models varchar, tests varchar)`);
  await db.run(
    `insert into c360.build_runs values ('fixture', now()::timestamp, timestamp '${FIXTURE_AS_OF} 00:00:00', true, true, 0, '[]', '{}', '[]', '[]')`,
  );
  return {
    dir,
    db,
    async close() {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
