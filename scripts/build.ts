/**
 * `npm run build` (also run by `npm ci` through `prepare`): every JavaScript build of the app, into dist/.
 * The CLI (dist/cli) and the renderer bundle (renderer/dist, by Vite); the Electron main and preload
 * (dist/electron) join as more targets here, so one command keeps building everything.
 */
import { relative } from 'node:path';
import { buildCli, ROOT } from './buildCli.ts';
import { buildRenderer } from './buildRenderer.ts';

const targets: Record<string, () => Promise<{ outdir: string; files: number }>> = {
  cli: () => buildCli(),
  renderer: () => buildRenderer(),
};

const started = performance.now();
for (const [name, run] of Object.entries(targets)) {
  const { outdir, files } = await run();
  console.log(`built ${name}: ${files} files in ${relative(ROOT, outdir)}`);
}
console.log(`build done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
