import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { C360Error, exitCodeFor } from '../../core/errors.ts';
import { commandLine, WorkspaceService, WorkspaceServiceError } from '../../core/service/index.ts';
import { readWorkspaceOwner } from '../../core/workspace/lock.ts';
import { DATABASE_FILE } from '../../core/workspace/workspace.ts';
import { fixtureWorkspace, rejection, type WorkspaceFolder } from './serviceFixture.ts';

const HOLDER = join(import.meta.dirname, '..', 'workspace', 'lockHolder.ts');

let folder: WorkspaceFolder | undefined;
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await folder?.remove();
  folder = undefined;
});

/** A second process that prints `ready <pid>` once it holds what it was started for, until its stdin closes. */
function startProcess(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; pid: number }> {
  const child = spawn(process.execPath, args);
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(?:locked|ready) (\d+)/.exec(out);
      if (match) resolve({ child, pid: Number(match[1]) });
    });
    child.on('exit', (code) => reject(new Error(`the second process exited with ${code}: ${err}`)));
  });
}

/** A process that holds the database open read-only with DuckDB alone, taking no workspace lock. */
const READER = `
import { DuckDBInstance } from '@duckdb/node-api';
await DuckDBInstance.create(process.argv[1], { access_mode: 'READ_ONLY' });
process.stdout.write('ready ' + process.pid + '\\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

describe('the workspace service across processes', () => {
  it('takes the workspace lock on a writable open, naming this process, and releases it on the last close', async () => {
    folder = await fixtureWorkspace();
    const service = await WorkspaceService.open(folder.dir, {
      owner: { kind: 'web', command: 'c360 web --port 4301' },
    });
    const again = await WorkspaceService.open(folder.dir);
    expect(await readWorkspaceOwner(folder.dir)).toMatchObject({
      pid: process.pid,
      host: hostname(),
      kind: 'web',
      command: 'c360 web --port 4301',
    });
    await again.close();
    expect(await readWorkspaceOwner(folder.dir)).toMatchObject({ pid: process.pid });
    await service.close();
    expect(await readWorkspaceOwner(folder.dir)).toBeUndefined();
  });

  it('takes no lock for a read-only open', async () => {
    folder = await fixtureWorkspace();
    const service = await WorkspaceService.open(folder.dir, { readOnly: true });
    try {
      expect(await readWorkspaceOwner(folder.dir)).toBeUndefined();
    } finally {
      await service.close();
    }
  });

  it('refuses writable and read-only opens while another live process holds the workspace, naming it', async () => {
    folder = await fixtureWorkspace();
    const { child, pid } = await startProcess(['--import', 'tsx', HOLDER, folder.dir]);
    for (const readOnly of [false, true]) {
      const error = await rejection(WorkspaceService.open(folder.dir, { readOnly }));
      expect(error).toBeInstanceOf(C360Error);
      expect(error.code).toBe('WORKSPACE_LOCKED');
      expect(exitCodeFor(error)).toBe(3);
      expect(error.message).toContain(`\`c360 web --port 4399\` (pid ${pid} on host ${hostname()}`);
      expect(error.message).not.toMatch(/IO Error/);
    }
    child.stdin.end();
    await new Promise((done) => child.on('exit', done));
    const service = await WorkspaceService.open(folder.dir);
    expect(await readWorkspaceOwner(folder.dir)).toMatchObject({ pid: process.pid, kind: 'cli' });
    await service.close();
  });

  it('meets a process that holds the database without the lock with WORKSPACE_LOCKED, and lets go of the lock', async () => {
    folder = await fixtureWorkspace();
    const { child, pid } = await startProcess([
      '--input-type=module',
      '-e',
      READER,
      join(folder.dir, DATABASE_FILE),
    ]);
    const error = await rejection(WorkspaceService.open(folder.dir));
    expect(error.code).toBe('WORKSPACE_LOCKED');
    expect(error.message).toContain('is in use by another process');
    expect(error.message).toContain(`PID ${pid}`);
    expect(await readWorkspaceOwner(folder.dir)).toBeUndefined();
    child.stdin.end();
    await new Promise((done) => child.on('exit', done));
  });

  it('gives its own refusals stable codes with exit codes from the table', async () => {
    folder = await fixtureWorkspace();
    const service = await WorkspaceService.open(folder.dir, { readOnly: true });
    const readOnly = await rejection(service.write('build', async () => undefined));
    expect(readOnly).toBeInstanceOf(WorkspaceServiceError);
    expect(readOnly).toBeInstanceOf(C360Error);
    expect(readOnly.code).toBe('WORKSPACE_READ_ONLY');
    await service.close();
    const closed = await rejection(service.read(async () => undefined));
    expect(closed.code).toBe('WORKSPACE_CLOSED');
    expect(exitCodeFor(closed)).toBe(1);
  });

  it('records the command line of this process as the CLI owner, without secrets', () => {
    expect(commandLine(['node', '/x/bin/c360.js', 'build', '--select', 'dim_customers+'])).toBe(
      'c360 build --select dim_customers+',
    );
    expect(commandLine(['node', '/x/core/cli/main.ts', 'segments', 'preview', 'my winback'])).toBe(
      "c360 segments preview 'my winback'",
    );
    expect(commandLine(['node', '/x/bin/c360.js', 'sync', '--key', 'pk_abcdef1234567890'])).not.toContain(
      'abcdef1234567890',
    );
  });
});
