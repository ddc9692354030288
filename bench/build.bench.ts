/**
 * Build benchmark (SPEC §10, issue 14): the full `c360 build` (every model, its data tests and the saved
 * segments' tables) of the demo shop at 100k and 1M customers, as a user runs it.
 *
 *   npm run bench:build                          # 100k and 1M, 3 builds each
 *   npm run bench:build -- --runs 5 50000 200000  # other sizes and run counts
 *
 * Per size the demo is generated once into a raw-only database; every build then starts from a fresh copy of it
 * in a workspace with the built-in segment templates and the default config (DuckDB memory_limit 3GB), in its
 * own process, so that peak RSS (VmHWM, DuckDB included) belongs to that build alone. The machine is shared, so
 * each build reports the 1-minute load average before and after it and the table shows the median build.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../core/db/duckdb.ts';
import { generateDemoShop } from '../core/demo/index.ts';
import { buildProcedure } from '../core/api/modelProcedures.ts';
import { call } from '../core/api/procedure.ts';
import { copyTemplates } from '../core/segments/templates.ts';
import { initWorkspace, DATABASE_FILE } from '../core/workspace/index.ts';
import { SEGMENTS_DIR } from '../core/segments/index.ts';
import type { BuildResult } from '../core/models/index.ts';

const AS_OF = '2026-12-01';

interface GenerateResult {
  customers: number;
  seconds: number;
  rawRows: number;
  orders: number;
}

interface BuildRun {
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  loadBefore: number;
  loadAfter: number;
  ok: boolean;
  models: number;
  tests: number;
  segmentTables: number;
  fileMb: number;
  phases: { models: number; tests: number; segments: number; publish: number };
  slowestModels: { name: string; seconds: number }[];
}

const loadAverage = async (): Promise<number> =>
  Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]);

async function peakRssMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : process.memoryUsage().rss / 1024 / 1024;
}

async function generate(rawPath: string, customers: number): Promise<GenerateResult> {
  const db = await openDatabase(rawPath, { memoryLimit: '3GB' });
  const t0 = performance.now();
  const demo = await generateDemoShop(db, { customers, seed: 42, asOf: AS_OF });
  await db.run('checkpoint');
  db.close();
  return {
    customers,
    seconds: (performance.now() - t0) / 1000,
    rawRows: demo.tables.reduce((sum, t) => sum + t.rows, 0),
    orders: demo.tables.filter((t) => t.table === 'orders').reduce((sum, t) => sum + t.rows, 0),
  };
}

async function build(rawPath: string): Promise<BuildRun> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-bench-build-'));
  try {
    await initWorkspace(dir);
    await copyTemplates(join(dir, SEGMENTS_DIR));
    await copyFile(rawPath, join(dir, DATABASE_FILE));
    const loadBefore = await loadAverage();
    const phases = { models: 0, tests: 0, segments: 0, publish: 0 };
    let segmentTables = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let mark = t0;
    const lap = (): number => {
      const now = performance.now();
      const seconds = (now - mark) / 1000;
      mark = now;
      return seconds;
    };
    const result: BuildResult = await call(
      buildProcedure,
      { workspace: dir, vars: { as_of: AS_OF } },
      {
        onProgress: (event) => {
          // tests run beside the models: the tests phase is what is left after the last model
          if (event.message === 'model_done') lap();
          else if (event.message === 'tests_done') phases.tests = lap();
          else if (event.message === 'derived_done') {
            phases.segments = lap();
            segmentTables = ((event.data as { tables?: unknown[] }).tables ?? []).length;
          } else if (event.message === 'published') phases.publish = lap();
        },
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    phases.models = result.models.reduce((sum, m) => sum + m.seconds, 0);
    if (!result.ok) {
      const problems = [
        ...result.models.filter((m) => m.status !== 'success').map((m) => `${m.name}: ${m.error}`),
        ...result.tests.filter((t) => t.status !== 'pass').map((t) => `${t.model} ${t.name}: ${t.message}`),
      ];
      process.stderr.write(`build failed:\n${problems.join('\n')}\n`);
    }
    const { size } = await stat(join(dir, DATABASE_FILE));
    return {
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssMb: await peakRssMb(),
      loadBefore,
      loadAfter: await loadAverage(),
      ok: result.ok,
      models: result.models.length,
      tests: result.tests.length,
      segmentTables,
      fileMb: size / 1024 / 1024,
      phases,
      slowestModels: [...result.models]
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, 6)
        .map((m) => ({ name: m.name, seconds: Number(m.seconds.toFixed(1)) })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs this file in a child process for one step and returns its JSON result. */
