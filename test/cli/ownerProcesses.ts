import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, OWNER_FILE, STATE_DIR } from '../../core/workspace/lock.ts';

/**
 * The processes of the "two processes on one workspace" tests: `c360 web` owning a workspace, `c360` commands
 * started beside it, and the owner files a process that died or cannot be reached leaves behind.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'c360.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `c360 <args>` in its own process; `onStderr` sees the stderr so far (e.g. to send Ctrl-C at a progress line). */
export function c360(
  args: string[],
  onStderr?: (text: string, child: ChildProcessWithoutNullStreams) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `c360 web` on `dir`, once it printed its first line ("Listening on …"). */
export function startWeb(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcessWithoutNullStreams; line: string }> {
  const child = spawn(process.execPath, [BIN, 'web', '--workspace', dir, '--no-open'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end >= 0) resolve({ child, line: out.slice(0, end) });
    });
    child.on('close', (code) => reject(new Error(`c360 web exited (${code}) before listening: ${err}`)));
  });
}

/** Stops a running `c360 web` as Ctrl-C does and waits for it to exit. */
export async function stopWeb(web: ChildProcessWithoutNullStreams | undefined): Promise<void> {
  if (!web || web.exitCode !== null) return;
  const exited = new Promise((done) => web.on('close', done));
  web.kill('SIGINT');
  await exited;
}

/** A port nothing listens on (taken from the OS, then freed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** An owner file and lock folder as another process would have left them. */
export async function fakeOwner(
  dir: string,
  owner: { pid: number; api?: { url: string; token: string } },
): Promise<void> {
  await mkdir(join(dir, STATE_DIR, LOCK_FILE), { recursive: true });
  await writeFile(
    join(dir, STATE_DIR, OWNER_FILE),
    JSON.stringify({
      id: `fake-${owner.pid}`,
      host: hostname(),
      user: 'someone',
      kind: 'web',
      command: 'c360 web --port 4399',
      startedAt: new Date().toISOString(),
      ...owner,
    }),
    { mode: 0o600 },
  );
}
