/**
 * The workspaces this user opened in the desktop app, newest first, kept in the app's userData folder. Main
 * reopens the newest at start, and `workspace.switchTo(dir)` accepts only folders on this list: the renderer never
 * makes main open an arbitrary path it invented.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { WorkspaceInfo } from './preloadApi.ts';

export const RECENT_FILE = 'recent-workspaces.json';
export const MAX_RECENT = 10;

const fileSchema = z.strictObject({ version: z.literal(1), dirs: z.array(z.string().min(1)).max(100) });

export function workspaceInfo(dir: string): WorkspaceInfo {
  const absolute = resolve(dir);
  return { dir: absolute, name: basename(absolute) || absolute };
}

export class RecentWorkspaces {
  readonly file: string;

  constructor(userDataDir: string) {
    this.file = join(userDataDir, RECENT_FILE);
  }

  /** Newest first. A missing or damaged file is an empty list (it is a convenience, not data). */
  async list(): Promise<WorkspaceInfo[]> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      return [];
    }
    const parsed = fileSchema.safeParse(json);
    return parsed.success ? parsed.data.dirs.map(workspaceInfo) : [];
  }

  async remember(dir: string): Promise<void> {
    const absolute = resolve(dir);
    const dirs = [absolute, ...(await this.list()).map((w) => w.dir).filter((d) => d !== absolute)].slice(
      0,
      MAX_RECENT,
    );
    await mkdir(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ version: 1, dirs })}\n`, { mode: 0o600 });
    await rename(temporary, this.file);
  }

  /** The listed workspace for `dir`, or undefined when it is not on the list. */
  async find(dir: string): Promise<WorkspaceInfo | undefined> {
    const absolute = resolve(dir);
    return (await this.list()).find((w) => w.dir === absolute);
  }
}

/** The workspace to open at start: `--workspace DIR` / C360_WORKSPACE, else the most recent one, else none. */
export function initialWorkspace(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  recent: readonly WorkspaceInfo[],
): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--workspace' && argv[i + 1]) return resolve(argv[i + 1]!);
    if (arg.startsWith('--workspace=') && arg.length > '--workspace='.length) return resolve(arg.slice(12));
  }
  if (env.C360_WORKSPACE) return resolve(env.C360_WORKSPACE);
  return recent[0]?.dir;
}