function child<T>(args: string[]): T {
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`benchmark step ${args.join(' ')} failed (exit ${run.status})`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as T;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const step = process.argv[2];
if (step === '--generate') {
  process.stdout.write(`${JSON.stringify(await generate(process.argv[3]!, Number(process.argv[4])))}\n`);
} else if (step === '--build') {
  process.stdout.write(`${JSON.stringify(await build(process.argv[3]!))}\n`);
} else {
  const args = process.argv.slice(2);
  const runsFlag = args.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(args.splice(runsFlag, 2)[1]) : 3;
  const sizes = args.map(Number).filter(Number.isFinite);
  const work = await mkdtemp(join(tmpdir(), 'c360-bench-raw-'));
  const results: { generate: GenerateResult; builds: BuildRun[] }[] = [];
  try {
    for (const customers of sizes.length ? sizes : [100_000, 1_000_000]) {
      const rawPath = join(work, `raw-${customers}.duckdb`);
      process.stderr.write(`generating ${customers.toLocaleString('en-US')} customers …\n`);
      const generated = child<GenerateResult>(['--generate', rawPath, String(customers)]);
      const builds: BuildRun[] = [];
      for (let i = 1; i <= runs; i++) {
        const run = child<BuildRun>(['--build', rawPath]);
        process.stderr.write(
          `  build ${i}/${runs}: ${run.seconds.toFixed(1)} s, cpu ${run.cpuSeconds.toFixed(0)} s, ` +
            `peak RSS ${run.peakRssMb.toFixed(0)} MB, load ${run.loadBefore.toFixed(1)} → ${run.loadAfter.toFixed(1)}` +
            ` (model seconds summed over the workers ${run.phases.models.toFixed(1)} s, tests after the last model ${run.phases.tests.toFixed(1)} s, segments ` +
            `${run.phases.segments.toFixed(1)} s)${run.ok ? '' : ' FAILED'}\n`,
        );
        builds.push(run);
      }
      await rm(rawPath, { force: true });
      results.push({ generate: generated, builds });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  console.log(
    'customers  | orders     | raw rows   | generate s | build s (median of N) | builds s          | peak RSS MB | load avg   | file MB | ok',
  );
  for (const { generate: g, builds } of results) {
    console.log(
      [
        g.customers.toLocaleString('en-US').padStart(10),
        g.orders.toLocaleString('en-US').padStart(10),
        g.rawRows.toLocaleString('en-US').padStart(10),
        g.seconds.toFixed(1).padStart(10),
        `${median(builds.map((b) => b.seconds)).toFixed(1)} (${builds.length})`.padStart(21),
        builds
          .map((b) => b.seconds.toFixed(1))
          .join(' / ')
          .padEnd(17),
        median(builds.map((b) => b.peakRssMb))
          .toFixed(0)
          .padStart(11),
        `${Math.min(...builds.map((b) => b.loadBefore)).toFixed(1)}–${Math.max(...builds.map((b) => b.loadAfter)).toFixed(1)}`.padEnd(
          10,
        ),
        median(builds.map((b) => b.fileMb))
          .toFixed(0)
          .padStart(7),
        builds.every((b) => b.ok) ? 'yes' : 'NO',
      ].join(' | '),
    );
  }
  const [base, ...rest] = results;
  for (const r of base ? rest : []) {
    const ratio = r.generate.customers / base!.generate.customers;
    const time = median(r.builds.map((b) => b.seconds)) / median(base!.builds.map((b) => b.seconds));
    console.log(
      `scaling ${base!.generate.customers.toLocaleString('en-US')} → ${r.generate.customers.toLocaleString('en-US')}: ` +
        `data ×${ratio.toFixed(1)}, build time ×${time.toFixed(1)}`,
    );
  }
  for (const { generate: g, builds } of results) {
    const mid = [...builds].sort((a, b) => a.seconds - b.seconds)[Math.floor(builds.length / 2)]!;
    console.log(
      `median build at ${g.customers.toLocaleString('en-US')}: model seconds (summed over the workers) ` +
        `${mid.phases.models.toFixed(1)} s, data tests after the last model ` +
        `${mid.phases.tests.toFixed(1)} s (${mid.tests}), ${mid.segmentTables} segment tables ${mid.phases.segments.toFixed(1)} s, publish ` +
        `${mid.phases.publish.toFixed(1)} s; cpu ${mid.cpuSeconds.toFixed(0)} s; slowest: ` +
        mid.slowestModels.map((m) => `${m.name} ${m.seconds}s`).join(', '),
    );
  }
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(out, { recursive: true });
  await writeFile(
    join(out, 'build.json'),
    JSON.stringify({ measuredAt: new Date().toISOString(), results }, null, 2),
  );
  if (results.some((r) => r.builds.some((b) => !b.ok))) process.exitCode = 1;
}
