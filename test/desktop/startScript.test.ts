import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desktopBuildState, electronExecutable } from '../../scripts/start.ts';
import { buildElectron } from '../../scripts/buildElectron.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'c360-start-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('npm start: finding the Electron binary', () => {
  it('reports it missing until Electron’s installer has written path.txt and the binary', async () => {
    const electronDir = join(root, 'node_modules', 'electron');
    await mkdir(electronDir, { recursive: true });
    expect(electronExecutable(root, {})).toBeUndefined();
    await writeFile(join(electronDir, 'path.txt'), 'electron');
    expect(electronExecutable(root, {})).toBeUndefined();
    await mkdir(join(electronDir, 'dist'));
    await writeFile(join(electronDir, 'dist', 'electron'), '');
    expect(electronExecutable(root, {})).toBe(join(electronDir, 'dist', 'electron'));
  });
});

describe('npm start: deciding whether to build', () => {
  async function source(path: string, text: string): Promise<void> {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }

  it('builds when the renderer or the desktop build is missing, and again when a source changed', async () => {
    expect(desktopBuildState(root)).toBe('missing');
    await source('renderer/dist/index.html', '<!doctype html>');
    expect(desktopBuildState(root)).toBe('missing');
    await source('electron/main.ts', 'export {};');
    const { statSync } = await import('node:fs');
    const info = statSync(join(root, 'electron/main.ts'));
    await source(
      'dist/electron/inputs.json',
      JSON.stringify({ inputs: { 'electron/main.ts': [info.mtimeMs, info.size] } }),
    );
    expect(desktopBuildState(root)).toBe('current');
    await utimes(join(root, 'electron/main.ts'), new Date(), new Date(Date.now() + 5000));
    expect(desktopBuildState(root)).toBe('stale');
    await rm(join(root, 'electron/main.ts'));
    expect(desktopBuildState(root)).toBe('stale');
  });

  it('the real build writes main.js, a CommonJS preload with only electron required, and the service host', async () => {
    const outdir = join(root, 'dist', 'electron');
    await buildElectron(outdir);
    const { readFile, readdir } = await import('node:fs/promises');
    expect((await readdir(outdir)).filter((f) => !f.endsWith('.map')).sort()).toEqual(
      ['inputs.json', 'main.js', 'preload.cjs', 'serviceHost.js'].sort(),
    );
    const preload = await readFile(join(outdir, 'preload.cjs'), 'utf8');
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    const host = await readFile(join(outdir, 'serviceHost.js'), 'utf8');
    expect(host).toContain('app.asar.unpacked');
    expect(host).toMatch(/from "@orpc\/server\/message-port"/);
  });
});
