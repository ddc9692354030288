import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C360Error, exitCodeFor } from '../../core/errors.ts';
import {
  acquireWorkspaceLock,
  LOCK_FILE,
  OWNER_FILE,
  ownerUnreachableError,
  readWorkspaceOwner,
  STATE_DIR,
  type WorkspaceLock,
} from '../../core/workspace/lock.ts';

const HOLDER = join(import.meta.dirname, 'lockHolder.ts');
const TOKEN = 'tok_4f9a1c2e7b5d8e0f3a6c9b2d';

let dir: string;
const held: WorkspaceLock[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-lock-'));
});

afterEach(async () => {
  for (const lock of held.splice(0)) await lock.release();
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function acquire(...args: Parameters<typeof acquireWorkspaceLock>): Promise<WorkspaceLock> {
  const lock = await acquireWorkspaceLock(...args);
  held.push(lock);
  return lock;
}

async function refusal(promise: Promise<unknown>): Promise<C360Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(C360Error);
  return error as C360Error;
}

/** The pid of a process that has exited (and so is not alive). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((done) => child.on('exit', done));
  return child.pid!;
}

/** A lock left behind by some other process: the lock folder and its owner file, written by hand. */
async function fakeLock(owner: { pid: number; host: string }, ageSeconds = 0): Promise<void> {
  await mkdir(join(dir, STATE_DIR, LOCK_FILE), { recursive: true });
  await writeFile(
    join(dir, STATE_DIR, OWNER_FILE),
    JSON.stringify({
      id: 'old',
      ...owner,
      user: 'someone',
      kind: 'cli',
      command: 'c360 build',
      startedAt: '2026-12-01T08:00:00.000Z',
    }),
  );
  const when = new Date(Date.now() - ageSeconds * 1000);
  await utimes(join(dir, STATE_DIR, LOCK_FILE), when, when);
}

function startHolder(): Promise<{ child: ChildProcessWithoutNullStreams; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dir]);
  children.push(child);
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /locked (\d+)/.exec(out);
      if (match) resolvePromise({ child, pid: Number(match[1]) });
    });
    child.on('exit', (code) => reject(new Error(`the lock holder exited with ${code}: ${err}`)));
  });
}

