import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { healthTagsOf } from '../../core/segments/index.ts';
import { syncConfigSchema } from '../../core/sync/config.ts';
import { planProfiles } from '../../core/sync/profilePlan.ts';
import { SyncConfigError } from '../../core/sync/sourceModel.ts';
import { ensureSyncTables } from '../../core/sync/state.ts';

/** The profile payload sends health-tagged columns and values only to profiles whose consent column is true. */

let db: Database;

beforeAll(async () => {
  db = await openDatabase(':memory:');
  await ensureSyncTables(db);
  await db.run(`create table people as select * from (values
    ('p1', 'a@example.com', true, true,  true,  ['Schlaf', 'Schwangerschaft']),
    ('p2', 'b@example.com', true, false, true,  ['Schwangerschaft', 'Immun']),
    ('p3', 'c@example.com', true, null,  false, ['Schlaf'])
  ) t(customer_id, email, is_marketable, pregnancy_opt_in, has_bought_pregnancy_products, preferred_categories)`);
});
afterAll(() => db.close());

const config = syncConfigSchema.parse({
  profiles: {
    model: 'people',
    attributes: {},
    properties: {
      'Preferred Categories': 'preferred_categories',
      'Pregnancy Buyer': 'has_bought_pregnancy_products',
    },
  },
}).profiles;

const docs = (consent: Record<string, string> | undefined) =>
  healthTagsOf({
    consentColumns: consent,
    columns: [
      { name: 'has_bought_pregnancy_products', description: 'x', tags: ['health'] },
      { name: 'preferred_categories', description: 'x', value_tags: { health: ['Schwangerschaft'] } },
    ],
  });

async function payloads(): Promise<Record<string, Record<string, unknown>>> {
  const rows = await db.queryJson(`select email, payload from c360_plan_profiles order by email`);
  return Object.fromEntries(
    rows.map((r) => [
      String(r.email),
      (JSON.parse(String(r.payload)) as { properties: Record<string, unknown> }).properties,
    ]),
  );
}

describe('health data in profile properties', () => {
  it('strips tagged values and empties tagged columns without consent', async () => {
    await planProfiles(db, config, docs({ health: 'pregnancy_opt_in' }));
    expect(await payloads()).toEqual({
      'a@example.com': { 'Preferred Categories': ['Schlaf', 'Schwangerschaft'], 'Pregnancy Buyer': true },
      'b@example.com': { 'Preferred Categories': ['Immun'], 'Pregnancy Buyer': null },
      'c@example.com': { 'Preferred Categories': ['Schlaf'], 'Pregnancy Buyer': null },
    });
  });

  it('without tags everything is sent as it is (what the docs say decides)', async () => {
    await planProfiles(db, config);
    expect((await payloads())['b@example.com']).toEqual({
      'Preferred Categories': ['Schwangerschaft', 'Immun'],
      'Pregnancy Buyer': true,
    });
  });

  it('a tag without a consent column, or a consent column the model lacks, stops the plan', async () => {
    await expect(planProfiles(db, config, docs(undefined))).rejects.toThrow(SyncConfigError);
    await expect(planProfiles(db, config, docs(undefined))).rejects.toThrow(
      /no consent column for it: add consent_columns: \{ health: <opt-in column> \}/,
    );
    await expect(planProfiles(db, config, docs({ health: 'allergy_opt_in' }))).rejects.toThrow(
      /has no true\/false column allergy_opt_in/,
    );
  });
});
