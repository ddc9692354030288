import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { generateDemoShop } from '../../core/demo/index.ts';
import { DEFAULT_PROJECT_DIR, runBuild } from '../../core/models/index.ts';
import {
  DEFAULT_BREAKDOWNS,
  listTemplates,
  naivePreview,
  parseSegmentDefinition,
  recordSnapshot,
  SegmentEngine,
  type LoadedSegment,
  type PreviewResult,
  segmentTables,
  type SegmentDefinitionInput,
} from '../../core/segments/index.ts';

/**
 * A generated shop (3,000 customers: every template still has members), built once; the templates are the
 * saved segments.
 */
let dir: string;
let db: Database;
let engine: SegmentEngine;
let templates: LoadedSegment[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-seg-shop-'));
  db = await openDatabase(join(dir, 'workspace.duckdb'));
  await generateDemoShop(db, { customers: 3000, seed: 7, asOf: '2026-06-30' });
  templates = await listTemplates();
  const build = await runBuild(db, {
    vars: { as_of: '2026-06-30' },
    derived: segmentTables({ segments: templates }),
  });
  expect(build.ok).toBe(true);
  expect(build.warnings).toEqual([]);
  // Cubes are worth it from about 100k customers; force them here so that both paths are tested.
  engine = await SegmentEngine.open(db, { segments: templates, maxCubeRatio: 1 });
  // Generation + build of the shop take about a minute alone, several on a busy machine.
}, 400_000);
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Who each template selects, written independently over the dim_customers flags (what the hand-written seg_*
 * models of earlier versions selected), with the defaults of sql/vars.yml.
 */
const EXPECTED_MEMBERS: Record<string, string> = {
  advent_calendar_buyers: 'has_bought_advent_products',
  allergy_season_buyers: 'has_bought_allergy_products',
  cold_season_buyers: 'has_bought_cold_products',
  cross_channel_customers: 'is_cross_channel',
  high_value_at_risk: 'is_high_value_at_risk',
  new_customers: "lifecycle_stage = 'new'",
  pregnancy_journey: 'pregnancy_opt_in and has_bought_pregnancy_products',
  replenishment: "date_diff('day', date '2026-06-30', next_replenishment_date) between -14 and 14",
  sleep_routine: 'has_bought_sleep_products',
  upsell_candidates: 'total_orders >= 1 and cross_sell_score >= 50',
  vip_customers: 'is_vip',
  // winback shares a priority group with high_value_at_risk, which claims its customers first.
  winback_candidates: 'is_winback_candidate and not is_high_value_at_risk',
};

function edits(x: number): SegmentDefinitionInput[] {
  return [
    {
      name: 'edit_winback',
      rules: [
        { column: 'total_orders', op: '>=', value: 1 },
        { column: 'days_since_last_order', op: 'between', value: [60, x] },
        { column: 'lifecycle_stage', op: 'in', value: ['at_risk', 'lapsing', 'churned'] },
      ],
      exclude: ['vip_customers'],
      holdout_percent: 10,
    },
    {
      name: 'edit_value',
      rules: {
        any: [
          { column: 'lifetime_revenue', op: '>', value: x * 2 },
          { column: 'preferred_categories', op: 'contains', value: 'Schlaf' },
        ],
      },
      priority_group: 'retention',
      priority: 3,
    },
    {
      name: 'winback_candidates',
      rules: [
        { column: 'total_orders', op: '>=', value: 1 },
        { column: 'days_since_last_order', op: '>=', value: x },
      ],
      priority_group: 'retention',
      priority: 2,
      holdout_percent: 5,
    },
    {
      name: 'edit_expert',
      include_non_marketable: true,
      rules: [
        { sql: `age < ${Math.round(x / 4)} or gender = 'female'` },
        { column: 'last_order_at', op: 'within_last_days', value: x },
      ],
    },
  ];
}

const sortedValues = (p: { breakdowns: { column: string; values: { value: unknown; count: number }[] }[] }) =>
  p.breakdowns.map((b) => [b.column, [...b.values].map((v) => [v.value, v.count]).sort()]);

describe('the built-in templates', () => {
  it('are built as seg_<name> tables holding exactly the members the list sync publishes', async () => {
    for (const template of templates) {
      const name = template.definition.name;
      const snapshot = await recordSnapshot(db, engine.set, template);
      const table = `seg_${name}`;
      const [diff] = await db.queryJs(
        `select
           (select count(*) from (select customer_id from c360.segment_members where snapshot_id = $1 and not is_holdout)
              m full outer join ${table} s using (customer_id)
              where m.customer_id is null or s.customer_id is null) as vs_snapshot,
           (select count(*) from (select customer_id from dim_customers where is_marketable and ${EXPECTED_MEMBERS[name]!})
              e full outer join ${table} s using (customer_id)
              where e.customer_id is null or s.customer_id is null) as vs_flags`,
        [snapshot.snapshotId],
      );
      expect([name, Number(diff?.vs_snapshot), Number(diff?.vs_flags)]).toEqual([name, 0, 0]);
      expect(snapshot.memberCount).toBeGreaterThan(0);
      const columns = (await db.queryJson(`describe ${table}`)).map((r) => String(r.column_name));
      expect(columns).toEqual([
        'customer_id',
        'email',
        ...template.definition.properties.filter((p) => !['customer_id', 'email'].includes(p)),
      ]);
    }
  });

  it('keep every customer in at most one segment of a priority group', async () => {
    const [row] = await db.queryJs(`select count(*) as n from (
      select customer_id from c360.segment_members m join c360.segment_snapshots s using (snapshot_id)
      where s.segment in ('winback_candidates', 'high_value_at_risk') group by customer_id having count(*) > 1)`);
    expect(Number(row?.n)).toBe(0);
  });
});

