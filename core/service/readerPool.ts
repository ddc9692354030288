import type { Database } from '../db/duckdb.ts';
import { stoppedError } from '../db/interrupt.ts';

/**
 * A few reader connections of the workspace's DuckDB instance, lent out one call at a time: a call owns its
 * connection while it runs, so interrupting it (core/db/interrupt.ts) stops only that call, and its temp tables
 * and transactions meet nobody else's. Callers beyond the pool's size wait in line (FIFO).
 */
export class ReaderPool {
  private readonly idle: Database[];
  private readonly waiters: { resolve: (db: Database) => void; reject: (error: unknown) => void }[] = [];
  private readonly lent = new Set<Database>();

  constructor(readonly connections: readonly Database[]) {
    this.idle = [...connections];
  }

  /** A free connection; waits for one when all are lent, and gives up when `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<Database> {
    if (signal.aborted) return Promise.reject(stoppedError(signal));
    const free = this.idle.shift();
    if (free) {
      this.lent.add(free);
      return Promise.resolve(free);
    }
    return new Promise<Database>((resolve, reject) => {
      const waiter = {
        resolve: (db: Database) => {
          signal.removeEventListener('abort', onAbort);
          this.lent.add(db);
          resolve(db);
        },
        reject,
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(stoppedError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(db: Database): void {
    if (!this.lent.delete(db)) return;
    const next = this.waiters.shift();
    if (next) next.resolve(db);
    else this.idle.push(db);
  }

  /** Connections lent out right now. */
  get busy(): number {
    return this.lent.size;
  }

  /** Closes every connection (the caller has stopped the calls that borrowed them). */
  close(): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('the workspace was closed'));
    for (const db of this.connections) db.close();
  }
}
