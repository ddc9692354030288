/**
 * Segment preview benchmark (SPEC §10): on a 1,000,000-customer workspace, edit a rule 200 times (changing
 * thresholds) and time the full preview — count, 4 breakdowns, overlap with 10 saved segments, funnel — with
 * the engine (cube / base projection, one grouped query, deltas between edits) and the naive way (one query
 * per figure over dim_customers, nothing reused).
 *
 *   npx tsx bench/preview.bench.ts                       # generate + build a 1M demo shop first (minutes)
 *   npx tsx bench/preview.bench.ts --workspace DIR       # reuse DIR/workspace.duckdb (or $C360_BENCH_WORKSPACE)
 *   npx tsx bench/preview.bench.ts --edits 200 --naive-edits 30 --customers 1000000 --keep
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDatabase, type Database } from '../core/db/duckdb.ts';
import { generateDemoShop } from '../core/demo/index.ts';
import { runBuild } from '../core/models/index.ts';
import {
  DEFAULT_BREAKDOWNS,
  listTemplates,
  naivePreview,
  parseSegmentDefinition,
  SegmentEngine,
  type LoadedSegment,
} from '../core/segments/index.ts';

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const EDITS = Number(argument('edits') ?? 200);
const NAIVE_EDITS = Number(argument('naive-edits') ?? 30);
const CUSTOMERS = Number(argument('customers') ?? 1_000_000);
const AS_OF = '2026-06-30';

/** Deterministic thresholds (mulberry32), so that runs are comparable. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

function summary(times: number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
} {
  const sorted = [...times].sort((a, b) => a - b);
  const round = (x: number) => Number(x.toFixed(1));
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.at(-1) ?? NaN),
    mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
  };
}

const load = () => loadavg().map((x) => Number(x.toFixed(2)));

async function workspace(): Promise<{
  db: Database;
  cleanup: () => Promise<void>;
  generatedSeconds?: number;
}> {
  const given = argument('workspace') ?? process.env.C360_BENCH_WORKSPACE;
  if (given) return { db: await openDatabase(join(given, 'workspace.duckdb')), cleanup: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'c360-bench-preview-'));
  const db = await openDatabase(join(dir, 'workspace.duckdb'), { memoryLimit: '3GB' });
  const t0 = performance.now();
  process.stderr.write(`generating a ${CUSTOMERS.toLocaleString('en')}-customer demo shop in ${dir} …\n`);
  await generateDemoShop(db, { customers: CUSTOMERS, seed: 42, asOf: AS_OF });
  const build = await runBuild(db, { vars: { as_of: AS_OF } });
  if (!build.ok) throw new Error('the build failed; run `c360 build` on the workspace to see why');
  const keep = process.argv.includes('--keep');
  if (keep) process.stderr.write(`keeping ${dir}; reuse it with --workspace ${dir}\n`);
  return {
    db,
    generatedSeconds: (performance.now() - t0) / 1000,
    cleanup: async () => {
      if (!keep) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The edited segments. "jump" edits pick new thresholds at random each time (the stress case); "slider" edits
 * move one threshold by a few units, the way a marketer drags a slider or types a digit.
 */
function winbackEdit(kind: 'jump' | 'slider'): (next: () => number, i: number) => LoadedSegment {
  return (next, i) => {
    const low = kind === 'jump' ? 45 + Math.floor(next() * 45) : 60;
    const high = kind === 'jump' ? low + 20 + Math.floor(next() * 300) : 90 + ((i * 3) % 120);
    return parseSegmentDefinition({
      name: 'winback_edit',
      rules: [
        { column: 'total_orders', op: '>=', value: kind === 'jump' ? 1 + Math.floor(next() * 3) : 1 },
        { column: 'days_since_last_order', op: 'between', value: [low, high] },
        { column: 'lifecycle_stage', op: 'in', value: ['at_risk', 'lapsing', 'churned'] },
      ],
      exclude: ['vip_customers'],
      holdout_percent: 10,
    });
  };
}

/** A value audience on a continuous column (lifetime_revenue): no cube applies, the base is read. */
function valueEdit(kind: 'jump' | 'slider'): (next: () => number, i: number) => LoadedSegment {
  return (next, i) =>
    parseSegmentDefinition({
      name: 'value_edit',
      rules: [
        {
          column: 'lifetime_revenue',
          op: '>=',
          value: kind === 'jump' ? Math.round(50 + next() * 950) : 200 + ((i * 5) % 400),
        },
        { column: 'engagement_score', op: '>=', value: kind === 'jump' ? Math.floor(next() * 60) : 20 },
      ],
    });
}