describe('a preview', () => {
  it('equals the one-query-per-figure computation, in full and as a delta of the previous edit', async () => {
    const seen = new Set<string>();
    // The one-query-per-figure answer for a definition is the same whatever mode the engine answers in: it is
    // computed once per definition (the data does not change here) and compared with each mode's answer.
    const naive = new Map<string, Awaited<ReturnType<typeof naivePreview>>>();
    // One definition at a time, thresholds changing: the way an editor is used.
    for (let d = 0; d < edits(0).length; d++)
      for (const mode of [{ useCube: true }, { useCube: true, delta: true }, { useCube: false }])
        for (const x of [90, 120, 75, 300, 90]) {
          const definition = edits(x)[d]!;
          const target = parseSegmentDefinition(definition);
          const fast = await engine.preview(target, mode);
          const key = `${d} ${x}`;
          if (!naive.has(key)) naive.set(key, await naivePreview(db, engine.set, target, DEFAULT_BREAKDOWNS));
          const slow = naive.get(key)!;
          const label = `${definition.name} x=${x} ${fast.engine.source}/${fast.engine.mode}`;
          seen.add(`${fast.engine.source}/${fast.engine.mode}`);
          expect([label, fast.base, fast.count, fast.eligible]).toEqual([
            label,
            slow.base,
            slow.count,
            slow.eligible,
          ]);
          expect([label, fast.funnel]).toEqual([label, slow.funnel]);
          expect([label, sortedValues(fast)]).toEqual([label, sortedValues(slow)]);
          expect([label, fast.overlaps]).toEqual([label, slow.overlaps]);
        }
    expect([...seen].sort()).toEqual(['base/delta', 'base/full', 'cube/delta', 'cube/full']);
  });

  it('counts as many members as each breakdown adds up to', async () => {
    for (const definition of edits(100)) {
      const p = await engine.preview(parseSegmentDefinition(definition), {
        breakdowns: [...DEFAULT_BREAKDOWNS, 'gender', 'recency_score'],
      });
      for (const b of p.breakdowns)
        expect([b.column, b.values.reduce((a, v) => a + v.count, 0) + b.other]).toEqual([b.column, p.count]);
    }
  });

  it('has a funnel that never grows and ends at the member count', async () => {
    for (const definition of edits(150)) {
      const p = await engine.preview(parseSegmentDefinition(definition));
      p.funnel.forEach((row, i) => {
        expect(row.removed).toBeGreaterThanOrEqual(0);
        if (i > 0) expect(row.remaining).toBe(p.funnel[i - 1]!.remaining - row.removed);
      });
      expect(p.funnel.at(-1)!.remaining).toBe(p.count);
      expect(p.funnel[0]!.remaining).toBe(p.base);
    }
  });

  it('shows the same overlap from either side', async () => {
    const previews = new Map<string, PreviewResult>();
    for (const t of templates) previews.set(t.definition.name, await engine.preview(t));
    for (const [a, pa] of previews)
      for (const o of pa.overlaps) {
        const back = previews.get(o.segment)!.overlaps.find((x) => x.segment === a)!;
        expect([a, o.segment, o.overlap, o.jaccard]).toEqual([a, o.segment, back.overlap, back.jaccard]);
        expect(o.size).toBe(previews.get(o.segment)!.eligible);
      }
  });

  it('breaks list columns down by element', async () => {
    const p = await engine.preview(
      templates.find((t) => t.definition.name === 'sleep_routine')!,
      {
        breakdowns: ['preferred_categories'],
      },
    );
    const schlaf = p.breakdowns[0]!.values.find((v) => v.value === 'Schlaf');
    expect(schlaf?.count).toBeGreaterThan(0);
    expect(p.engine.source).toBe('base');
  });

  it('shows a stable sample of members with the chosen columns', async () => {
    const vip = templates.find((t) => t.definition.name === 'vip_customers')!;
    const a = await engine.preview(vip, {
      sample: 5,
      sampleColumns: ['customer_id', 'vip_tier', 'lifetime_revenue'],
    });
    const b = await engine.preview(vip, {
      sample: 5,
      sampleColumns: ['customer_id', 'vip_tier', 'lifetime_revenue'],
    });
    expect(a.sample?.rows).toHaveLength(5);
    expect(a.sample?.rows).toEqual(b.sample?.rows);
    expect(a.sample?.columns).toEqual(['customer_id', 'vip_tier', 'lifetime_revenue']);
    for (const row of a.sample!.rows) expect(['platinum', 'gold', 'silver']).toContain(row.vip_tier);
  });

  it('treats a segment that selects by health data as sensitive, and says so', async () => {
    // The health tags come from the model docs (sql/models/marts/_marts.yml).
    const documented = await SegmentEngine.open(db, { segments: templates, projectDir: DEFAULT_PROJECT_DIR });
    const leak = parseSegmentDefinition({
      name: 'leak',
      rules: [{ column: 'has_bought_pregnancy_products', op: '=', value: true }],
    });
    const p = await documented.preview(leak);
    expect(p.warnings[0]).toMatch(
      /so it is sensitive whatever its file says: only customers with pregnancy_opt_in/,
    );
    const [consented] = await db.queryJs(
      `select count(*) as n from dim_customers
       where is_marketable and has_bought_pregnancy_products and pregnancy_opt_in`,
    );
    expect(p.count).toBe(Number(consented?.n));
  });
});
