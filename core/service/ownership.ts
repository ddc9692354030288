import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { redactSecrets } from '../errors.ts';
import {
  acquireWorkspaceLock,
  readWorkspaceOwner,
  workspaceLockedError,
  type LockOptions,
  type OwnerKind,
  type WorkspaceLock,
} from '../workspace/lock.ts';
import { DATABASE_FILE } from '../workspace/workspace.ts';

/**
 * Which process owns a workspace (core/workspace/lock.ts), as the workspace service sees it: a writable open
 * takes the cross-process lock, a read-only open takes none but refuses to start while another live process
 * holds it (DuckDB would only say "IO Error: Could not set lock on file"). A DuckDB lock conflict that slips
 * past both (a read-only process takes no lock) is WORKSPACE_LOCKED too, from core/db/duckdb.ts.
 */

export interface ServiceOwner {
  kind: OwnerKind;
  /** What runs, shown to a second process; default the command line of this process. */
  command?: string;
}

/** `c360 build --select dim_customers+`: this process's command line, quoted where needed, minus secrets. */
export function commandLine(argv: readonly string[] = process.argv): string {
  const script = argv[1] ? basename(argv[1]) : '';
  const program = /^(c360(\.js)?|main\.(ts|js))$/.test(script) ? 'c360' : script || 'node';
  const words = [program, ...argv.slice(2)].map((word) =>
    /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`,
  );
  return redactSecrets(words.join(' '));
}

/**
 * Takes the workspace for a writable open (creating the folder first when asked), or, for a read-only one,
 * checks that no other live process holds it. Returns the lock to release on close, if one was taken.
 */
export async function claimWorkspace(
  dir: string,
  options: { readOnly: boolean; create: boolean; owner?: ServiceOwner; lock?: LockOptions },
): Promise<WorkspaceLock | undefined> {
  const refuseOtherOwner = async (): Promise<void> => {
    const owner = await readWorkspaceOwner(dir, options.lock ?? {});
    // Our own process holding it (a lock taken outside the service) is not another process.
    if (owner && !(owner.pid === process.pid && owner.host === hostname()))
      throw workspaceLockedError(dir, owner);
  };
  if (options.readOnly) {
    await refuseOtherOwner();
    return undefined;
  }
  if (options.create) await mkdir(dir, { recursive: true });
  else if (!existsSync(join(dir, DATABASE_FILE))) {
    // No database and none to create: opening fails with openWorkspace's "how to create one", unless another
    // process holds the folder (then it is the one to ask); nothing to lock.
    await refuseOtherOwner();
    return undefined;
  }
  const owner = options.owner ?? { kind: 'cli' };
  return acquireWorkspaceLock(
    dir,
    { kind: owner.kind, command: owner.command ?? commandLine() },
    options.lock,
  );
}