async function run(): Promise<void> {
  const { db, cleanup, generatedSeconds } = await workspace();
  try {
    const [customers] = await db.queryJs('select count(*) as n from dim_customers');
    const [version] = await db.queryJson('select version() as v');
    const [threads] = await db.queryJson("select current_setting('threads') as t");
    const saved = (await listTemplates()).filter(
      (t) => !['sleep_routine', 'new_customers'].includes(t.definition.name),
    );
    if (saved.length !== 10) throw new Error(`expected 10 saved segments, got ${saved.length}`);
    const loadBefore = load();

    const t0 = performance.now();
    const engine = await SegmentEngine.open(db, { segments: saved });
    const openMs = performance.now() - t0;

    type Edit = (next: () => number, i: number) => LoadedSegment;
    const scenario = async (name: string, edit: Edit) => {
      const next = random(42);
      const first = performance.now();
      const cold = await engine.preview(edit(next, -1));
      const coldMs = performance.now() - first;
      const times: number[] = [];
      const modes = new Map<string, number>();
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      for (let i = 0; i < EDITS; i++) {
        const target = edit(next, i);
        const t = performance.now();
        const p = await engine.preview(target);
        times.push(performance.now() - t);
        const key = `${p.engine.source}/${p.engine.mode}`;
        modes.set(key, (modes.get(key) ?? 0) + 1);
        if (p.overlaps.length !== 10 || p.breakdowns.length !== 4) throw new Error('incomplete preview');
      }
      delay.disable();
      return {
        name,
        firstPreviewMs: Number(coldMs.toFixed(0)),
        firstPreview: { source: cold.engine.source, sourceRows: cold.engine.rows, count: cold.count },
        edits: summary(times),
        modes: Object.fromEntries(modes),
        // The main thread stays free while DuckDB works on its own threads (node-api runs queries async).
        eventLoopDelayMs: {
          mean: Number((delay.mean / 1e6).toFixed(1)),
          p99: Number((delay.percentile(99) / 1e6).toFixed(1)),
          max: Number((delay.max / 1e6).toFixed(1)),
        },
      };
    };

    const naive = async (edit: Edit) => {
      const next = random(42);
      const times: number[] = [];
      let queries = 0;
      for (let i = 0; i < NAIVE_EDITS; i++) {
        const target = edit(next, i);
        const t = performance.now();
        const figures = await naivePreview(db, engine.set, target, DEFAULT_BREAKDOWNS);
        times.push(performance.now() - t);
        queries = figures.queries;
      }
      return { edits: summary(times), queriesPerPreview: queries };
    };

    const scenarios = [];
    for (const [name, edit] of [
      ['winback window, random jumps (cube)', winbackEdit('jump')],
      ['winback window, slider steps (cube)', winbackEdit('slider')],
      ['lifetime_revenue, random jumps (base)', valueEdit('jump')],
      ['lifetime_revenue, slider steps (base)', valueEdit('slider')],
    ] as const) {
      process.stderr.write(`${EDITS} edits: ${name} …\n`);
      scenarios.push(await scenario(name, edit));
    }
    process.stderr.write(`${NAIVE_EDITS} naive previews …\n`);
    const naiveWinback = await naive(winbackEdit('jump'));
    const all = scenarios.flatMap((x) => x.edits);
    const worstP50 = Math.max(...all.map((x) => x.p50));
    const worstP95 = Math.max(...all.map((x) => x.p95));
    const result = {
      benchmark: 'segment preview (count + 4 breakdowns + overlap with 10 segments + funnel)',
      customers: Number(customers?.n),
      duckdb: version?.v,
      threads: threads?.t,
      node: process.version,
      loadAverageBefore: loadBefore,
      loadAverageAfter: load(),
      generatedSeconds,
      engineOpenMs: Number(openMs.toFixed(0)),
      optimised: scenarios,
      naive: { scenario: 'winback window, random jumps', ...naiveWinback },
      ratioP50: Number((naiveWinback.edits.p50 / scenarios[0]!.edits.p50).toFixed(1)),
      ratioP95: Number((naiveWinback.edits.p95 / scenarios[0]!.edits.p95).toFixed(1)),
      bar: { p50: 50, p95: 100, met: worstP50 < 50 && worstP95 < 100 },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
    await writeFile(
      join(import.meta.dirname, 'results', `preview-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
      JSON.stringify(result, null, 2),
    );
  } finally {
    db.close();
    await cleanup();
  }
}

await run();
