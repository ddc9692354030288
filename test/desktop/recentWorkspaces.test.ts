import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initialWorkspace, MAX_RECENT, RecentWorkspaces } from '../../core/desktop/recentWorkspaces.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-recent-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recent workspaces', () => {
  it('keeps the newest first, without duplicates, capped', async () => {
    const recent = new RecentWorkspaces(dir);
    for (let i = 0; i < MAX_RECENT + 2; i++) await recent.remember(`/ws/${i}`);
    await recent.remember('/ws/5');
    const list = await recent.list();
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]).toEqual({ dir: resolve('/ws/5'), name: '5' });
    expect(new Set(list.map((w) => w.dir)).size).toBe(MAX_RECENT);
  });

  it('lets the renderer switch only to folders on the list', async () => {
    const recent = new RecentWorkspaces(dir);
    await recent.remember('/home/ada/shop');
    expect(await recent.find('/home/ada/shop')).toEqual({ dir: resolve('/home/ada/shop'), name: 'shop' });
    expect(await recent.find('/home/ada/../ada/shop')).toBeDefined();
    expect(await recent.find('/etc')).toBeUndefined();
  });

  it('treats a damaged file as an empty list and replaces it on the next open', async () => {
    const recent = new RecentWorkspaces(dir);
    await (await import('node:fs/promises')).writeFile(recent.file, '{oops');
    expect(await recent.list()).toEqual([]);
    await recent.remember('/ws/a');
    expect(JSON.parse(await readFile(recent.file, 'utf8'))).toEqual({ version: 1, dirs: [resolve('/ws/a')] });
    expect(await readdir(dir)).toEqual(['recent-workspaces.json']);
  });
});

describe('the workspace opened at start', () => {
  const recent = [{ dir: '/ws/last', name: 'last' }];
  it('is --workspace, then C360_WORKSPACE, then the most recent one, else none', () => {
    expect(
      initialWorkspace(['electron', '.', '--workspace', 'here'], { C360_WORKSPACE: '/env' }, recent),
    ).toBe(resolve('here'));
    expect(initialWorkspace(['electron', '.', '--workspace=/x'], {}, recent)).toBe(resolve('/x'));
    expect(initialWorkspace(['electron', '.'], { C360_WORKSPACE: '/env' }, recent)).toBe(resolve('/env'));
    expect(initialWorkspace(['electron', '.'], {}, recent)).toBe('/ws/last');
    expect(initialWorkspace(['electron', '.'], {}, [])).toBeUndefined();
  });
});

describe('core/desktop', () => {
  it('imports neither electron nor React (it must run and be tested in plain Node)', async () => {
    const folder = new URL('../../core/desktop/', import.meta.url);
    for (const file of await readdir(folder)) {
      const text = await readFile(new URL(file, folder), 'utf8');
      expect(text, file).not.toMatch(/from ['"](electron|react)['"]|require\(['"]electron['"]\)/);
    }
  });
});
