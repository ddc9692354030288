/**
 * Build benchmark (SPEC §10): generate the demo shop and build every model at 100k and 1M customers.
 * Each size runs in its own process so that peak RSS (VmHWM) belongs to that size alone.
 *   npm run bench:build                 # 100k and 1M
 *   npm run bench:build -- 50000 200000 # other sizes
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../core/db/duckdb.ts';
import { generateDemoShop } from '../core/demo/index.ts';
import { runBuild } from '../core/models/index.ts';

interface SizeResult {
  customers: number;
  generateSeconds: number;
  buildSeconds: number;
  totalSeconds: number;
  rawRows: number;
  orders: number;
  peakRssMb: number;
  ok: boolean;
  slowestModels: { name: string; seconds: number; rows?: number }[];
  generatorStages: { stage: string; seconds: number }[];
}

async function peakRssMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : process.memoryUsage().rss / 1024 / 1024;
}

async function runSize(customers: number): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-bench-build-'));
  try {
    const db = await openDatabase(join(dir, 'workspace.duckdb'), { memoryLimit: '3GB' });
    const t0 = performance.now();
    const demo = await generateDemoShop(db, { customers, seed: 42, asOf: '2026-12-01' });
    const t1 = performance.now();
    const build = await runBuild(db, { vars: { as_of: '2026-12-01' } });
    const t2 = performance.now();
    if (!build.ok) {
      const problems = [
        ...build.models.filter((m) => m.status !== 'success').map((m) => `${m.name}: ${m.error}`),
        ...build.tests.filter((t) => t.status !== 'pass').map((t) => `${t.model} ${t.name}: ${t.message}`),
      ];
      process.stderr.write(`build failed:\n${problems.join('\n')}\n`);
    }
    db.close();
    const orders = demo.tables.filter((t) => t.table === 'orders').reduce((sum, t) => sum + t.rows, 0);
    return {
      customers,
      generateSeconds: (t1 - t0) / 1000,
      buildSeconds: (t2 - t1) / 1000,
      totalSeconds: (t2 - t0) / 1000,
      rawRows: demo.tables.reduce((sum, t) => sum + t.rows, 0),
      orders,
      peakRssMb: await peakRssMb(),
      ok: build.ok,
      slowestModels: [...build.models]
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, 8)
        .map((m) => ({ name: m.name, seconds: Number(m.seconds.toFixed(2)), rows: m.rows })),
      generatorStages: demo.stages.map((s) => ({ stage: s.stage, seconds: Number(s.seconds.toFixed(2)) })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const sizeFlag = process.argv.indexOf('--size');
if (sizeFlag > 0) {
  const result = await runSize(Number(process.argv[sizeFlag + 1]));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const sizes = process.argv.slice(2).map(Number).filter(Number.isFinite);
  const results: SizeResult[] = [];
  for (const customers of sizes.length ? sizes : [100_000, 1_000_000]) {
    process.stderr.write(`generating and building ${customers.toLocaleString('en-US')} customers …\n`);
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--size', String(customers)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    if (child.status !== 0)
      throw new Error(`benchmark for ${customers} customers failed (exit ${child.status})`);
    results.push(JSON.parse(child.stdout.trim().split('\n').pop()!) as SizeResult);
  }
  const base = results[0]!;
  console.log(
    'customers  | orders     | raw rows   | generate s | build s | total s | build rows/s | peak RSS MB | ok',
  );
  for (const r of results) {
    console.log(
      [
        r.customers.toLocaleString('en-US').padStart(10),
        r.orders.toLocaleString('en-US').padStart(10),
        r.rawRows.toLocaleString('en-US').padStart(10),
        r.generateSeconds.toFixed(1).padStart(10),
        r.buildSeconds.toFixed(1).padStart(7),
        r.totalSeconds.toFixed(1).padStart(7),
        Math.round(r.rawRows / r.buildSeconds)
          .toLocaleString('en-US')
          .padStart(12),
        r.peakRssMb.toFixed(0).padStart(11),
        r.ok ? 'yes' : 'NO',
      ].join(' | '),
    );
  }
  for (const r of results.slice(1)) {
    const dataRatio = r.customers / base.customers;
    console.log(
      `scaling ${base.customers.toLocaleString('en-US')} → ${r.customers.toLocaleString('en-US')}: data ×${dataRatio.toFixed(1)}, ` +
        `build time ×${(r.buildSeconds / base.buildSeconds).toFixed(1)}, generate time ×${(r.generateSeconds / base.generateSeconds).toFixed(1)}`,
    );
  }
  for (const r of results) {
    console.log(
      `slowest models at ${r.customers.toLocaleString('en-US')}: ${r.slowestModels.map((m) => `${m.name} ${m.seconds}s`).join(', ')}`,
    );
    console.log(
      `generator stages at ${r.customers.toLocaleString('en-US')}: ${r.generatorStages.map((s) => `${s.stage} ${s.seconds}s`).join(', ')}`,
    );
  }
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(out, { recursive: true });
  await writeFile(
    join(out, 'build.json'),
    JSON.stringify({ measuredAt: new Date().toISOString(), results }, null, 2),
  );
  const failed = results.filter((r) => !r.ok);
  if (failed.length) process.exitCode = 1;
}
