import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../core/api/procedure.ts';
import { previewSegmentProcedure } from '../../core/api/segmentProcedures.ts';
import { interruptible, QueryTimeoutError } from '../../core/db/interrupt.ts';
import { withTransaction } from '../../core/db/transaction.ts';
import { JobCancelledError, WorkspaceService } from '../../core/service/index.ts';
import { ENDLESS, fixtureWorkspace, gate, rejection, type WorkspaceFolder } from './serviceFixture.ts';

let folder: WorkspaceFolder;
let service: WorkspaceService;

beforeAll(async () => {
  folder = await fixtureWorkspace();
  service = await WorkspaceService.open(folder.dir);
});
afterAll(async () => {
  await service.close();
  await folder.remove();
});

/** Everyone in dim_customers, marketable or not: its count is the number of customers the preview sees. */
const everyone = {
  name: 'everyone',
  include_non_marketable: true,
  rules: [{ column: 'total_orders', op: '>=', value: 0 }],
};

const previewCount = async () =>
  (await call(previewSegmentProcedure, { definition: everyone, sample: 0, changes: false }, { service }))
    .count;

const customers = () =>
  service.read(async (db) => Number((await db.queryJs('select count(*) as n from dim_customers'))[0]?.n));

describe('the workspace service', () => {
  it('is one instance per workspace folder in a process: a second open returns it, the last close closes it', async () => {
    const again = await WorkspaceService.open(folder.dir);
    expect(again).toBe(service);
    await again.close();
    expect(await customers()).toBe(10);
  });

  it('answers a preview during a write job with the published tables, and with the new ones after the publish', async () => {
    expect(await previewCount()).toBe(10);
    const hold = gate();
    const started = gate();
    const job = service.write('build', async ({ db }) => {
      // What a build does: the new tables under *__c360_build, renamed in one transaction at the end.
      await db.run(
        `create or replace table dim_customers__c360_build as select * from dim_customers where customer_id <= 'c05'`,
      );
      await withTransaction(db, async (tx) => {
        await tx.run('drop table dim_customers');
        await tx.run('alter table dim_customers__c360_build rename to dim_customers');
        // Held with the publish done but not committed: on the writer's connection dim_customers has 5 rows.
        expect(Number((await tx.queryJs('select count(*) as n from dim_customers'))[0]?.n)).toBe(5);
        started.open();
        await hold.opened;
      });
      return 'published';
    });
    await started.opened;
    expect(service.currentJob()?.kind).toBe('build');
    // The writer is busy: reads and previews go on, on their own connections, and see only what is committed.
    expect(await previewCount()).toBe(10);
    expect(await customers()).toBe(10);
    hold.open();
    expect(await job).toBe('published');
    expect(service.currentJob()).toBeUndefined();
    expect(await customers()).toBe(5);
    expect(await previewCount()).toBe(5);
  });

  it('runs write jobs one at a time, in the order they were asked for', async () => {
    const events: string[] = [];
    let running = 0;
    let most = 0;
    const job = (name: string, ms: number) =>
      service.write('load', async () => {
        running += 1;
        most = Math.max(most, running);
        events.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        events.push(`end ${name}`);
        running -= 1;
        return name;
      });
    const results = await Promise.all([job('a', 150), job('b', 10), job('c', 50)]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(most).toBe(1);
  });

  it('never starts a queued job whose caller gave up', async () => {
    const hold = gate();
    const first = service.write('build', () => hold.opened);
    const controller = new AbortController();
    let ran = false;
    const second = service.write(
      'snapshot',
      async () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    controller.abort(new Error('the window was closed'));
    const error = await rejection(second);
    expect(error).toBeInstanceOf(JobCancelledError);
    expect(error.code).toBe('CANCELLED');
    expect(error.message).toMatch(/snapshot job was cancelled before it started \(the window was closed\)/);
    hold.open();
    await first;
    expect(ran).toBe(false);
  });

  it('interrupts a long read within a second of the abort (QUERY_CANCELLED), and the reader works again', async () => {
    const controller = new AbortController();
    const running = service.read((db) => db.queryJs(ENDLESS), {
      signal: controller.signal,
      timeoutSeconds: 0,
    });
    await new Promise((r) => setTimeout(r, 300));
    const abortedAt = performance.now();
    controller.abort(new Error('a newer preview started'));
    const error = await rejection(running);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    expect(error.code).toBe('QUERY_CANCELLED');
    expect(error.message).toMatch(/a newer preview started/);
    // Both readers answer again.
    expect(await Promise.all([customers(), customers()])).toEqual([5, 5]);
  });

  it('stops a read at its deadline with QUERY_TIMEOUT', async () => {
    const started = performance.now();
    const error = await rejection(service.read((db) => db.queryJs(ENDLESS), { timeoutSeconds: 1 }));
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect(error.code).toBe('QUERY_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('leaves the published tables intact when a write job is cancelled mid-statement', async () => {
    const controller = new AbortController();
    const job = service.write(
      'build',
      async ({ db, signal }) => {
        await db.run(
          `create or replace table dim_customers__c360_build as select * from dim_customers limit 1`,
        );
        try {
          await interruptible(db, signal).queryJs(ENDLESS);
          await withTransaction(db, async (tx) => {
            await tx.run('drop table dim_customers');
            await tx.run('alter table dim_customers__c360_build rename to dim_customers');
          });
        } finally {
          await db.run('drop table if exists dim_customers__c360_build');
        }
      },
      { signal: controller.signal },
    );
    await new Promise((r) => setTimeout(r, 300));
    const abortedAt = performance.now();
    controller.abort(new Error('Ctrl-C'));
    const error = await rejection(job);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    expect(error.code).toBe('QUERY_CANCELLED');
    expect(await customers()).toBe(5);
    const leftovers = await service.read((db) =>
      db.queryJson(`select table_name from duckdb_tables() where table_name like '%__c360_build'`),
    );
    expect(leftovers).toEqual([]);
    // The writer takes the next job.
    expect(await service.write('load', async ({ db }) => (await db.queryJs('select 1 as v'))[0]?.v)).toBe(1);
  });
});