describe('the workspace lock', () => {
  it('is taken, names its owner in a file only the user can read, and is released', async () => {
    const lock = await acquire(dir, { kind: 'cli', command: 'c360 build' });
    const ownerPath = join(dir, STATE_DIR, OWNER_FILE);
    expect((await stat(join(dir, STATE_DIR, LOCK_FILE))).isDirectory()).toBe(true);
    if (process.platform !== 'win32') expect((await stat(ownerPath)).mode & 0o777).toBe(0o600);
    const onDisk = JSON.parse(await readFile(ownerPath, 'utf8')) as Record<string, unknown>;
    expect(onDisk).toMatchObject({ pid: process.pid, host: hostname(), kind: 'cli', command: 'c360 build' });
    expect(Date.parse(String(onDisk.startedAt))).toBeGreaterThan(Date.now() - 60_000);
    expect(await readWorkspaceOwner(dir)).toMatchObject({ pid: process.pid, kind: 'cli' });
    expect(await readFile(join(dir, STATE_DIR, '.gitignore'), 'utf8')).toBe('*\n');

    await lock.release();
    await lock.release();
    expect(await readWorkspaceOwner(dir)).toBeUndefined();
    await expect(stat(join(dir, STATE_DIR, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(ownerPath)).rejects.toMatchObject({ code: 'ENOENT' });
    // free again
    await acquire(dir, { kind: 'cli', command: 'c360 show' });
  });

  it('refuses a second holder with a message naming the owner and what to do', async () => {
    await acquire(dir, { kind: 'app', command: 'c360 desktop' });
    const error = await refusal(acquireWorkspaceLock(dir, { kind: 'cli', command: 'c360 build' }));
    expect(error.code).toBe('WORKSPACE_LOCKED');
    expect(exitCodeFor(error)).toBe(3);
    expect(error.message).toContain(`The workspace ${dir} is in use by the c360 desktop app`);
    expect(error.message).toContain(`pid ${process.pid} on host ${hostname()}`);
    expect(error.message).toMatch(/since \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(error.message).toMatch(/Do this in the desktop app’s window, or close the app/);
    expect(error.details).toMatchObject({ kind: 'app', pid: process.pid, host: hostname() });
  });

  it('names a `c360 web` owner and its page, and never shows its token', async () => {
    const lock = await acquire(dir, { kind: 'web', command: 'c360 web --port 4300' });
    await lock.update({ url: 'http://127.0.0.1:4300/', token: TOKEN });
    if (process.platform !== 'win32')
      expect((await stat(join(dir, STATE_DIR, OWNER_FILE))).mode & 0o777).toBe(0o600);

    const owner = await readWorkspaceOwner(dir);
    expect(owner?.api?.url).toBe('http://127.0.0.1:4300/');
    expect(owner?.api?.token).toBe(TOKEN); // readable on purpose, for the caller that routes its call
    expect(JSON.stringify(owner)).not.toContain(TOKEN);
    expect(inspect(owner, { depth: 5 })).not.toContain(TOKEN);
    expect(JSON.stringify(lock.owner)).not.toContain(TOKEN);

    const error = await refusal(acquireWorkspaceLock(dir, { kind: 'cli', command: 'c360 build' }));
    expect(error.message).toContain('`c360 web --port 4300`');
    expect(error.message).toContain('Do this in the web page it serves (http://127.0.0.1:4300/)');
    expect(error.message).toContain(`kill ${process.pid}`);
    expect(`${error.message} ${JSON.stringify(error)} ${inspect(error, { depth: 5 })}`).not.toContain(TOKEN);

    const unreachable = ownerUnreachableError(dir, owner!, `GET http://127.0.0.1:4300/?token=${TOKEN} timed out`);
    expect(unreachable.code).toBe('WORKSPACE_UNREACHABLE');
    expect(exitCodeFor(unreachable)).toBe(3);
    expect(unreachable.message).toContain('did not answer at http://127.0.0.1:4300/');
    expect(unreachable.message).not.toContain(TOKEN);
  });

  it('takes over the lock of a holder that died on this computer', async () => {
    await fakeLock({ pid: await deadPid(), host: hostname() });
    expect(await readWorkspaceOwner(dir)).toBeUndefined();
    const lock = await acquire(dir, { kind: 'cli', command: 'c360 build' });
    expect(lock.owner.pid).toBe(process.pid);
    expect(await readWorkspaceOwner(dir)).toMatchObject({ pid: process.pid, command: 'c360 build' });
  });

  it('respects a fresh lock of another computer, and takes it over once its heartbeat is older than stale', async () => {
    await fakeLock({ pid: 1, host: 'elsewhere.example' });
    const error = await refusal(acquireWorkspaceLock(dir, { kind: 'cli', command: 'c360 build' }));
    expect(error.message).toContain('the command `c360 build` (pid 1 on another computer, elsewhere.example');
    expect(await readWorkspaceOwner(dir)).toMatchObject({ pid: 1, host: 'elsewhere.example' });

    await fakeLock({ pid: 1, host: 'elsewhere.example' }, 31);
    expect(await readWorkspaceOwner(dir)).toBeUndefined();
    const lock = await acquire(dir, { kind: 'daemon', command: 'c360 scheduler' });
    expect(lock.owner.kind).toBe('daemon');
    expect(await readWorkspaceOwner(dir)).toMatchObject({ pid: process.pid, kind: 'daemon' });
  });

  it('keeps its heartbeat: a held lock does not go stale', async () => {
    await acquire(dir, { kind: 'cli', command: 'c360 build' }, { staleMs: 2000, updateMs: 1000 });
    await new Promise((done) => setTimeout(done, 2600));
    const error = await refusal(acquireWorkspaceLock(dir, { kind: 'cli', command: 'c360 show' }, { staleMs: 2000 }));
    expect(error.code).toBe('WORKSPACE_LOCKED');
  });

  it('tells a second process who holds the workspace, and lets it in once the holder is gone', async () => {
    const { child, pid } = await startHolder();
    expect(pid).not.toBe(process.pid);
    const error = await refusal(acquireWorkspaceLock(dir, { kind: 'cli', command: 'c360 build' }));
    expect(error.code).toBe('WORKSPACE_LOCKED');
    expect(error.message).toContain(`\`c360 web --port 4399\` (pid ${pid} on host ${hostname()}`);
    expect(await readWorkspaceOwner(dir)).toMatchObject({ pid, kind: 'web' });

    child.stdin.end();
    await new Promise((done) => child.on('exit', done));
    expect(await readWorkspaceOwner(dir)).toBeUndefined();
    expect((await acquire(dir, { kind: 'cli', command: 'c360 build' })).owner.pid).toBe(process.pid);
  });

  it('takes over at once from a holder killed with SIGKILL', async () => {
    const { child, pid } = await startHolder();
    child.kill('SIGKILL');
    await new Promise((done) => child.on('exit', done));
    // The killed process could not clean up: its lock and owner file are still there.
    expect((await stat(join(dir, STATE_DIR, LOCK_FILE))).isDirectory()).toBe(true);
    expect(JSON.parse(await readFile(join(dir, STATE_DIR, OWNER_FILE), 'utf8'))).toMatchObject({ pid });
    const lock = await acquire(dir, { kind: 'cli', command: 'c360 build' });
    expect(lock.owner.pid).toBe(process.pid);
  });

  it('says when the workspace folder does not exist instead of creating it', async () => {
    const missing = join(dir, 'nothing-here');
    const error = await refusal(acquireWorkspaceLock(missing, { kind: 'cli', command: 'c360 build' }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain(`There is no workspace folder ${missing}`);
    await expect(stat(missing)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
