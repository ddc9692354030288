import { withSetting, type Database } from '../db/duckdb.ts';
import { withTransaction } from '../db/transaction.ts';
import { createRawSchemas, RAW_TABLES, rawSchemaName, rawTableDdl } from '../sources/rawTables.ts';
import { generateAmazon } from './amazon.ts';
import { loadCatalog } from './catalog.ts';
import { BUILD_SUFFIX, buildTableName, createDemoContext, type DemoContext } from './context.ts';
import { generateKlaviyo } from './klaviyo.ts';
import {
  DEFAULT_DEMO_SEED,
  DEFAULT_DIRTY_SHARE,
  demoOptionsSchema,
  todayUtc,
  type DemoOptions,
  type DemoSummary,
} from './options.ts';
import { generateOrders } from './orders.ts';
import { generateOtto } from './otto.ts';
import { generatePeople } from './people.ts';
import { createRandomMacros, dropRandomMacros } from './randomSql.ts';
import { generateShipments } from './shipments.ts';
import { generateShopify } from './shopify.ts';
import { generateZendesk } from './zendesk.ts';

export { demoOptionsSchema, MAX_DEMO_CUSTOMERS } from './options.ts';
export type {
  DemoOptions,
  DemoOptionsInput,
  DemoProgressEvent,
  DemoSummary,
  DemoTableCount,
} from './options.ts';

/**
 * The demo shop generator: a realistic German D2C health shop (Shopify + Amazon + a little OTTO Market,
 * DHL/DPD parcels, Klaviyo, Zendesk) written straight into the raw_* schemas, as set-based DuckDB SQL. Deterministic:
 * every random choice is hash(seed, entity key, salt), so a seed and options always give the same tables.
 *
 * History covers the 1095 days before `asOf` 00:00 UTC (exclusive), so a build at or after that instant (the
 * default as_of is the build's start) sees no "future" rows in a clean demo; `c360 build --var as_of=<asOf>`
 * reproduces the demo's own reference day. Per customer ≈ 4 orders (Pareto tail), ≈ 2 lines per
 * order, one parcel per shipped order with ≈ 3 tracking events; Klaviyo email events cover 180 days.
 * Rows are written to build tables and swapped in at the end, so a failed run changes nothing.
 *
 * Dirty data, with d = dirtyShare (default 0.02). With d = 0 none of these exist.
 *
 * | case                                                        | where                         | share         |
 * |-------------------------------------------------------------|-------------------------------|---------------|
 * | mixed case / surrounding whitespace in emails               | shopify customers, orders     | d             |
 * |                                                             | klaviyo profiles, zendesk     | d             |
 * | null email                                                  | shopify customers             | d/2           |
 * |                                                             | shopify orders                | d/4           |
 * |                                                             | zendesk users                 | d             |
 * | invalid email ('anna.schmidt@', 'kein-email', no TLD, space)| shopify customers             | d/2           |
 * |                                                             | zendesk users                 | d/4           |
 * | Gmail spelling that normalises to the customer's address    | shopify order emails (Gmail)  | d/2           |
 * |   (dots moved, +tag)                                        | klaviyo profiles (Gmail)      | d             |
 * | duplicate Shopify customer (second id, email other case or  | shopify customers             | d/2 of people |
 * |   other Gmail spelling; later orders use the new account)   |                               |               |
 * | re-landed rows (same primary key twice)                     | shopify customers, orders,    | d/10          |
 * |                                                             | klaviyo profiles and events,  |               |
 * |                                                             | shipment events               |               |
 * | orders in GBP / PLN                                         | shopify orders                | d/4 each      |
 * | orders in the unknown currency 'XXX'                        | shopify orders                | d/20          |
 * | order timestamps after as_of (clock skew, 1 h – 20 days)     | all orders                    | d/20          |
 * | line quantity 0 or -1                                       | shopify lines, amazon items   | d/20          |
 *
 * Not dirty but realistic, at fixed rates whatever d is: cancelled orders (2 % Shopify, 2.5 % Amazon),
 * refunded / partially refunded orders (1.5 % / 1 %; Amazon 0.5 % / 1 %, with refunded amounts), orders whose
 * payment is not captured yet (Shopify pending, Amazon Pending / PendingAvailability, OTTO ANNOUNCED; recent
 * unshipped orders only), OTTO Market re-buys (5 % of the third and later orders of shop customers), CHF orders of Swiss customers, guest checkouts
 * (3 %), Amazon buyer names in other case or spacing, namesakes with the same postal code (0.3 %),
 * failed / delayed / returned parcels, unsubscribed and suppressed Klaviyo profiles.
 */
