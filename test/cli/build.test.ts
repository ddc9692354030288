import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, INPUTS_FILE, ROOT } from '../../scripts/buildCli.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function node(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const COMMANDS = ['init', 'demo', 'load', 'build', 'test', 'show', 'models', 'segments', 'sync', 'runs'];

/** The packages main.js loads before any command runs: what `c360 --help` pays for. */
function staticPackages(metafile: Metafile, entry: string): string[] {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (output: string) => {
    if (seen.has(output)) return;
    seen.add(output);
    for (const imported of metafile.outputs[output]?.imports ?? []) {
      if (imported.kind === 'dynamic-import') continue;
      if (imported.external) packages.add(imported.path);
      else visit(imported.path);
    }
  };
  visit(entry);
  return [...packages].sort();
}

describe('the built CLI (npm run build)', () => {
  // Built into its own folder inside the repository (packages resolve from node_modules/ here), so the test
  // neither depends on nor disturbs dist/cli.
  const outdir = join(ROOT, 'dist', `test-cli-${process.pid}`);
  const main = join(outdir, 'main.js');
  let metafile: Metafile;
  let workspace: string;

  beforeAll(async () => {
    ({ metafile } = await buildCli(outdir));
    workspace = await mkdtemp(join(tmpdir(), 'c360-built-'));
  });
  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
    await rm(workspace, { recursive: true, force: true });
  });

  it('prints help and version, exit 0', async () => {
    const help = await node([main, '--help']);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(help.stdout).toContain('Exit codes');
    const version = await node([main, '--version']);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
    const sync = await node([main, 'sync', '--help']);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/--plan-out <file>[\s\S]*KLAVIYO_API_KEY/);
  });

  it('loads only commander until a command runs: no DuckDB, Klaviyo SDK, nunjucks, zod or yaml for --help', () => {
    const entry = toOutputKey(main);
    expect(metafile.outputs[entry]?.entryPoint).toBe('core/cli/main.ts');
    expect(staticPackages(metafile, entry)).toEqual(['commander', 'node:fs']);
  });

  it('finds the SQL project, the seeds and the segment templates from the built code', async () => {
    // demo reads sql/seeds/*.csv and the raw tables of sql/, models the whole project, segments init the templates
    const demo = await node([main, 'demo', '--customers', '30', '--as-of', '2026-06-30', '-w', workspace]);
    expect(demo.stderr).toBe(demo.code === 0 ? demo.stderr : '');
    expect(demo.code).toBe(0);
    const models = await node([main, 'models', '--json', '-w', workspace]);
    expect(models.code).toBe(0);
    expect((JSON.parse(models.stdout) as { name: string }[]).map((m) => m.name)).toContain('dim_customers');
    const init = await node([main, 'segments', 'init', '-w', workspace]);
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/Copied \d+ templates/);
  }, 300_000);
});

function toOutputKey(file: string): string {
  return relative(ROOT, file).split('\\').join('/');
}

describe('bin/c360.js', () => {
  // A copy of the bin in a minimal project: its dist/cli/main.js and core/cli/main.ts say which one ran.
  let root: string;
  const bin = () => join(root, 'bin', 'c360.js');
  const source = () => join(root, 'core', 'cli', 'main.ts');
  const helper = () => join(root, 'core', 'helper.ts');

  async function stampBuild(): Promise<void> {
    const inputs: Record<string, [number, number]> = {};
    for (const file of [source(), helper()]) {
      const info = await stat(file);
      inputs[relative(root, file).split('\\').join('/')] = [info.mtimeMs, info.size];
    }
    await writeFile(join(root, 'dist', 'cli', INPUTS_FILE), JSON.stringify({ inputs }));
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'c360-bin-'));
    await mkdir(join(root, 'bin'));
    await mkdir(join(root, 'core', 'cli'), { recursive: true });
    await mkdir(join(root, 'dist', 'cli'), { recursive: true });
    await cp(join(ROOT, 'bin', 'c360.js'), bin());
    await symlink(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
    await writeFile(source(), "const from: string = 'source';\nconsole.log(from);\n");
    await writeFile(helper(), 'export const helper = 1;\n');
    await writeFile(join(root, 'dist', 'cli', 'main.js'), "console.log('built');\n");
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('runs the build when every source it was built from is unchanged', async () => {
    await stampBuild();
    expect(await node([bin()])).toEqual({ code: 0, stdout: 'built\n', stderr: '' });
  });

  it('runs the TypeScript sources when a source changed since the build, with no note on a pipe', async () => {
    await stampBuild();
    const later = new Date(Date.now() + 5000);
    await utimes(helper(), later, later);
    expect(await node([bin()])).toEqual({ code: 0, stdout: 'source\n', stderr: '' });
  });

  it('runs the sources when a source of the build is gone or there is no build', async () => {
    await stampBuild();
    await rm(helper());
    expect((await node([bin()])).stdout).toBe('source\n');
    await writeFile(helper(), 'export const helper = 1;\n');
    await rm(join(root, 'dist', 'cli', INPUTS_FILE));
    expect((await node([bin()])).stdout).toBe('source\n');
  });
});
