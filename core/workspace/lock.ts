import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { C360Error, redactSecrets } from '../errors.ts';
import {
  currentUser,
  publicOwner,
  readOwnerFile,
  writeOwnerFile,
  type OwnerApi,
  type OwnerFile,
  type OwnerKind,
  type WorkspaceOwner,
} from './ownerFile.ts';

export type { OwnerApi, OwnerKind, WorkspaceOwner } from './ownerFile.ts';

/**
 * One process at a time owns a workspace (DuckDB allows one writing process): the desktop app, `c360 web`, a
 * `c360` command or the scheduler. The lock is proper-lockfile's directory `<workspace>/.c360/workspace.lock`
 * (mkdir is atomic on every file system, NFS included); the holder touches it every LOCK_UPDATE_MS, and a lock
 * not touched for LOCK_STALE_MS belongs to a process that died or hangs and is taken over. A holder that died
 * on this computer is taken over at once (its pid is gone).
 *
 * Next to the lock, `<workspace>/.c360/owner.json` (ownerFile.ts; mode 0600: it holds the API token) says who
 * holds it and where its API listens, so that a second process can send its call there or tell the user who
 * to ask. The token is a non-enumerable property of what readWorkspaceOwner returns, so logging or serialising
 * an owner (JSON.stringify, console.log, an error's details) never prints it; read it as `owner.api.token`.
 *
 * Taking over a stale lock has the window every lock-directory scheme has: two processes that both find the
 * same dead holder in the same milliseconds can both remove it. The loser's heartbeat then finds the lock
 * directory changed and reports the lock as compromised (WorkspaceLock.compromised, options.onCompromised);
 * DuckDB's own file lock still keeps the second writer out of the database.
 */

export const LOCK_STALE_MS = 30_000;
export const LOCK_UPDATE_MS = 10_000;
export const STATE_DIR = '.c360';
export const LOCK_FILE = 'workspace.lock';
export const OWNER_FILE = 'owner.json';

export interface WorkspaceLock {
  /** Absolute workspace folder. */
  readonly dir: string;
  readonly owner: WorkspaceOwner;
  /** Set once the heartbeat found the lock removed or taken over; the holder should stop writing. */
  readonly compromised: C360Error | undefined;
  /** Records (or, with undefined, removes) where this process's API listens, e.g. once its server is up. */
  update(api: OwnerApi | undefined): Promise<void>;
  /** Removes the owner file and the lock; a second call does nothing. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** A lock not refreshed for this long is taken over (default LOCK_STALE_MS; at least 2000). */
  staleMs?: number;
  /** Heartbeat interval (default LOCK_UPDATE_MS; at most staleMs / 2). */
  updateMs?: number;
  /** Called when the heartbeat finds the lock lost (see WorkspaceLock.compromised). */
  onCompromised?: (error: C360Error) => void;
}

const statePath = (dir: string, file: string): string => join(dir, STATE_DIR, file);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type LockState =
  | { held: false; lock: 'none' | 'stale' }
  | { held: false; lock: 'dead'; ownerId: string }
  | { held: true; owner: OwnerFile | undefined };

