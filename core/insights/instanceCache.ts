import type { Database } from '../db/duckdb.ts';
import { uninterruptible } from '../db/interrupt.ts';

/**
 * What the pages derive from the published tables and keep until the next publish (the search index, the
 * Overview's figures) lives in an in-memory database attached to the workspace's DuckDB instance: every
 * connection of the instance (the service's readers) sees it, it never touches the workspace file, and it goes
 * away with the instance, so nothing outlives the data it came from. Entries are keyed by the catalog oids of
 * the tables they read: a build publishes by renaming freshly built tables into place, so a publish changes
 * the oids and an old entry is never read again.
 *
 * A read-only instance cannot attach an in-memory database: callers then compute without a cache.
 */
export const CACHE_DATABASE = 'c360_cache';

/** Attaches the cache database if needed; false when this instance cannot (read-only). */
export async function attachCache(db: Database): Promise<boolean> {
  try {
    await db.run(`attach if not exists ':memory:' as ${CACHE_DATABASE} (compress)`);
    return true;
  } catch (error) {
    if (error instanceof Error && /read-only|read only/i.test(error.message)) return false;
    throw error;
  }
}

/** The catalog oids of published tables in `main`, joined ('' when one is missing). */
export async function publishedOids(db: Database, tables: readonly string[]): Promise<string> {
  const rows = await db.queryJson(
    `select table_name, table_oid::varchar as oid from duckdb_tables()
      where database_name = current_database() and schema_name = 'main'
        and list_contains($1::varchar[], table_name)`,
    [`[${tables.join(',')}]`],
  );
  const oid = new Map(rows.map((r) => [String(r.table_name), String(r.oid)]));
  return tables.every((t) => oid.has(t)) ? tables.map((t) => oid.get(t)).join('.') : '';
}

/**
 * The JSON value computed for (`kind`, `key`) on this instance, or `compute()`'s, stored for the next caller
 * (the previous value of the same kind is dropped). Caching is an optimisation: if the cache cannot be read or
 * written (a concurrent writer won), the computed value is returned all the same.
 */
export async function cachedJson<T>(
  db: Database,
  kind: string,
  key: string,
  compute: () => Promise<T>,
): Promise<T> {
  const table = `${CACHE_DATABASE}.results`;
  let usable = false;
  try {
    usable = await attachCache(db);
    if (usable) {
      await db.run(`create table if not exists ${table} (kind varchar, key varchar, value varchar)`);
      const [hit] = await db.queryJson(`select value from ${table} where kind = $1 and key = $2`, [
        kind,
        key,
      ]);
      if (hit) return JSON.parse(String(hit.value)) as T;
    }
  } catch {
    usable = false;
  }
  const value = await compute();
  if (usable) {
    // Not interruptible: a cancelled caller must not leave a transaction open on a pooled connection.
    const own = uninterruptible(db);
    try {
      await own.run('begin');
      await own.run(`delete from ${table} where kind = $1`, [kind]);
      await own.run(`insert into ${table} values ($1, $2, $3)`, [kind, key, JSON.stringify(value)]);
      await own.run('commit');
    } catch {
      await own.run('rollback').catch(() => undefined);
    }
  }
  return value;
}