export async function generateDemoShop(db: Database, options: DemoOptions): Promise<DemoSummary> {
  const { onProgress, ...input } = options;
  const parsed = demoOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join('; ');
    throw new Error(`Invalid demo options: ${problems}.`);
  }
  const seed = parsed.data.seed ?? DEFAULT_DEMO_SEED;
  const asOf = parsed.data.asOf ?? todayUtc();
  const ctx = createDemoContext(db, {
    seed,
    asOf,
    customers: parsed.data.customers,
    dirty: parsed.data.dirtyShare ?? DEFAULT_DIRTY_SHARE,
  });

  const started = performance.now();
  const stages: { stage: string; seconds: number }[] = [];
  const stage = async (name: string, work: () => Promise<number | void>): Promise<void> => {
    const t0 = performance.now();
    const rows = await work();
    const seconds = (performance.now() - t0) / 1000;
    stages.push({ stage: name, seconds });
    onProgress?.({ stage: name, seconds, ...(typeof rows === 'number' ? { rows } : {}) });
  };

  // Row order carries no meaning in raw tables; without it DuckDB inserts in parallel. Restored after.
  await withSetting(db, 'preserve_insertion_order', false, async () => {
    // Not one big transaction: DuckDB keeps no statistics for tables created inside an open transaction,
    // and the join plans over such temp tables get many times slower. Instead the rows go to build
    // tables that replace the raw tables in one short transaction at the end.
    try {
      await stage('prepare', async () => {
        await createRawSchemas((sql) => db.run(sql));
        for (const table of RAW_TABLES) {
          await db.run(rawTableDdl({ ...table, table: `${table.table}${BUILD_SUFFIX}` }));
        }
        await createRandomMacros(db, seed);
        await loadCatalog(ctx);
      });
      await stage('people', () => generatePeople(ctx));
      await stage('orders', () => generateOrders(ctx));
      await stage('shopify', () => generateShopify(ctx));
      await stage('amazon', () => generateAmazon(ctx));
      await stage('otto', () => generateOtto(ctx));
      // Intermediate tables are dropped as soon as the last reader is done: peak memory at 1M stays low.
      await dropTempTables(ctx, ['demo_lines', 'demo_order_totals']);
      await stage('shipments', () => generateShipments(ctx));
      await dropTempTables(ctx, ['demo_orders']);
      await stage('klaviyo', () => generateKlaviyo(ctx));
      await stage('zendesk', () => generateZendesk(ctx));
      await stage('swap', () => swapInBuildTables(db));
    } catch (error) {
      for (const table of RAW_TABLES) {
        await db
          .run(`drop table if exists ${buildTableName(table.source, table.table)}`)
          .catch(() => undefined);
      }
      throw error;
    } finally {
      await dropTempTables(ctx, 'all').catch(() => undefined);
      await dropRandomMacros(db).catch(() => undefined);
    }
  });
  let tables: DemoSummary['tables'] = [];
  await stage('finish', async () => {
    await db.run('checkpoint');
    tables = await countRawRows(db);
  });
  return {
    asOf,
    seed,
    customers: ctx.customers,
    tables,
    stages,
    totalSeconds: (performance.now() - started) / 1000,
  };
}

/** Replaces every raw table by its freshly built twin, atomically. */
async function swapInBuildTables(db: Database): Promise<void> {
  await withTransaction(db, async (tx) => {
    for (const table of RAW_TABLES) {
      const schema = rawSchemaName(table.source);
      await tx.run(`drop table if exists ${schema}."${table.table}"`);
      await tx.run(`alter table ${buildTableName(table.source, table.table)} rename to "${table.table}"`);
    }
  });
}

async function countRawRows(db: Database): Promise<DemoSummary['tables']> {
  const sql = RAW_TABLES.map(
    (t) =>
      `select '${rawSchemaName(t.source)}' as schema_name, '${t.table}' as table_name, count(*)::BIGINT as n from ${rawSchemaName(t.source)}."${t.table}"`,
  ).join(' union all ');
  const rows = await db.queryJs(sql);
  return RAW_TABLES.map((t) => {
    const schema = rawSchemaName(t.source);
    const row = rows.find((r) => r.schema_name === schema && r.table_name === t.table);
    return { schema, table: t.table, rows: Number(row?.n ?? 0) };
  });
}

/** Temp tables hold a few GB at 1M customers; release them before the models build. */
async function dropTempTables(ctx: DemoContext, names: string[] | 'all'): Promise<void> {
  const tables =
    names === 'all'
      ? (
          await ctx.db.queryJs(
            "select table_name from duckdb_tables() where temporary and table_name like 'demo\\_%' escape '\\'",
          )
        ).map((row) => String(row.table_name))
      : names;
  for (const table of tables) await ctx.db.run(`drop table if exists temp."${table}"`);
}
