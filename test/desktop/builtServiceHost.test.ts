import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHttpClient, createPortClient, type ApiMessagePort } from '../../core/api/client/index.ts';
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

const BIN = fileURLToPath(new URL('../../bin/c360.js', import.meta.url));

/** The real CLI in its own process (asynchronous: the host's worker thread must keep serving meanwhile). */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

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
      // The app owns the workspace and serves the API on 127.0.0.1 for `c360` commands started meanwhile.
      const owner = await readWorkspaceOwner(dir);
      expect(owner).toMatchObject({
        kind: 'app',
        pid: process.pid,
        api: { url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
      });
      const overHttp = createHttpClient(owner!.api!.url, { token: owner!.api!.token });
      expect(await overHttp.workspace.info()).toMatchObject({ name: 'shop' });
      // the listener serves the API only, and nothing without the token
      expect(
        (await fetch(`${owner!.api!.url}/`, { headers: { authorization: `Bearer ${owner!.api!.token}` } }))
          .status,
      ).toBe(404);
      expect((await fetch(`${owner!.api!.url}/api/workspace/info`, { method: 'POST' })).status).toBe(401);
      // a `c360 build` started now runs in the app and prints its progress
      const cli = await runCli(['-w', dir, 'build']);
      expect(cli.stderr).toContain('the workspace is held by');
      expect(cli.stderr).toContain('sending the build there');
      expect(cli.stderr).toMatch(/Building \d+ models/);
      // an empty workspace fails its row-count tests: the app's build ran and published nothing
      expect(cli.stdout).toContain('the previously published tables are unchanged');
      expect(cli.code).toBe(1);

      const channel = new MessageChannel();
      worker.postMessage({ data: { type: 'connect' }, ports: [channel.port1] }, [channel.port1]);
      const client = createPortClient(channel.port2 as unknown as ApiMessagePort);
      const info = await client.workspace.info();
      // the window's port sees the build the CLI sent
      expect(info).toMatchObject({ name: 'shop', lastBuild: { ok: false, published: false }, asOf: null });
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
