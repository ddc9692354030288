/**
 * `npm start`: runs the desktop app.
 * 1. The Electron binary: `npm ci` never downloads it (its install script is not allow-listed, so installs work
 *    offline); the first `npm start` runs Electron's own installer (node_modules/electron/install.js), which
 *    downloads the binary for this platform once.
 * 2. The build: when dist/electron is missing or older than its sources (dist/electron/inputs.json), or the
 *    renderer bundle is missing, `npm run build` runs first.
 * 3. Starts Electron on this folder (package.json "main" → dist/electron/main.js); extra arguments are passed
 *    on, e.g. `npm start -- --workspace ./workspace`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildInputs } from './buildCli.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Electron executable, or undefined when the binary has not been downloaded yet. */
export function electronExecutable(root = ROOT, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const electronDir = join(root, 'node_modules', 'electron');
  let relativePath: string;
  try {
    relativePath = readFileSync(join(electronDir, 'path.txt'), 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const executable = env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(env.ELECTRON_OVERRIDE_DIST_PATH, relativePath)
    : join(electronDir, 'dist', relativePath);
  return existsSync(executable) ? executable : undefined;
}

/** 'current', or why the desktop build cannot be used as it is. */
export function desktopBuildState(root = ROOT): 'current' | 'missing' | 'stale' {
  if (!existsSync(join(root, 'renderer', 'dist', 'index.html'))) return 'missing';
  let stamp: BuildInputs;
  try {
    stamp = JSON.parse(readFileSync(join(root, 'dist', 'electron', 'inputs.json'), 'utf8')) as BuildInputs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return 'missing';
    throw error;
  }
  for (const [path, [mtimeMs, size]] of Object.entries(stamp.inputs)) {
    let info;
    try {
      info = statSync(join(root, path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return 'stale';
      throw error;
    }
    if (info.mtimeMs !== mtimeMs || info.size !== size) return 'stale';
  }
  return 'current';
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function installElectron(): string {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD)
    fail(
      'The Electron binary is not installed and ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it was not downloaded. ' +
        'Unset it, or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron 40 folder.',
    );
  console.error(
    'Electron is not downloaded yet: running its installer once (node node_modules/electron/install.js)…',
  );
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'electron', 'install.js')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const executable = result.status === 0 ? electronExecutable() : undefined;
  if (!executable)
    fail(
      'The Electron binary could not be downloaded. It comes from github.com/electron/electron releases: check the ' +
        'internet connection or proxy (HTTPS_PROXY), or set ELECTRON_MIRROR to a mirror, then run `npm start` again. ' +
        'Without a desktop, `npm run web` serves the same app in a browser.',
    );
  return executable;
}

function buildIfNeeded(): void {
  const state = desktopBuildState();
  if (state === 'current') return;
  console.error(
    state === 'missing'
      ? 'No desktop build yet: running `npm run build`…'
      : 'Sources changed since the last build: running `npm run build`…',
  );
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build.ts')],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) fail('The build failed (see above); fix the error and run `npm start` again.');
  if (desktopBuildState() !== 'current')
    fail(
      'The build finished but left no desktop app (renderer/dist/index.html or dist/electron is missing).',
    );
}

function start(): void {
  const executable = electronExecutable() ?? installElectron();
  buildIfNeeded();
  // ELECTRON_RUN_AS_NODE (set by some tools) would make the binary a plain Node and ignore the app.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(executable, [ROOT, ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      child.kill(signal);
    });
  child.on('error', (error) => fail(`Electron could not be started: ${error.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) start();
