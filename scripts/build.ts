/**
 * `npm run build` (also run by `npm ci` through `prepare`): every JavaScript build of the app, into dist/.
 * The CLI (dist/cli), the Electron shell (dist/electron: main, preload, service host) and the renderer bundle
 * (renderer/dist, by Vite), so one command keeps building everything.
 */
import { relative } from 'node:path';
import { buildCli, ROOT } from './buildCli.ts';
import { buildElectron } from './buildElectron.ts';
import { buildRenderer } from './buildRenderer.ts';

const targets: Record<string, () => Promise<{ outdir: string; files: number }>> = {
  cli: () => buildCli(),
  electron: () => buildElectron(),
  renderer: () => buildRenderer(),
};

const started = performance.now();
for (const [name, run] of Object.entries(targets)) {
  const { outdir, files } = await run();
  console.log(`built ${name}: ${files} files in ${relative(ROOT, outdir)}`);
}
console.log(`build done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
