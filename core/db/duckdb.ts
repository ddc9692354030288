import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { C360Error } from '../errors.ts';

export type SqlParams = Record<string, DuckDBValue> | DuckDBValue[];
export type JsonRow = Record<string, unknown>;

/**
 * One DuckDB database file opened by this process. DuckDB holds an exclusive file lock, so a
 * workspace is opened once per process and every caller shares this handle.
 */
export interface Database {
  readonly path: string;
  readonly connection: DuckDBConnection;
  /** Runs statements for their effect. */
  run(sql: string, params?: SqlParams): Promise<void>;
  /** Returns JSON-safe rows: BIGINT and DECIMAL as strings, dates as ISO-like strings. */
  queryJson(sql: string, params?: SqlParams): Promise<JsonRow[]>;
  /** Returns rows converted to JS values: bigint, number, Date, arrays. */
  queryJs(sql: string, params?: SqlParams): Promise<JsonRow[]>;
  /**
   * Another connection to the same database (its own transactions and temp tables, the same tables and
   * attached databases), e.g. to build two models at once. Its `close()` closes only that connection.
   */
  connect(): Promise<Database>;
  /** Closes this connection; on the handle `openDatabase` returned, the database too. */
  close(): void;
}

export interface OpenOptions {
  threads?: number;
  memoryLimit?: string;
  readOnly?: boolean;
}

export async function openDatabase(path: string, options: OpenOptions = {}): Promise<Database> {
  const config: Record<string, string> = {};
  if (options.threads) config.threads = String(options.threads);
  if (options.memoryLimit) config.memory_limit = options.memoryLimit;
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/lock/i.test(message)) {
      // Until every opener takes the workspace lock first (core/workspace/lock.ts names the holder), DuckDB's
      // own file lock is what a second process meets: the same code and exit code 3.
      throw new C360Error(
        'WORKSPACE_LOCKED',
        `The workspace database ${path} is in use by another process (${message}). ` +
          'Close the other c360 command or the desktop app and try again.',
        { details: { database: path } },
      );
    }
    throw new Error(`Could not open the database ${path}: ${message}`);
  }
  return wrapConnection(path, instance, await instance.connect(), () => instance.closeSync());
}

function wrapConnection(
  path: string,
  instance: DuckDBInstance,
  connection: DuckDBConnection,
  closeInstance: () => void,
): Database {
  return {
    path,
    connection,
    async run(sql, params) {
      await connection.run(sql, params);
    },
    async queryJson(sql, params) {
      const reader = await connection.runAndReadAll(sql, params);
      return reader.getRowObjectsJson() as JsonRow[];
    },
    async queryJs(sql, params) {
      const reader = await connection.runAndReadAll(sql, params);
      return reader.getRowObjectsJS() as JsonRow[];
    },
    async connect() {
      return wrapConnection(path, instance, await instance.connect(), () => undefined);
    },
    close() {
      connection.closeSync();
      closeInstance();
    },
  };
}

/** Quotes an identifier for DuckDB and BigQuery-compatible SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a text as a SQL string literal. */
export function quoteText(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Runs `work` with a DuckDB setting changed and restores the previous value afterwards, so a shared
 * connection is left as it was found even when `work` throws.
 */
export async function withSetting<T>(
  db: Database,
  name: string,
  value: boolean,
  work: () => Promise<T>,
): Promise<T> {
  const [previous] = await db.queryJs(`select current_setting('${name.replace(/'/g, "''")}') as v`);
  await db.run(`set ${name} = ${value}`);
  try {
    return await work();
  } finally {
    await db.run(`set ${name} = ${previous?.v === false ? 'false' : 'true'}`);
  }
}
