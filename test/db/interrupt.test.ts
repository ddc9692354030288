import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { deadline } from '../../core/db/deadline.ts';
import { interruptible, QueryCancelledError, QueryTimeoutError } from '../../core/db/interrupt.ts';
import { readOnlyWhen } from '../../core/segments/expertSql.ts';

/** Minutes of work for DuckDB (10^14 row pairs), which no test waits for. */
const ENDLESS = 'select count(*) as n from range(1000000000) a, range(100000) b where a.range + b.range = -1';

let dir: string;
let db: Database;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-interrupt-'));
  db = await openDatabase(join(dir, 'workspace.duckdb'), { threads: 1 });
  await db.run('create table kept as select range as id from range(1000)');
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

async function kept(): Promise<unknown> {
  const [row] = await db.queryJson('select count(*) as n, sum(id) as total from kept');
  return row;
}

async function stopped(work: Promise<unknown>): Promise<QueryCancelledError> {
  const error = await work.then(
    () => new Error('the query finished instead of being stopped'),
    (e: unknown) => e,
  );
  if (!(error instanceof QueryCancelledError)) throw error;
  return error;
}

describe('interruptible queries', () => {
  it('stop a long query within a second of the abort, with the code QUERY_CANCELLED, and leave the connection usable', async () => {
    const controller = new AbortController();
    const running = interruptible(db, controller.signal).queryJs(ENDLESS);
    await new Promise((r) => setTimeout(r, 500));
    const abortedAt = performance.now();
    controller.abort(new Error('the editor changed the rule'));
    const error = await stopped(running);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    expect(error.code).toBe('QUERY_CANCELLED');
    expect(error.message).toMatch(/cancelled \(the editor changed the rule\)/);
    // The same connection answers the next query, and the data is as it was.
    expect(await db.queryJson('select 42 as v')).toEqual([{ v: 42 }]);
    expect(await kept()).toEqual({ n: '1000', total: '499500' });
  });

  it('stop at the deadline with the code QUERY_TIMEOUT and a message naming the limit and the config key', async () => {
    const started = performance.now();
    const error = await stopped(
      interruptible(db, deadline(1, undefined, 'preview of segment x')).queryJs(ENDLESS),
    );
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(2000);
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect(error.code).toBe('QUERY_TIMEOUT');
    expect(error.message).toBe(
      'preview of segment x: the query ran longer than the 1 s limit for interactive queries and was stopped; ' +
        'narrow the rule or raise `query_timeout_seconds` in c360.config.yaml',
    );
    expect(await kept()).toEqual({ n: '1000', total: '499500' });
  });

  it('close the read-only transaction of an interrupted expert-rule query, so the next write works', async () => {
    const controller = new AbortController();
    const reader = interruptible(db, controller.signal);
    setTimeout(() => controller.abort(), 300);
    await stopped(readOnlyWhen(reader, true, () => reader.queryJs(ENDLESS)));
    await db.run('insert into kept values (1000)');
    await db.run('delete from kept where id = 1000');
    expect(await kept()).toEqual({ n: '1000', total: '499500' });
  });

  it('start no statement once the signal has aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const reader = interruptible(db, controller.signal);
    const error = await stopped(reader.run('insert into kept values (-1)'));
    expect(error.code).toBe('QUERY_CANCELLED');
    expect(await kept()).toEqual({ n: '1000', total: '499500' });
  });

  it('let a deadline end early when its parent signal aborts', async () => {
    const parent = new AbortController();
    const signal = deadline(60, parent.signal);
    const running = interruptible(db, signal).queryJs(ENDLESS);
    setTimeout(() => parent.abort(new Error('a newer preview started')), 300);
    const error = await stopped(running);
    expect(error).not.toBeInstanceOf(QueryTimeoutError);
    expect(error.message).toMatch(/a newer preview started/);
  });

  it('leave quick queries alone', async () => {
    const reader = interruptible(db, deadline(10));
    expect(await reader.queryJson('select count(*) as n from kept')).toEqual([{ n: '1000' }]);
  });
});
