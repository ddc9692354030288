import { afterEach, describe, expect, it } from 'vitest';
import { C360Error } from '../../core/errors.ts';
import { WorkspaceService } from '../../core/service/index.ts';
import { fixtureWorkspace, gate, rejection, type WorkspaceFolder } from './serviceFixture.ts';

/**
 * Service tasks (a sync): long work outside the write queue that takes the writer per short job, one task per
 * kind, and that closing the workspace waits for while its write jobs still run.
 */

let folder: WorkspaceFolder | undefined;
afterEach(async () => {
  await folder?.remove();
  folder = undefined;
});

const busy = () => new C360Error('SYNC_RUNNING', 'a sync is running');

describe('workspace service tasks', () => {
  it("run their write jobs on the task's own connection, with write jobs of others in between", async () => {
    folder = await fixtureWorkspace();
    const service = await WorkspaceService.open(folder.dir);
    try {
      const between = gate();
      const order: string[] = [];
      const task = service.task(
        'sync',
        async ({ db, write }) => {
          // The task's temp table lives on its connection, and its write job sees it there.
          await db.run('create temp table batch as select 42 as n');
          await write('sync-state', async () => {
            order.push(`task holds ${service.currentJob()?.kind}`);
            await db.run('create table main.recorded as select n from batch');
          });
          await between.opened; // waiting on Klaviyo, say: the writer is free
          await write('sync-state', async () => {
            order.push('task again');
          });
        },
        { busy },
      );
      await new Promise((r) => setTimeout(r, 100));
      await service.write('build', async () => {
        order.push('build');
      });
      between.open();
      await task;
      expect(order).toEqual(['task holds sync-state', 'build', 'task again']);
      expect(await service.read((db) => db.queryJs('select n from main.recorded'))).toEqual([{ n: 42 }]);
    } finally {
      await service.close();
    }
  });

  it('of one kind run one at a time: a second one is refused with the given error', async () => {
    folder = await fixtureWorkspace();
    const service = await WorkspaceService.open(folder.dir);
    try {
      const hold = gate();
      const first = service.task('sync', () => hold.opened, { busy });
      expect(service.currentTask('sync')?.kind).toBe('sync');
      const second = await rejection(service.task('sync', async () => 'ran', { busy }));
      expect(second.code).toBe('SYNC_RUNNING');
      hold.open();
      await first;
      expect(service.currentTask('sync')).toBeUndefined();
      expect(await service.task('sync', async () => 'ran', { busy })).toBe('ran');
    } finally {
      await service.close();
    }
  });

  it('are stopped by closing, which waits while they record what they did, and stops a build at once', async () => {
    folder = await fixtureWorkspace();
    const service = await WorkspaceService.open(folder.dir);
    const build = service.write('build', async ({ signal }) => {
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      return 'build stopped';
    });
    const started = gate();
    const task = service.task(
      'sync',
      async ({ db, signal, write }) => {
        started.open();
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
        // After the abort (the workspace is closing), the task still records what it sent.
        await write('sync-state', () => db.run('create table main.recorded_on_close as select 1 as n'));
        return 'task recorded';
      },
      { busy },
    );
    await started.opened;
    const closedAt = performance.now();
    await service.close();
    expect(performance.now() - closedAt).toBeLessThan(1000);
    expect(await build).toBe('build stopped');
    expect(await task).toBe('task recorded');
    expect((await rejection(service.task('sync', async () => 'ran', { busy }))).code).toBe(
      'WORKSPACE_CLOSED',
    );
    const again = await WorkspaceService.open(folder.dir);
    try {
      expect(await again.read((db) => db.queryJs('select n from main.recorded_on_close'))).toEqual([
        { n: 1 },
      ]);
    } finally {
      await again.close();
    }
  });
});
