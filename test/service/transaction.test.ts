import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { withTransaction } from '../../core/db/transaction.ts';
import { rejection } from './serviceFixture.ts';

let dir: string;
let db: Database;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-tx-'));
  db = await openDatabase(join(dir, 'workspace.duckdb'));
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await db.run('create or replace table kept as select range as id from range(3)');
});

const ids = async () => (await db.queryJs('select id from kept order by id')).map((r) => Number(r.id));

describe('withTransaction', () => {
  it('commits the work and returns its result', async () => {
    const result = await withTransaction(db, async (tx) => {
      await tx.run('insert into kept values (3)');
      return 'done';
    });
    expect(result).toBe('done');
    expect(await ids()).toEqual([0, 1, 2, 3]);
  });

  it('rolls back every statement of the work when it throws, and rethrows its error', async () => {
    const error = await rejection(
      withTransaction(db, async (tx) => {
        await tx.run('insert into kept values (3)');
        await tx.run('delete from kept where id = 0');
        throw new Error('the second step failed');
      }),
    );
    expect(error.message).toBe('the second step failed');
    expect(await ids()).toEqual([0, 1, 2]);
    // The connection is out of the transaction: the next one works.
    await withTransaction(db, (tx) => tx.run('insert into kept values (4)'));
    expect(await ids()).toEqual([0, 1, 2, 4]);
  });

  it('reports the error of the work, not the failing rollback, when the transaction is already gone', async () => {
    const error = await rejection(
      withTransaction(db, async (tx) => {
        await tx.run('insert into kept values (3)');
        await tx.run('rollback'); // the work ended the transaction itself: our rollback fails
        throw new Error('the original problem');
      }),
    );
    expect(error.message).toBe('the original problem');
    expect(await ids()).toEqual([0, 1, 2]);
  });

  it('refuses writes inside a read-only transaction and leaves the data as it was', async () => {
    const error = await rejection(
      withTransaction(db, (tx) => tx.run('insert into kept values (3)'), { readOnly: true }),
    );
    expect(error.message).toMatch(/read.only/i);
    expect(await ids()).toEqual([0, 1, 2]);
    expect(
      await withTransaction(db, (tx) => tx.queryJs('select count(*)::integer as n from kept'), {
        readOnly: true,
      }),
    ).toEqual([{ n: 3 }]);
  });
});
