import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../core/db/duckdb.ts';
import { readWorkspaceOwner } from '../../core/workspace/lock.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'c360.js');

let dir: string;
let child: ChildProcessWithoutNullStreams | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-web-'));
  (await openDatabase(join(dir, 'workspace.duckdb'))).close();
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Resolves with the first stdout line. */
function firstLine(process: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) resolve(text.slice(0, end));
    });
    process.on('close', (code) => reject(new Error(`c360 web exited (${code}) before printing its address`)));
  });
}

describe('c360 web', () => {
  it('prints its address with the token, serves the API for the workspace, and stops cleanly on Ctrl-C', async () => {
    child = spawn(process.execPath, [BIN, 'web', '--workspace', dir, '--no-open'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const line = await firstLine(child);
    const match = line.match(/^Listening on (http:\/\/127\.0\.0\.1:(\d+))\/\?token=([A-Za-z0-9_-]{43})$/);
    expect(match, line).not.toBeNull();
    const [, base, , token] = match!;

    // It owns the workspace, and its owner file says where its API listens (for a second `c360` to route to).
    const owner = await readWorkspaceOwner(dir);
    expect(owner).toMatchObject({ kind: 'web', pid: child.pid, api: { url: base } });
    expect(owner?.command).toMatch(/^c360 web /);
    expect(owner?.api?.token).toBe(token);

    const redirect = await fetch(`${base}/?token=${token}`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const info = await fetch(`${base}/api/workspace/info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await info.json()).toMatchObject({ json: { name: dir.split(/[\\/]/).pop(), lastBuild: null } });

    const exited = new Promise<number | null>((resolve) => child!.on('close', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain('Stopping the web server');
    await expect(fetch(`${base}/`)).rejects.toThrow();
    expect(await readWorkspaceOwner(dir)).toBeUndefined();
  }, 60_000);
});
