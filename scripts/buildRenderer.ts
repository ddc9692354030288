import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './buildCli.ts';

/** Where the renderer bundle goes; Electron loads renderer/dist/index.html, `c360 web` serves this folder. */
export const RENDERER_OUTDIR = join(ROOT, 'renderer', 'dist');

/**
 * Builds the renderer with Vite (renderer/vite.config.ts). Vite is imported here, not at the top of
 * build.ts, so a CLI-only build never loads it.
 */
export async function buildRenderer(outdir = RENDERER_OUTDIR): Promise<{ outdir: string; files: number }> {
  const { build } = await import('vite');
  await build({
    configFile: join(ROOT, 'renderer', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: outdir, emptyOutDir: true },
  });
  const entries = await readdir(outdir, { recursive: true, withFileTypes: true });
  return { outdir, files: entries.filter((entry) => entry.isFile()).length };
}
