import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

/** The repository root: the build reads core/ and resolves packages from node_modules/ here. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where bin/c360.js looks for the built CLI. */
export const CLI_OUTDIR = join(ROOT, 'dist', 'cli');
/** Written last: the sources the build read, with the size and mtime they had (bin/c360.js compares them). */
export const INPUTS_FILE = 'inputs.json';

export interface BuildInputs {
  /** path relative to the repository root, with / → [mtimeMs, size] when the build read it */
  inputs: Record<string, [number, number]>;
}

const toPosix = (path: string): string => path.split(sep).join('/');

/**
 * Loads the TypeScript sources, records each file's mtime and size before reading it, and makes the modules that
 * find files next to themselves (`new URL('../../sql', import.meta.url)`: the SQL project, seeds, segment templates)
 * keep finding them: in a bundle `import.meta.url` is the chunk's address, so it is replaced by the source file's
 * address, written relative to the chunk so a moved or copied checkout still works. All chunks sit in `outdir`
 * itself (esbuild's default chunk names), so one relative path per source file is right for every chunk.
 * `chunkUrl` is the expression for the chunk's own address (the Electron build maps app.asar to app.asar.unpacked).
 */
export function sourcesPlugin(
  outdir: string,
  inputs: BuildInputs['inputs'],
  chunkUrl = 'import.meta.url',
): Plugin {
  return {
    name: 'c360-sources',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const info = await stat(args.path);
        const path = toPosix(relative(ROOT, args.path));
        inputs[path] = [info.mtimeMs, info.size];
        let contents = await readFile(args.path, 'utf8');
        const unsupported = /import\.meta\.(dirname|filename|resolve)\b/.exec(contents);
        if (unsupported)
          throw new Error(
            `${path} uses ${unsupported[0]}, which the CLI build cannot keep pointing at the source folder; ` +
              'use new URL(…, import.meta.url) instead',
          );
        const here = JSON.stringify(toPosix(relative(outdir, args.path)));
        contents = contents.replaceAll('import.meta.url', `new URL(${here}, ${chunkUrl}).href`);
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * Builds the CLI into `outdir` as ES modules for Node: main.js (commander and the command definitions) and one
 * chunk per command implementation that main.js imports when that command runs. Packages stay in node_modules
 * (DuckDB's native binding and the Klaviyo SDK are loaded as installed); the SQL project and templates stay in the
 * repository and are read from there.
 */
export async function buildCli(
  outdir = CLI_OUTDIR,
): Promise<{ outdir: string; files: number; metafile: Metafile }> {
  // Without inputs.json the bin treats the folder as not built, so a build that fails halfway is never run.
  await rm(outdir, { recursive: true, force: true });
  const inputs: BuildInputs['inputs'] = {};
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'core', 'cli', 'main.ts')],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [sourcesPlugin(outdir, inputs)],
  });
  const unrecorded = Object.keys(result.metafile.inputs).filter((input) => !(toPosix(input) in inputs));
  if (unrecorded.length)
    throw new Error(
      `the CLI build read files bin/c360.js would not check for changes: ${unrecorded.join(', ')}`,
    );
  await writeFile(join(outdir, INPUTS_FILE), `${JSON.stringify({ inputs } satisfies BuildInputs)}\n`);
  return { outdir, files: Object.keys(result.metafile.outputs).length, metafile: result.metafile };
}
