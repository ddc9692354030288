import type { Database } from '../db/duckdb.ts';
import { stoppedError, uninterruptible } from '../db/interrupt.ts';
import { attachCache, CACHE_DATABASE as SEARCH_DATABASE } from './instanceCache.ts';

/**
 * The customer search index: dim_customers' search keys, lower-cased and accent-folded once per published
 * build, in a table sorted by key, so that a keystroke reads one narrow key range (DuckDB skips the row groups
 * whose min/max cannot hold the prefix) instead of folding a million names.
 *
 * The tables live in the instance's cache database (instanceCache.ts), named after dim_customers' catalog oid,
 * which changes on every publish: a new build means a new index, a stale one is never read, and the previous
 * build's tables are dropped when the new ones are made.
 *
 *   keys_<oid>:  key (folded text), kind, exact_length, row, lifetime_revenue   — sorted by key
 *   cards_<oid>: row, what a search hit shows                      — sorted by row, indexed on row
 *
 * `row` numbers customers by customer_id, so ordering by row is ordering by customer_id.
 */

/** What a search key holds. Names are keyed as "first last" and "last first": a prefix of one is a prefix of a name. */
export const KEY_KIND = { customerId: 0, email: 1, firstLast: 2, lastFirst: 3 } as const;

/** A customer has at most this many keys (one per kind), so N customers are among the first N × this keys. */
export const KEYS_PER_CUSTOMER = Object.keys(KEY_KIND).length;

export interface SearchIndex {
  /** Qualified table names. */
  keys: string;
  cards: string;
}

/** Case and accents folded the same way on both sides of a name comparison. */
export const fold = (expr: string) => `strip_accents(lower(${expr}))`;

/** Index builds under way, by database file and dim_customers oid: keystrokes during a build wait for it. */
const building = new Map<string, Promise<SearchIndex | undefined>>();

function tableNames(oid: string): SearchIndex {
  return { keys: `${SEARCH_DATABASE}.keys_${oid}`, cards: `${SEARCH_DATABASE}.cards_${oid}` };
}

async function buildIndex(db: Database, oid: string): Promise<SearchIndex | undefined> {
  const names = tableNames(oid);
  // A connection of its own, without the caller's signal: a keystroke that is superseded cancels its wait, not
  // the build the next keystroke needs.
  const own = await uninterruptible(db).connect();
  try {
    if (!(await attachCache(own))) return undefined;
    await own.run('begin');
    try {
      await own.run(
        `create table ${names.cards} as
         select (row_number() over (order by customer_id))::uinteger as row, customer_id, email, first_name,
                last_name, city, lifecycle_stage, total_orders, lifetime_revenue
         from main.dim_customers order by row`,
      );
      // The hits of a keystroke are fetched by row: an index lookup instead of decompressing a million cards.
      await own.run(`create unique index cards_${oid}_row on ${names.cards} (row)`);
      await own.run(
        `create table ${names.keys} as
         with folded as (
           select row, customer_id, email, lifetime_revenue,
                  ${fold(`concat_ws(' ', first_name, last_name)`)} as first_last,
                  ${fold(`concat_ws(' ', last_name, first_name)`)} as last_first,
                  length(${fold('last_name')}) as last_length
           from ${names.cards}
         ),
         keyed as (
           select lower(customer_id) as key, ${KEY_KIND.customerId}::utinyint as kind, null::usmallint as exact_length,
                  row, lifetime_revenue from folded
           union all
           select email, ${KEY_KIND.email}, null, row, lifetime_revenue from folded where email is not null
           union all
           select first_last, ${KEY_KIND.firstLast}, null, row, lifetime_revenue from folded where first_last <> ''
           union all
           select last_first, ${KEY_KIND.lastFirst}, last_length, row, lifetime_revenue
           from folded where last_first <> ''
         )
         select * from keyed order by key`,
      );
      await own.run('commit');
    } catch (error) {
      await own.run('rollback').catch(() => undefined);
      throw error;
    }
    // Older builds' indexes are never read again.
    const stale = await own.queryJson(
      `select table_name from duckdb_tables() where database_name = '${SEARCH_DATABASE}'
        and (table_name like 'keys\\_%' escape '\\' or table_name like 'cards\\_%' escape '\\')
        and table_name not in ('keys_${oid}', 'cards_${oid}')`,
    );
    for (const { table_name } of stale)
      await own.run(`drop table if exists ${SEARCH_DATABASE}."${String(table_name)}"`).catch(() => undefined);
    return names;
  } finally {
    own.close();
  }
}

/** Waits for `promise`, or rejects as soon as `signal` aborts (the promise itself goes on). */
function awaitUnless<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(stoppedError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stoppedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The search index of the published dim_customers, made on first use after a build (a few seconds at a million
 * customers), or undefined when it cannot be made here (a read-only instance cannot attach an in-memory
 * database): the caller then scans dim_customers.
 */
export async function searchIndex(db: Database, signal?: AbortSignal): Promise<SearchIndex | undefined> {
  // One catalog read per keystroke: which dim_customers is published, and whether its index is made.
  const [table] = await db.queryJson(
    `select t.table_oid::varchar as oid,
            (select count(*) from duckdb_tables() i
              where i.database_name = '${SEARCH_DATABASE}'
                and i.table_name in ('keys_' || t.table_oid, 'cards_' || t.table_oid))::integer as ready
     from duckdb_tables() t
     where t.database_name = current_database() and t.schema_name = 'main' and t.table_name = 'dim_customers'`,
  );
  if (!table) return undefined;
  const oid = String(table.oid);
  const names = tableNames(oid);
  const ready = table;
  if (Number(ready.ready) === 2) return names;
  const key = `${db.path}\u0000${oid}`;
  let pending = building.get(key);
  if (!pending) {
    pending = buildIndex(db, oid).finally(() => building.delete(key));
    building.set(key, pending);
  }
  try {
    return await awaitUnless(pending, signal);
  } catch (error) {
    if (signal?.aborted) throw stoppedError(signal);
    throw error;
  }
}
