import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../../scripts/buildCli.ts';
import { buildRenderer, RENDERER_OUTDIR } from '../../scripts/buildRenderer.ts';

/**
 * What the renderer bundle is made of: the renderer's own files and the browser-safe part of core/ it imports
 * (the API client and contract, the schemas of its answers, the error codes, the segment operators), and the
 * column docs of dim_customers the rule builder bundles.
 */
const BUNDLE_SOURCES = [
  'renderer/src',
  'renderer/public',
  'renderer/index.html',
  'renderer/vite.config.ts',
  'core/api/client',
  'core/api/contract.ts',
  'core/api/schemas',
  'core/insights/schemas.ts',
  'core/errorCodes.ts',
  'core/segments/operators.ts',
  'core/segments/yamlDocument.ts',
  'sql/models/marts/_marts.yml',
];

async function newestChange(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const times = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => (await stat(join(entry.parentPath, entry.name))).mtimeMs),
  );
  return Math.max(0, ...times);
}

/**
 * `c360 web` serves renderer/dist, which `npm ci` builds (its `prepare` script runs `npm run build`). A fresh
 * worktree has none, and a bundle older than its sources would test yesterday's UI: build it then.
 * Returns whether it built.
 */
export async function ensureRendererBuilt(): Promise<boolean> {
  const index = join(RENDERER_OUTDIR, 'index.html');
  if (existsSync(index)) {
    const built = (await stat(index)).mtimeMs;
    const sources = await Promise.all(BUNDLE_SOURCES.map((path) => newestChange(join(ROOT, path))));
    if (Math.max(...sources) <= built) return false;
  }
  await buildRenderer();
  return true;
}
