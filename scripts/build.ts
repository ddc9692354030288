/**
 * `npm run build` (also run by `npm ci` through `prepare`): every JavaScript build of the app, into dist/.
 * Today the CLI (dist/cli); the renderer bundle (dist/renderer) and the Electron main and preload
 * (dist/electron) join as more targets here, so one command keeps building everything.
 */
import { relative } from 'node:path';
import { buildCli, ROOT } from './buildCli.ts';

const targets: Record<string, () => Promise<{ outdir: string; files: number }>> = {
  cli: () => buildCli(),
};

const started = performance.now();
for (const [name, run] of Object.entries(targets)) {
  const { outdir, files } = await run();
  console.log(`built ${name}: ${files} files in ${relative(ROOT, outdir)}`);
}
console.log(`build done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
