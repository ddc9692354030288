import { hostname } from 'node:os';
import { createHttpClient, type ApiClient } from '../../api/client/index.ts';
import { C360Error } from '../../errors.ts';
import {
  describeOwner,
  ownerUnreachableError,
  readWorkspaceOwner,
  type WorkspaceOwner,
} from '../../workspace/lock.ts';

/**
 * A `c360` command started while another process owns the workspace (issue 15 §1 "Across processes"): when that
 * owner serves the API on this computer (`c360 web`, later the desktop app), a command that can run there sends
 * its call over HTTP with the owner's token and shows the owner's progress as its own; every other case keeps
 * the WORKSPACE_LOCKED error that names the owner and what to do.
 */

export interface RoutableOwner {
  owner: WorkspaceOwner;
  client: ApiClient;
}

/**
 * The owner to route to, for a WORKSPACE_LOCKED error that opening the workspace in `dir` threw; undefined when
 * the call cannot go there: the holder serves no API (another command), runs on another computer (its
 * 127.0.0.1 address is not ours), or is this very process.
 */
export async function routableOwner(dir: string, locked: C360Error): Promise<RoutableOwner | undefined> {
  if (locked.code !== 'WORKSPACE_LOCKED') return undefined;
  const owner = await readWorkspaceOwner(dir).catch(() => undefined);
  if (!owner?.api || owner.host !== hostname() || owner.pid === process.pid) return undefined;
  return { owner, client: createHttpClient(owner.api.url, { token: owner.api.token }) };
}

/** "sending the build to `c360 web --port 4300` (pid 4242 …)": the progress line a routed call starts with. */
export function routedNote(what: string, owner: WorkspaceOwner): string {
  return `the workspace is held by ${describeOwner(owner)}; sending the ${what} there`;
}

function isConnectionFailure(error: unknown): boolean {
  // Node's fetch fails with a TypeError ("fetch failed") whose cause carries the socket's error code.
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ETIMEDOUT|UND_ERR_\w+|EPIPE)$/.test(code)
    )
      return true;
    if (current instanceof TypeError && current.message === 'fetch failed') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * What a routed call's failure means for the user: the owner's coded errors pass through (toC360Error keeps
 * their code and hint); a connection that failed becomes WORKSPACE_UNREACHABLE; the caller's own Ctrl-C becomes
 * CANCELLED.
 */
export function routedFailure(
  dir: string,
  owner: WorkspaceOwner,
  error: unknown,
  signal?: AbortSignal,
): unknown {
  if (signal?.aborted)
    return new C360Error(
      'CANCELLED',
      `The ${owner.kind === 'web' ? 'web server' : 'owner'} was asked to stop the work (${describeOwner(owner)}); ` +
        'A build keeps the published tables as they were, a load replaces each table whole or not at all, a ' +
        'sync stops after the calls already sent. Run the command again when needed.',
      { cause: error },
    );
  if (isConnectionFailure(error)) {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    return ownerUnreachableError(dir, owner, reason);
  }
  return error;
}
