import { mkdir, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { openDatabase, type Database } from '../db/duckdb.ts';
import { CONFIG_FILE, DEFAULT_CONFIG_YAML, readWorkspaceConfig, type WorkspaceConfig } from './config.ts';
import { DEFAULT_PROJECT_DIR } from '../models/project.ts';

export const DATABASE_FILE = 'workspace.duckdb';
export const DEFAULT_WORKSPACE_DIR = 'workspace';

/** A workspace is a folder: config, segment files and the DuckDB cache (SPEC §2). */
export interface Workspace {
  dir: string;
  config: WorkspaceConfig;
  db: Database;
  projectDir: string;
  close(): void;
}

export function resolveWorkspaceDir(dir?: string): string {
  return resolve(dir ?? process.env.C360_WORKSPACE ?? DEFAULT_WORKSPACE_DIR);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Creates the folder and a commented config when they are missing; never overwrites a config. */
export async function initWorkspace(dir: string): Promise<{ dir: string; createdConfig: boolean }> {
  await mkdir(join(dir, 'segments'), { recursive: true });
  const configPath = join(dir, CONFIG_FILE);
  if (await exists(configPath)) return { dir, createdConfig: false };
  await writeFile(configPath, DEFAULT_CONFIG_YAML);
  return { dir, createdConfig: true };
}

export interface OpenWorkspaceOptions {
  /** Create the folder and config when missing (demo, load, init). */
  create?: boolean;
  readOnly?: boolean;
}

export async function openWorkspace(dirArg: string | undefined, options: OpenWorkspaceOptions = {}): Promise<Workspace> {
  const dir = resolveWorkspaceDir(dirArg);
  if (options.create) await initWorkspace(dir);
  else if (!(await exists(join(dir, DATABASE_FILE)))) {
    throw new Error(
      `No workspace database at ${join(dir, DATABASE_FILE)}. Create one with \`c360 demo\` (demo data) or ` +
        '`c360 load DIR` (your files), or point to it with --workspace DIR.',
    );
  }
  const config = await readWorkspaceConfig(dir);
  const db = await openDatabase(join(dir, DATABASE_FILE), {
    threads: config.duckdb.threads,
    memoryLimit: config.duckdb.memory_limit,
    readOnly: options.readOnly,
  });
  const projectDir = config.models_dir
    ? isAbsolute(config.models_dir)
      ? config.models_dir
      : join(dir, config.models_dir)
    : DEFAULT_PROJECT_DIR;
  return { dir, config, db, projectDir, close: () => db.close() };
}
