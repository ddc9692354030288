/**
 * Sync benchmark (SPEC §10): 1,000,000 profiles against the Klaviyo contract server with Klaviyo's real
 * per-endpoint rate limits (the client paces at 1×).
 *   npm run bench:sync              # 1,000,000 profiles
 *   npm run bench:sync -- 200000    # another size
 * The profiles are the dim_customers rows of a built 20k demo shop, replicated with new emails up to the size,
 * so payloads have the real shape and size; building a 1M shop first (see bench:build) adds minutes and does
 * not change what this measures.
 * Reported: plan time (bar < 10 s), bulk jobs used vs ⌈changed / 10,000⌉ and fill (bar ≥ 95 %), apply wall
 * time against the fake, projected wall time at Klaviyo's steady limits, 429s, and the same for a rerun with
 * 1 % of the rows changed and a rerun with none (0 write calls).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../core/db/duckdb.ts';
import { generateDemoShop } from '../core/demo/index.ts';
import { runBuild } from '../core/models/index.ts';
import { runSync, type SyncOutcome } from '../core/sync/index.ts';
import { openWorkspace } from '../core/workspace/index.ts';
import { startKlaviyoFake } from '../test/fakes/klaviyo/index.ts';

const size = Number(process.argv[2] ?? 1_000_000);
const dir = await mkdtemp(join(tmpdir(), 'c360-bench-sync-'));
const fake = await startKlaviyoFake({ rateLimits: 'klaviyo', jobDelayMs: 200 });

async function prepare(): Promise<void> {
  const db = await openDatabase(join(dir, 'workspace.duckdb'), { memoryLimit: '3GB' });
  await generateDemoShop(db, { customers: 20_000, seed: 42, asOf: '2026-12-01' });
  const build = await runBuild(db, { vars: { as_of: '2026-12-01' }, select: ['+dim_customers'] });
  if (!build.ok) throw new Error('build failed');
  const [base] = await db.queryJson(
    `select count(*)::integer as n from main.dim_customers where is_marketable and not is_relay_email`,
  );
  const n = Number(base?.n);
  // An equi-join on a precomputed key: `k = i % n` with n from another relation would be a nested loop.
  await db.run(`create or replace table main.dim_customers as
    with base as (
      select *, row_number() over (order by customer_id) - 1 as k
      from main.dim_customers where is_marketable and not is_relay_email
    ),
    copies as (select i, i % ${n} as k from range(${size}) r(i))
    select b.* exclude (k) replace (printf('bench%07d.%s', c.i, b.email) as email, printf('c%07d', c.i) as customer_id)
    from copies c join base b using (k)`);
  db.close();
  await writeFile(
    join(dir, 'c360.config.yaml'),
    `version: 1\nsync: ${JSON.stringify({ klaviyo: { poll_interval_ms: 500, concurrency: 4 } })}\n`,
  );
}

async function sync(
  dryRun: boolean,
): Promise<{ outcome: SyncOutcome; seconds: number; planSeconds: number }> {
  const ws = await openWorkspace(dir);
  try {
    const t0 = performance.now();
    const planned = await runSync(
      { db: ws.db, config: ws.config.sync, dir: ws.dir, projectDir: ws.projectDir },
      { syncs: ['profiles'], dryRun: true },
      { env: { KLAVIYO_API_KEY: fake.apiKey, KLAVIYO_BASE_URL: fake.url } },
    );
    const planSeconds = (performance.now() - t0) / 1000;
    if (dryRun) return { outcome: planned, seconds: planSeconds, planSeconds };
    const t1 = performance.now();
    const outcome = await runSync(
      { db: ws.db, config: ws.config.sync, dir: ws.dir, projectDir: ws.projectDir },
      { syncs: ['profiles'], approve: true },
      { env: { KLAVIYO_API_KEY: fake.apiKey, KLAVIYO_BASE_URL: fake.url } },
    );
    return { outcome, seconds: (performance.now() - t1) / 1000, planSeconds };
  } finally {
    ws.close();
  }
}

function report(label: string, r: Awaited<ReturnType<typeof sync>>, jobsBefore: number): void {
  const plan = r.outcome.plan.targets[0]!;
  if (plan.sync !== 'profiles') throw new Error('expected a profiles plan');
  const changed = plan.create + plan.update;
  const jobs = [...fake.state.importJobs.values()].slice(jobsBefore);
  const sentProfiles = jobs.reduce((s, j) => s + j.total_count, 0);
  const minimum = Math.ceil(changed / 10_000);
  const result = r.outcome.results[0];
  console.log(
    JSON.stringify({
      run: label,
      profiles: plan.sourceRows,
      changed,
      planSeconds: Number(r.planSeconds.toFixed(2)),
      applySeconds: Number(r.seconds.toFixed(1)),
      bulkJobs: jobs.length,
      minimumJobs: minimum,
      fillPercent: jobs.length ? Number(((sentProfiles / (jobs.length * 10_000)) * 100).toFixed(1)) : null,
      writeCalls: result ? undefined : r.outcome.plan.writeCalls,
      apiCalls: result?.apiCalls ?? 0,
      throttled429: result?.throttled ?? 0,
      projectedSecondsAtKlaviyoLimits: Number(r.outcome.plan.expectedSeconds.toFixed(1)),
      status: r.outcome.status,
      succeeded: result?.succeeded ?? 0,
      failed: result?.failed ?? 0,
    }),
  );
}

try {
  const t0 = performance.now();
  await prepare();
  console.log(
    JSON.stringify({
      step: 'prepared',
      profiles: size,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    }),
  );
  report('first sync', await sync(false), 0);
  const jobs1 = fake.state.importJobs.size;
  const ws = await openWorkspace(dir);
  await ws.db.run(
    `update main.dim_customers set total_orders = total_orders + 1 where hash(customer_id) % 100 = 0`,
  );
  ws.close();
  report('rerun, 1 % changed', await sync(false), jobs1);
  const writes = fake.writeRequests().length;
  const jobs2 = fake.state.importJobs.size;
  report('rerun, nothing changed', await sync(false), jobs2);
  console.log(
    JSON.stringify({ run: 'rerun, nothing changed', writeCallsMade: fake.writeRequests().length - writes }),
  );
  console.log(
    JSON.stringify({
      fake429s: fake.state.counters.throttled,
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    }),
  );
} finally {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
}
