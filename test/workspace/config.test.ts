import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C360Error, exitCodeFor } from '../../core/errors.ts';
import { CONFIG_FILE, ConfigError, readWorkspaceConfig } from '../../core/workspace/config.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-config-'));
});

afterEach(async () => {
  await chmod(join(dir, CONFIG_FILE), 0o644).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('reading c360.config.yaml', () => {
  it('uses the defaults only when there is no config file', async () => {
    const config = await readWorkspaceConfig(dir);
    expect(config.query_timeout_seconds).toBe(10);
    expect(config.engine).toBe('duckdb');
  });

  it('refuses a config it may not read instead of quietly using the defaults', async () => {
    const path = join(dir, CONFIG_FILE);
    // root reads a file whatever its mode: there a folder in the file's place makes the read fail instead.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await mkdir(path);
    else {
      await writeFile(path, 'version: 1\nquery_timeout_seconds: 30\n');
      await chmod(path, 0o000);
    }
    const error = await failure(readWorkspaceConfig(dir));
    expect(error).toBeInstanceOf(C360Error);
    expect(error.code).toBe('FILE_ACCESS_DENIED');
    expect(exitCodeFor(error)).toBe(2);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(asRoot ? /is a folder, not a file/ : /your user may not read/);
    expect(error.details).toMatchObject({ file: path, errno: asRoot ? 'EISDIR' : 'EACCES' });
  });

  it('says what to do when a folder stands where the config file belongs', async () => {
    const path = join(dir, CONFIG_FILE);
    await mkdir(path);
    const error = await failure(readWorkspaceConfig(dir));
    expect(error.message).toBe(
      `The workspace configuration cannot be read: ${path} is a folder, not a file. Remove or rename the folder; ` +
        'c360 then uses the defaults, or `c360 init` writes a commented c360.config.yaml.',
    );
  });

  it('reports invalid settings as CONFIG_INVALID', async () => {
    await writeFile(join(dir, CONFIG_FILE), 'version: 1\nquery_timeout_seconds: -1\n');
    const error = await failure(readWorkspaceConfig(dir));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/query_timeout_seconds/);
  });
});
