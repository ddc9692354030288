import { afterEach, describe, expect, it } from 'vitest';
import { WorkspaceService } from '../../core/service/index.ts';
import { ENDLESS, fixtureWorkspace, gate, rejection, type WorkspaceFolder } from './serviceFixture.ts';

let folder: WorkspaceFolder | undefined;
afterEach(async () => {
  await folder?.remove();
  folder = undefined;
});

describe('closing the workspace service', () => {
  it('stops a running read and the queued jobs, refuses new calls, and lets the folder be opened again', async () => {
    folder = await fixtureWorkspace();
    const service = await WorkspaceService.open(folder.dir);
    const reading = service.read((db) => db.queryJs(ENDLESS), { timeoutSeconds: 0 });
    const hold = gate();
    const running = service.write('build', async ({ signal }) => {
      await Promise.race([hold.opened, new Promise((r) => signal.addEventListener('abort', r))]);
      return signal.aborted ? 'stopped' : 'finished';
    });
    let queuedRan = false;
    const queued = service.write('load', async () => {
      queuedRan = true;
    });
    // Observed before closing, which settles them.
    const readStopped = rejection(reading);
    const queuedRefused = rejection(queued);
    await new Promise((r) => setTimeout(r, 200));
    const closedAt = performance.now();
    await service.close();
    expect(performance.now() - closedAt).toBeLessThan(1000);
    expect((await readStopped).code).toBe('QUERY_CANCELLED');
    expect(await running).toBe('stopped');
    expect((await queuedRefused).message).toMatch(/load job was cancelled before it started/);
    expect(queuedRan).toBe(false);
    expect((await rejection(service.read((db) => db.queryJs('select 1')))).code).toBe('WORKSPACE_CLOSED');

    const again = await WorkspaceService.open(folder.dir);
    try {
      expect(again).not.toBe(service);
      expect(
        await again.read((db) => db.queryJs('select count(*)::integer as n from dim_customers')),
      ).toEqual([{ n: 10 }]);
    } finally {
      await again.close();
    }
  });
});
