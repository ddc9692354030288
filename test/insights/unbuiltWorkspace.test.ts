import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { customerProfile, customerSearch, overview } from '../../core/insights/index.ts';
import { MissingTableError } from '../../core/segments/index.ts';

/** A workspace that was never built: every page says to build first, not "Table … does not exist". */

let db: Database;
beforeAll(async () => {
  db = await openDatabase(':memory:');
  // a half-built workspace: dim_customers alone is not enough for the Overview or a profile
  await db.run(`create table dim_customers as select 'c_1' as customer_id`);
});
afterAll(() => db.close());

describe('pages on an unbuilt workspace', () => {
  it.each([
    ['Overview', () => overview(db, {}), /no int_orders__attributed table yet.*c360 build/],
    ['customer profile', () => customerProfile(db, { customerId: 'c_1' }), /stg_shipments.*c360 build/],
  ])('the %s asks for a build', async (_page, call, message) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingTableError);
    expect((error as Error).message).toMatch(message);
  });

  it('the search asks for a build when dim_customers is missing', async () => {
    const empty = await openDatabase(':memory:');
    try {
      await expect(customerSearch(empty, { query: 'anna' })).rejects.toThrow(
        /no dim_customers table yet.*c360 build/,
      );
    } finally {
      empty.close();
    }
  });
});
