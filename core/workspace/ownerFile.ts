import { randomUUID } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { z } from 'zod';

/**
 * `<workspace>/.c360/owner.json`: who holds the workspace lock (lock.ts) and where its API listens. It holds
 * the API token, so it is written with mode 0600 and only through a rename (never seen half-written), and
 * what callers get back hides the token from logs and JSON (publicOwner).
 */

export type OwnerKind = 'cli' | 'app' | 'web' | 'daemon';

export interface OwnerApi {
  /** Base URL of the owner's API, without the token. */
  url: string;
  token: string;
}

export interface WorkspaceOwner {
  pid: number;
  host: string;
  user: string;
  kind: OwnerKind;
  /** What runs, e.g. `c360 build --select dim_customers+` or `c360 web --port 4300`. */
  command: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** Where a second process sends its calls; absent for a holder that serves no API (a plain CLI command). */
  api?: OwnerApi;
}

const ownerFileSchema = z.object({
  /** Tells this holder's file from a later holder's (release removes only its own). */
  id: z.string(),
  pid: z.number().int().positive(),
  host: z.string(),
  user: z.string(),
  kind: z.enum(['cli', 'app', 'web', 'daemon']),
  command: z.string(),
  startedAt: z.string(),
  api: z.object({ url: z.string(), token: z.string() }).optional(),
});

export type OwnerFile = z.infer<typeof ownerFileSchema>;

export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment is the best remaining guess.
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/**
 * The owner as returned to callers. Its `api.token` is a non-enumerable property: JSON.stringify, console.log
 * and an error's details never print it, while `owner.api.token` still reads it for the caller that routes
 * its call to the owner.
 */
export function publicOwner(file: OwnerFile): WorkspaceOwner {
  const { id: _id, api, ...owner } = file;
  if (!api) return owner;
  const guarded = { url: api.url } as OwnerApi;
  Object.defineProperty(guarded, 'token', { value: api.token, enumerable: false });
  return { ...owner, api: guarded };
}

/** The owner file at `path`; undefined when there is none or it is not one (e.g. written by a foreign tool). */
export async function readOwnerFile(path: string): Promise<OwnerFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = ownerFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the owner file so that it is never readable by others, nor seen half-written. */
export async function writeOwnerFile(path: string, owner: OwnerFile): Promise<void> {
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(owner, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600); // in case a umask or file system widened the mode at creation
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
