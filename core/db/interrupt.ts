import { C360Error, type C360ErrorOptions } from '../errors.ts';
import type { Database } from './duckdb.ts';

/**
 * Queries that stop when their caller gives up: `interruptible(db, signal)` runs every statement of `db` under
 * an AbortSignal. When the signal aborts, `DuckDBConnection.interrupt()` stops the statement that is running
 * (DuckDB checks between vectors of rows, so a running query ends within milliseconds) and the call rejects
 * with a `QueryCancelledError`; statements asked for after the abort reject without starting.
 *
 * What DuckDB does (checked in test/db/interrupt.test.ts): the interrupted statement fails with "INTERRUPT
 * Error: Interrupted!", an open transaction stays open and can be committed or rolled back, and the next
 * statement on the connection runs normally; `interrupt()` on an idle connection is a no-op.
 *
 * `interrupt()` stops whatever runs on the connection, so a signal should govern a connection (or a stretch of
 * work on it) that nobody else uses at the same time: the connection of one API call, or a reader connection
 * of the workspace service.
 */

export type QueryStopCode = 'QUERY_CANCELLED' | 'QUERY_TIMEOUT';

/** A query stopped because its caller cancelled it. */
export class QueryCancelledError extends C360Error {
  override name = 'QueryCancelledError';
  declare readonly code: QueryStopCode;
  constructor(message: string, options: C360ErrorOptions & { code?: QueryStopCode } = {}) {
    super(options.code ?? 'QUERY_CANCELLED', message, options);
  }
}

/** A query stopped at its deadline. */
export class QueryTimeoutError extends QueryCancelledError {
  override name = 'QueryTimeoutError';
  constructor(
    readonly limitSeconds: number,
    /** What ran, e.g. "preview of segment 'winback'"; starts the message. */
    during?: string,
  ) {
    super(
      `${during ? `${during}: ` : ''}the query ran longer than the ${limitSeconds} s limit for interactive ` +
        'queries and was stopped; narrow the rule or raise `query_timeout_seconds` in c360.config.yaml',
      { code: 'QUERY_TIMEOUT', details: { limitSeconds } },
    );
  }
}

/** The error a query under `signal` rejects with once the signal has aborted. */
export function stoppedError(signal: AbortSignal): QueryCancelledError {
  const reason: unknown = signal.reason;
  if (reason instanceof QueryCancelledError) return reason;
  const detail = reason instanceof Error ? reason.message : reason === undefined ? '' : String(reason);
  return new QueryCancelledError(
    `the query was cancelled${detail ? ` (${detail})` : ''}; nothing was changed, run it again when needed`,
  );
}

const inner = new WeakMap<Database, Database>();

/**
 * The connection without the signal, for statements that must run even after an abort: closing a transaction
 * the interrupted work opened, dropping a half-made temp table.
 */
export function uninterruptible(db: Database): Database {
  return inner.get(db) ?? db;
}

/** `db` with every statement run under `signal` (see above). Closing it closes `db`. */
export function interruptible(db: Database, signal: AbortSignal): Database {
  const base = uninterruptible(db);
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    if (signal.aborted) throw stoppedError(signal);
    const interrupt = () => base.connection.interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    try {
      // A statement that finished before the interrupt reached it keeps its result; the next one will not start.
      return await work();
    } catch (error) {
      if (signal.aborted) throw stoppedError(signal);
      throw error;
    } finally {
      signal.removeEventListener('abort', interrupt);
    }
  };
  const wrapped: Database = {
    path: base.path,
    connection: base.connection,
    run: (sql, params) => guarded(() => base.run(sql, params)),
    queryJson: (sql, params) => guarded(() => base.queryJson(sql, params)),
    queryJs: (sql, params) => guarded(() => base.queryJs(sql, params)),
    connect: async () => interruptible(await base.connect(), signal),
    close: () => base.close(),
  };
  inner.set(wrapped, base);
  return wrapped;
}
