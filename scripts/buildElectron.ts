/**
 * Builds the Electron shell into dist/electron:
 * - main.js: the main process, an ES module (package.json is "type": "module" and Electron ≥ 28 loads ESM mains;
 *   the rest of the code base is ESM too, and oRPC's packages ship only ESM).
 * - preload.cjs: CommonJS in one file with everything bundled but `electron`: a sandboxed preload can neither
 *   load ES modules nor require files of its own. Built for the browser platform, so a Node builtin that slipped
 *   in fails the build instead of the window.
 * - serviceHost.js: the utility process that runs the workspace service (ESM, core bundled, packages external).
 *   Core finds the SQL project and templates next to its sources (`new URL(…, import.meta.url)`); in a packaged
 *   app those must be real files for DuckDB, so the chunk's address is mapped from app.asar to
 *   app.asar.unpacked, where electron-builder.yml unpacks them.
 * inputs.json (written last) lists the sources read, so scripts/start.ts can tell whether the build is current.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { INPUTS_FILE, ROOT, sourcesPlugin, type BuildInputs } from './buildCli.ts';

export const ELECTRON_OUTDIR = join(ROOT, 'dist', 'electron');
/** Electron 40's Node is newer than this; esbuild only needs a floor for syntax. */
const NODE_TARGET = 'node22';
const UNPACKED_URL = `import.meta.url.replace('/app.asar/', '/app.asar.unpacked/')`;

export async function buildElectron(outdir = ELECTRON_OUTDIR): Promise<{ outdir: string; files: number }> {
  await rm(outdir, { recursive: true, force: true });
  const inputs: BuildInputs['inputs'] = {};
  const common: BuildOptions = {
    absWorkingDir: ROOT,
    bundle: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    external: ['electron'],
  };
  const results = await Promise.all([
    build({
      ...common,
      entryPoints: [join(ROOT, 'electron', 'main.ts')],
      outfile: join(outdir, 'main.js'),
      format: 'esm',
      platform: 'node',
      target: NODE_TARGET,
      packages: 'external',
      plugins: [sourcesPlugin(outdir, inputs)],
    }),
    build({
      ...common,
      entryPoints: [join(ROOT, 'electron', 'preload.ts')],
      outfile: join(outdir, 'preload.cjs'),
      format: 'cjs',
      platform: 'browser',
      target: 'chrome140',
      plugins: [sourcesPlugin(outdir, inputs)],
    }),
    build({
      ...common,
      entryPoints: [join(ROOT, 'electron', 'serviceHost.ts')],
      outfile: join(outdir, 'serviceHost.js'),
      format: 'esm',
      platform: 'node',
      target: NODE_TARGET,
      packages: 'external',
      plugins: [sourcesPlugin(outdir, inputs, UNPACKED_URL)],
    }),
  ]);
  await writeFile(join(outdir, INPUTS_FILE), `${JSON.stringify({ inputs } satisfies BuildInputs)}\n`);
  const files = results.reduce((sum, result) => sum + Object.keys(result.metafile?.outputs ?? {}).length, 0);
  return { outdir, files };
}
