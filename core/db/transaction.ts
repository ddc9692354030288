import type { Database } from './duckdb.ts';
import { uninterruptible } from './interrupt.ts';

export interface TransactionOptions {
  /** `begin transaction read only`: DuckDB refuses every write inside (defence in depth for user rules). */
  readOnly?: boolean;
}

/**
 * Runs `work` inside one DuckDB transaction on `db`'s connection: committed when `work` resolves, rolled back
 * when it throws (or when the commit itself fails). The error of `work` is what the caller sees: a failing
 * rollback (e.g. the connection's transaction was already aborted by DuckDB) never hides it.
 *
 * The commit goes through `db`, so work under an aborted signal (core/db/interrupt.ts) is rolled back rather than
 * committed; the rollback always runs, through the connection without the signal. A read-only transaction has
 * nothing to lose, so it is always closed with a commit that the signal cannot stop.
 *
 * DuckDB has no nested transactions: the connection must not be inside one already.
 */
export async function withTransaction<T>(
  db: Database,
  work: (db: Database) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  await db.run(options.readOnly ? 'begin transaction read only' : 'begin transaction');
  let result: T;
  try {
    result = await work(db);
  } catch (error) {
    await rollbackQuietly(db);
    throw error;
  }
  if (options.readOnly) {
    await uninterruptible(db).run('commit');
    return result;
  }
  try {
    await db.run('commit');
  } catch (error) {
    await rollbackQuietly(db);
    throw error;
  }
  return result;
}

async function rollbackQuietly(db: Database): Promise<void> {
  try {
    await uninterruptible(db).run('rollback');
  } catch {
    // The transaction may already be gone (a failed commit ends it); the original error is the one to report.
  }
}