async function lockState(dir: string, staleMs: number): Promise<LockState> {
  let mtime: number;
  try {
    mtime = (await stat(statePath(dir, LOCK_FILE))).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { held: false, lock: 'none' };
    throw error;
  }
  if (mtime < Date.now() - staleMs) return { held: false, lock: 'stale' };
  const owner = await readOwnerFile(statePath(dir, OWNER_FILE));
  // A holder that died on this computer left a fresh-looking lock: its pid says it is gone.
  if (owner && owner.host === hostname() && !isAlive(owner.pid)) return { held: false, lock: 'dead', ownerId: owner.id };
  return { held: true, owner };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Removes a lock whose holder is gone. An owner file names a dead pid also in the moment after a new holder
 * took the lock and before it wrote its own owner file (the dead one's is still there): so a dead holder's
 * lock is removed only if, a moment later, the same dead owner is still recorded.
 */
async function removeAbandonedLock(dir: string, staleMs: number): Promise<void> {
  const first = await lockState(dir, staleMs);
  if (first.held || first.lock === 'none') return;
  if (first.lock === 'dead') {
    await sleep(100);
    const again = await lockState(dir, staleMs);
    if (again.held || again.lock !== 'dead' || again.ownerId !== first.ownerId) return;
  }
  await rm(statePath(dir, LOCK_FILE), { recursive: true, force: true });
}

function ownerLabel(owner: WorkspaceOwner): string {
  switch (owner.kind) {
    case 'app':
      return 'the c360 desktop app';
    case 'web':
      return `\`${owner.command}\``;
    case 'daemon':
      return 'the c360 scheduler';
    case 'cli':
      return `the command \`${owner.command}\``;
  }
}

/** "the command `c360 build` (pid 4242 on host nb-17, user anna, since 2026-12-03 07:51 UTC)". */
export function describeOwner(owner: WorkspaceOwner): string {
  const since = /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(owner.startedAt)
    ? `${owner.startedAt.slice(0, 10)} ${owner.startedAt.slice(11, 16)} UTC`
    : owner.startedAt;
  const where = owner.host === hostname() ? `on host ${owner.host}` : `on another computer, ${owner.host}`;
  return `${ownerLabel(owner)} (pid ${owner.pid} ${where}, user ${owner.user}, since ${since})`;
}

function whatToDo(owner: WorkspaceOwner): string {
  switch (owner.kind) {
    case 'app':
      return 'Do this in the desktop app’s window, or close the app and run the command again.';
    case 'web':
      return (
        `Do this in the web page it serves${owner.api ? ` (${owner.api.url})` : ''}, or stop it (Ctrl-C in its ` +
        `terminal, or \`kill ${owner.pid}\`) and run the command again.`
      );
    case 'daemon':
      return `Wait until its job has finished, or stop the scheduler (\`kill ${owner.pid}\`), and run the command again.`;
    case 'cli':
      return `Wait until it has finished, or stop it (Ctrl-C in its terminal, or \`kill ${owner.pid}\`), and run this command again.`;
  }
}

function ownerDetails(dir: string, owner: WorkspaceOwner): Record<string, unknown> {
  return {
    workspace: dir,
    kind: owner.kind,
    command: owner.command,
    pid: owner.pid,
    host: owner.host,
    user: owner.user,
    startedAt: owner.startedAt,
    ...(owner.api ? { url: owner.api.url } : {}),
  };
}

/** WORKSPACE_LOCKED: who holds the workspace and what to do. Never carries the owner's token. */
export function workspaceLockedError(dir: string, owner: WorkspaceOwner | undefined): C360Error {
  if (!owner)
    return new C360Error(
      'WORKSPACE_LOCKED',
      `The workspace ${dir} is in use by another c360 process that has not recorded who it is ` +
        `(${join(STATE_DIR, OWNER_FILE)} is missing). Wait a moment and run the command again; if no c360 program ` +
        `is running, remove the folder ${statePath(dir, LOCK_FILE)}.`,
      { details: { workspace: dir } },
    );
  return new C360Error('WORKSPACE_LOCKED', `The workspace ${dir} is in use by ${describeOwner(owner)}. ${whatToDo(owner)}`, {
    details: ownerDetails(dir, owner),
  });
}

/**
 * WORKSPACE_UNREACHABLE: the owner names an API that did not answer (for the caller that routes its call
 * there). `reason` is redacted of the owner's token.
 */
export function ownerUnreachableError(dir: string, owner: WorkspaceOwner, reason: string): C360Error {
  const where = owner.api ? ` at ${owner.api.url}` : '';
  const secrets = owner.api ? [owner.api.token] : [];
  return new C360Error(
    'WORKSPACE_UNREACHABLE',
    `The workspace ${dir} is held by ${describeOwner(owner)}, which did not answer${where} ` +
      `(${redactSecrets(reason, secrets)}). ${whatToDo(owner)} If it has stopped without cleaning up, its lock ` +
      `expires ${Math.round(LOCK_STALE_MS / 1000)} s after its last heartbeat and the next command takes over.`,
    { details: ownerDetails(dir, owner) },
  );
}

/**
 * Who holds the workspace, or undefined when nobody does (no lock, a stale lock, a dead holder on this
 * computer). The returned `api.token` is non-enumerable (see the header).
 */
export async function readWorkspaceOwner(
  dirArg: string,
  options: Pick<LockOptions, 'staleMs'> = {},
): Promise<WorkspaceOwner | undefined> {
  const dir = resolve(dirArg);
  const state = await lockState(dir, options.staleMs ?? LOCK_STALE_MS);
  if (!state.held) return undefined;
  if (state.owner) return publicOwner(state.owner);
  // Held, but the owner file is not written yet (the holder is between its two steps) or was removed.
  throw workspaceLockedError(dir, undefined);
}

async function ensureStateDir(dir: string): Promise<void> {
  try {
    await mkdir(join(dir, STATE_DIR));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code === 'ENOENT')
      throw new C360Error(
        'NOT_FOUND',
        `There is no workspace folder ${dir}. Create one with \`c360 demo\` (demo data), \`c360 init\` or ` +
          '`c360 load DIR` (your files), or point to it with --workspace DIR.',
        { details: { workspace: dir } },
      );
    throw new C360Error(
      'FILE_ACCESS_DENIED',
      `c360 cannot create ${join(dir, STATE_DIR)} to lock the workspace (${code ?? String(error)}). ` +
        'Give your user write access to the workspace folder and run the command again.',
      { details: { workspace: dir }, cause: error },
    );
  }
  // The folder holds the owner's API token: keep it out of a workspace kept in git.
  await writeFile(join(dir, STATE_DIR, '.gitignore'), '*\n', { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

/**
 * The holder of a lock just found taken, waiting briefly for it to write its owner file (it does so right
 * after taking the lock); 'released' when the lock is free again.
 */
async function ownerOfHeldLock(dir: string, staleMs: number): Promise<OwnerFile | 'released' | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const state = await lockState(dir, staleMs);
    if (!state.held) return 'released';
    if (state.owner) return state.owner;
    await sleep(50);
  }
  return undefined;
}

/**
 * Takes the workspace for this process, or throws WORKSPACE_LOCKED naming who holds it and what to do.
 * The folder must exist. Release the lock when done (it is also removed when the process exits normally
 * or by a signal; after `kill -9` the next process takes it over as described above).
 */
export async function acquireWorkspaceLock(
  dirArg: string,
  owner: { kind: OwnerKind; command: string; api?: OwnerApi },
  options: LockOptions = {},
): Promise<WorkspaceLock> {
  const dir = resolve(dirArg);
  const staleMs = Math.max(options.staleMs ?? LOCK_STALE_MS, 2000);
  const updateMs = Math.min(options.updateMs ?? LOCK_UPDATE_MS, staleMs / 2);
  const lockPath = statePath(dir, LOCK_FILE);
  await ensureStateDir(dir);

  // proper-lockfile takes over a lock by its age only; a dead holder on this computer is taken over at once.
  await removeAbandonedLock(dir, staleMs);

  let compromised: C360Error | undefined;
  const take = () =>
    lockfile.lock(dir, {
      lockfilePath: lockPath,
      stale: staleMs,
      update: updateMs,
      realpath: false,
      onCompromised: (error) => {
        compromised = new C360Error(
          'WORKSPACE_LOCKED',
          `This process lost its lock on the workspace ${dir} (${error.message}); another process may have ` +
            'taken it over. Stop this work and run it again.',
          { details: { workspace: dir } },
        );
        options.onCompromised?.(compromised);
      },
    });
  let releaseLock: () => Promise<void>;
  try {
    releaseLock = await take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const holder = await ownerOfHeldLock(dir, staleMs);
    if (holder !== 'released') throw workspaceLockedError(dir, holder && publicOwner(holder));
    // The holder let go (or died) while we looked: one more try; a third process may have been faster.
    await removeAbandonedLock(dir, staleMs);
    try {
      releaseLock = await take();
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'ELOCKED') throw again;
      const next = await ownerOfHeldLock(dir, staleMs);
      throw workspaceLockedError(dir, next === 'released' ? undefined : next && publicOwner(next));
    }
  }

  const file: OwnerFile = {
    id: randomUUID(),
    pid: process.pid,
    host: hostname(),
    user: currentUser(),
    kind: owner.kind,
    command: owner.command,
    startedAt: new Date().toISOString(),
    ...(owner.api ? { api: { url: owner.api.url, token: owner.api.token } } : {}),
  };
  try {
    await writeOwnerFile(statePath(dir, OWNER_FILE), file);
  } catch (error) {
    await releaseLock();
    throw error;
  }

  let current = file;
  let released = false;
  return {
    dir,
    get owner() {
      return publicOwner(current);
    },
    get compromised() {
      return compromised;
    },
    async update(api) {
      if (released) throw new Error('update() after release() of the workspace lock');
      if (compromised) throw compromised;
      const { api: _old, ...rest } = current;
      const next: OwnerFile = api ? { ...rest, api: { url: api.url, token: api.token } } : rest;
      await writeOwnerFile(statePath(dir, OWNER_FILE), next);
      current = next;
    },
    async release() {
      if (released) return;
      released = true;
      // After a takeover the owner file belongs to the new holder: remove it only while it is still ours.
      const onDisk = await readOwnerFile(statePath(dir, OWNER_FILE)).catch(() => undefined);
      if (onDisk?.id === current.id) await unlink(statePath(dir, OWNER_FILE)).catch(() => undefined);
      if (!compromised) await releaseLock();
    },
  };
}
