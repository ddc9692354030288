import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { customerSearch } from '../../core/insights/customerSearch.ts';
import { cachedJson, publishedOids } from '../../core/insights/instanceCache.ts';

/**
 * The search index and the cached Overview figures follow the published tables: a publish (a build renames
 * freshly built tables into place) makes the next call see the new data, never the old index or figures.
 */

let dir: string;
let db: Database;

async function publishCustomers(rows: [string, string, string, string, number][]): Promise<void> {
  const values = rows
    .map(
      ([id, email, first, last, revenue]) =>
        `('${id}', '${email}', '${first}', '${last}', 'Berlin', 'active', 1, ${revenue})`,
    )
    .join(', ');
  // As a build publishes: the new table is made under another name, then renamed over the old one.
  await db.run(
    `create or replace table dim_customers__c360_build as
     select * from (values ${values}) as t(customer_id, email, first_name, last_name, city, lifecycle_stage,
                                             total_orders, lifetime_revenue)`,
  );
  await db.run('begin');
  await db.run('drop table if exists dim_customers');
  await db.run('alter table dim_customers__c360_build rename to dim_customers');
  await db.run('commit');
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-instance-cache-'));
  db = await openDatabase(join(dir, 'workspace.duckdb'));
});

afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('caches of the published tables', () => {
  it('customer search finds what the latest publish holds, not what the index was made from', async () => {
    await publishCustomers([
      ['c_00000000000000a1', 'anna.mueller@example.com', 'Anna', 'Müller', 10],
      ['c_00000000000000a2', 'bert@example.com', 'Bert', 'Brandt', 20],
    ]);
    const first = await customerSearch(db, { query: 'mül' });
    expect(first.hits.map((h) => h.customerId)).toEqual(['c_00000000000000a1']);

    await publishCustomers([
      ['c_00000000000000b1', 'mia@example.com', 'Mia', 'Mülheim', 30],
      ['c_00000000000000a2', 'bert@example.com', 'Bert', 'Brandt', 20],
    ]);
    const second = await customerSearch(db, { query: 'mül' });
    expect(second.hits.map((h) => h.customerId)).toEqual(['c_00000000000000b1']);
    expect(second.hits[0]).toMatchObject({ lastName: 'Mülheim', matchedOn: 'name' });
  });

  it('a cached value is computed once per published table and again after a publish', async () => {
    await publishCustomers([['c_1', 'a@example.com', 'A', 'B', 1]]);
    let computed = 0;
    const figures = async () => {
      const key = await publishedOids(db, ['dim_customers']);
      return cachedJson(db, 'test', key, async () => {
        computed++;
        const [row] = await db.queryJson('select count(*)::integer as n from dim_customers');
        return { customers: Number(row!.n) };
      });
    };
    expect(await figures()).toEqual({ customers: 1 });
    expect(await figures()).toEqual({ customers: 1 });
    expect(computed).toBe(1);
    await publishCustomers([
      ['c_1', 'a@example.com', 'A', 'B', 1],
      ['c_2', 'b@example.com', 'C', 'D', 2],
    ]);
    expect(await figures()).toEqual({ customers: 2 });
    expect(computed).toBe(2);
  });
});
