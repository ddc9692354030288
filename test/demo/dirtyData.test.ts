import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAW_TABLES, rawSchemaName } from '../../core/sources/rawTables.ts';
import { createDemoDatabase, scalar, VALID_EMAIL_SQL, type DemoDatabase } from './demoDatabase.ts';

const AS_OF = '2025-06-30';
const EMAIL_COLUMNS = [
  'raw_shopify.customers',
  'raw_shopify.orders',
  'raw_klaviyo.profiles',
  'raw_zendesk.users',
] as const;

const PRIMARY_KEYS: Record<string, string> = {
  'raw_shopify.customers': 'id',
  'raw_shopify.orders': 'id',
  'raw_shopify.order_lines': 'id',
  'raw_amazon.orders': 'amazon_order_id',
  'raw_shipments.shipments': 'shipment_id',
  'raw_klaviyo.profiles': 'id',
  'raw_klaviyo.events': 'id',
  'raw_klaviyo.lists': 'id',
  'raw_zendesk.users': 'id',
  'raw_zendesk.tickets': 'id',
};

/** Number of timestamps at or after as_of (midnight) over all timestamp columns of all raw tables. */
async function futureTimestamps(shop: DemoDatabase): Promise<number> {
  let total = 0;
  for (const table of RAW_TABLES) {
    for (const column of table.columns.filter((c) => c.type === 'TIMESTAMP')) {
      total += await scalar(
        shop.db,
        `select count(*) from ${rawSchemaName(table.source)}."${table.table}" where "${column.name}" >= timestamp '${AS_OF}'`,
      );
    }
  }
  return total;
}

async function duplicateKeys(shop: DemoDatabase): Promise<number> {
  let total = 0;
  for (const [table, key] of Object.entries(PRIMARY_KEYS)) {
    total += await scalar(shop.db, `select count(*) - count(distinct ${key}) from ${table}`);
  }
  return total;
}

describe('dirty demo data', () => {
  let dirty: DemoDatabase;
  let clean: DemoDatabase;

  beforeAll(async () => {
    dirty = await createDemoDatabase({ customers: 5_000, seed: 42, asOf: AS_OF, dirtyShare: 0.05 });
    clean = await createDemoDatabase({ customers: 5_000, seed: 42, asOf: AS_OF, dirtyShare: 0 });
  });
  afterAll(() => {
    dirty?.dispose();
    clean?.dispose();
  });

  it('contains invalid, null, mixed-case and padded emails when dirtyShare > 0', async () => {
    const q = (sql: string): Promise<number> => scalar(dirty.db, sql);
    expect(
      await q(
        `select count(*) from raw_shopify.customers where email is not null and not ${VALID_EMAIL_SQL('email')}`,
      ),
    ).toBeGreaterThan(0);
    expect(
      await q(`select count(*) from raw_shopify.customers where email in ('kein-email') or email like '%@'`),
    ).toBeGreaterThan(0);
    expect(await q(`select count(*) from raw_shopify.customers where email is null`)).toBeGreaterThan(0);
    expect(await q(`select count(*) from raw_shopify.customers where email <> trim(email)`)).toBeGreaterThan(
      0,
    );
    expect(await q(`select count(*) from raw_klaviyo.profiles where email <> lower(email)`)).toBeGreaterThan(
      0,
    );
    expect(await q(`select count(*) from raw_zendesk.users where email is null`)).toBeGreaterThan(0);
  });

  it('contains Gmail spellings that equal another record after normalisation', async () => {
    const normalised = `case when split_part(lower(trim(email)), '@', 2) in ('gmail.com', 'googlemail.com')
      then replace(split_part(split_part(lower(trim(email)), '@', 1), '+', 1), '.', '') || '@gmail.com'
      else split_part(split_part(lower(trim(email)), '@', 1), '+', 1) || '@' || split_part(lower(trim(email)), '@', 2) end`;
    const variants = await scalar(
      dirty.db,
      `with e as (select distinct lower(trim(email)) as email from (
         select email from raw_shopify.customers union all select email from raw_shopify.orders
         union all select email from raw_klaviyo.profiles) where email like '%@g%mail.com')
       select count(*) from (select ${normalised} as k from e group by 1 having count(*) > 1)`,
    );
    expect(variants).toBeGreaterThan(0);
  });

  it('contains duplicate Shopify customers and re-landed rows with the same primary key', async () => {
    expect(
      await scalar(dirty.db, `select count(*) from raw_shopify.customers where id % 10 = 1`),
    ).toBeGreaterThan(0);
    expect(
      await scalar(dirty.db, `select count(*) - count(distinct id) from raw_shopify.orders`),
    ).toBeGreaterThan(0);
    expect(
      await scalar(dirty.db, `select count(*) - count(distinct id) from raw_shopify.customers`),
    ).toBeGreaterThan(0);
    expect(
      await scalar(dirty.db, `select count(*) - count(distinct id) from raw_klaviyo.events`),
    ).toBeGreaterThan(0);
  });

  it('contains foreign and unknown currencies, future orders and non-positive quantities', async () => {
    const currencies = await dirty.db.queryJs(`select distinct currency from raw_shopify.orders order by 1`);
    expect(currencies.map((r) => r.currency)).toEqual(['CHF', 'EUR', 'GBP', 'PLN', 'XXX']);
    expect(
      await scalar(
        dirty.db,
        `select count(*) from raw_shopify.orders where created_at >= timestamp '${AS_OF}'`,
      ),
    ).toBeGreaterThan(0);
    expect(
      await scalar(dirty.db, `select count(*) from raw_shopify.order_lines where quantity <= 0`),
    ).toBeGreaterThan(0);
    expect(
      await scalar(dirty.db, `select count(*) from raw_shopify.orders where cancelled_at is not null`),
    ).toBeGreaterThan(0);
    expect(
      await scalar(dirty.db, `select count(*) from raw_shopify.orders where financial_status = 'refunded'`),
    ).toBeGreaterThan(0);
  });

  it('has no invalid emails, future timestamps, duplicate keys or unknown currencies when dirtyShare is 0', async () => {
    for (const table of EMAIL_COLUMNS) {
      expect(
        await scalar(
          clean.db,
          `select count(*) from ${table} where email is null or not ${VALID_EMAIL_SQL('email')}`,
        ),
        table,
      ).toBe(0);
      expect(
        await scalar(clean.db, `select count(*) from ${table} where email <> lower(trim(email))`),
        table,
      ).toBe(0);
    }
    expect(await futureTimestamps(clean)).toBe(0);
    expect(await duplicateKeys(clean)).toBe(0);
    expect(
      await scalar(clean.db, `select count(*) from raw_shopify.orders where currency not in ('EUR', 'CHF')`),
    ).toBe(0);
    expect(await scalar(clean.db, `select count(*) from raw_shopify.order_lines where quantity <= 0`)).toBe(
      0,
    );
    expect(await scalar(clean.db, `select count(*) from raw_shopify.customers where id % 10 = 1`)).toBe(0);
  });

  it('keeps future timestamps out of the dirty build except for the order times it skews on purpose', async () => {
    const total = await futureTimestamps(dirty);
    const orders =
      (await scalar(
        dirty.db,
        `select count(*) from raw_shopify.orders where created_at >= timestamp '${AS_OF}'`,
      )) +
      (await scalar(
        dirty.db,
        `select count(*) from raw_amazon.orders where purchase_date >= timestamp '${AS_OF}'`,
      )) +
      (await scalar(
        dirty.db,
        `select count(*) from raw_otto.orders where order_date >= timestamp '${AS_OF}'`,
      ));
    expect(total).toBe(orders);
  });
});
