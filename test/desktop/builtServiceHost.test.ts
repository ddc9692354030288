import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortClient, type ApiMessagePort } from '../../core/api/client/index.ts';
import { readWorkspaceOwner } from '../../core/workspace/lock.ts';
import { buildElectron } from '../../scripts/buildElectron.ts';

// Inside the repository (git-ignored), so the bundle's external packages resolve from node_modules.
const outdir = fileURLToPath(new URL('../artifacts/desktop-build/', import.meta.url));
let workspaces: string;

beforeAll(async () => {
  await buildElectron(outdir);
  workspaces = await mkdtemp(join(tmpdir(), 'c360-built-host-'));
});
afterAll(async () => {
  await rm(workspaces, { recursive: true, force: true });
});

describe('the built service host (dist/electron/serviceHost.js)', () => {
  it('loads as an ES module, says it is ready, creates and opens a workspace, serves the API on a port and closes it', async () => {
    const worker = new Worker(new URL('./fixtures/builtHostWorker.mjs', import.meta.url), {
      workerData: { hostUrl: pathToFileURL(join(outdir, 'serviceHost.js')).href },
    });
    try {
      const events: unknown[] = [];
      const next = () =>
        new Promise<unknown>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no answer from the host; got ${JSON.stringify(events)}`)),
            20_000,
          );
          worker.once('message', (event) => {
            clearTimeout(timer);
            events.push(event);
            resolve(event);
          });
          worker.once('error', reject);
        });
      await expect(next()).resolves.toEqual({ type: 'ready' });
      const dir = join(workspaces, 'shop');
      worker.postMessage({ data: { type: 'open', dir, create: true }, ports: [] });
      await expect(next()).resolves.toEqual({ type: 'opened', dir });
      expect(existsSync(join(dir, 'c360.config.yaml'))).toBe(true);
      // The app owns the workspace: a `c360` command started now is told so.
      expect(await readWorkspaceOwner(dir)).toMatchObject({ kind: 'app', pid: process.pid });

      const channel = new MessageChannel();
      worker.postMessage({ data: { type: 'connect' }, ports: [channel.port1] }, [channel.port1]);
      const client = createPortClient(channel.port2 as unknown as ApiMessagePort);
      const info = await client.workspace.info();
      expect(info).toMatchObject({ name: 'shop', lastBuild: null, asOf: null });
      expect(info.databaseBytes).toBeGreaterThan(0);

      worker.postMessage({ data: { type: 'close' }, ports: [] });
      await expect(next()).resolves.toEqual({ type: 'closed' });
      expect(await readWorkspaceOwner(dir)).toBeUndefined();
      channel.port2.close();
    } finally {
      await worker.terminate();
    }
  });
});
