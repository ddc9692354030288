import { mkdtemp, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  higherPriorityThan,
  parseSegmentDefinition,
  priorityGroups,
  SegmentEngine,
  type LoadedSegment,
} from '../../core/segments/index.ts';
import { openFixture, type Fixture } from './fixtureShop.ts';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await openFixture();
});
afterAll(async () => fixture.close());

const segment = (input: Record<string, unknown>): LoadedSegment => parseSegmentDefinition(input);
const vips = segment({ name: 'vips', rules: [{ column: 'customer_value_tier', op: '=', value: 'vip' }] });
const valuable = segment({
  name: 'valuable',
  rules: [{ column: 'lifetime_revenue', op: '>=', value: 250 }],
  priority_group: 'value',
  priority: 2,
});
const loyal = segment({
  name: 'loyal',
  rules: [{ column: 'total_orders', op: '>=', value: 4 }],
  priority_group: 'value',
  priority: 1,
});

describe('priority groups', () => {
  it('order the segments of a group, smallest priority first', () => {
    expect(priorityGroups([valuable.definition, loyal.definition, vips.definition])).toEqual([
      {
        name: 'value',
        segments: [
          { name: 'loyal', priority: 1 },
          { name: 'valuable', priority: 2 },
        ],
      },
    ]);
    expect(higherPriorityThan(valuable.definition, [loyal.definition, valuable.definition])).toEqual([
      'loyal',
    ]);
    expect(higherPriorityThan(loyal.definition, [loyal.definition, valuable.definition])).toEqual([]);
  });

  it('leave a customer only in the first segment of the group that wants them', async () => {
    const engine = await SegmentEngine.open(fixture.db, { segments: [vips, valuable, loyal] });
    // loyal (≥ 4 orders): c04, c06, c10. valuable (≥ 250 revenue): c02, c04, c06, c10 — minus loyal: c02.
    expect((await engine.preview(loyal)).count).toBe(3);
    const preview = await engine.preview(valuable);
    expect(preview.count).toBe(1);
    expect(preview.funnel.at(-1)).toMatchObject({ kind: 'priority', removed: 3, remaining: 1 });
    expect((await engine.explain(valuable, 'c04')).failedStep?.label).toMatch(/not claimed first by loyal/);
  });
});

describe('exclusions', () => {
  it('leave out the members of the excluded segment', async () => {
    const atRisk = segment({
      name: 'at_risk',
      rules: [{ column: 'lifecycle_stage', op: 'in', value: ['at_risk', 'churned'] }],
      exclude: ['vips'],
    });
    const engine = await SegmentEngine.open(fixture.db, { segments: [vips, atRisk] });
    const preview = await engine.preview(atRisk);
    // at_risk/churned and marketable: c03, c04, c06, c10; vips c04, c10.
    expect(preview.count).toBe(2);
    expect(preview.funnel.map((f) => [f.kind, f.remaining])).toEqual([
      ['all', 10],
      ['marketable', 8],
      ['rule', 4],
      ['exclusion', 2],
    ]);
    expect(preview.overlaps).toEqual([{ segment: 'vips', size: 2, overlap: 0, jaccard: 0 }]);
  });
});

describe('the saved segments', () => {
  it('report problems across segments and keep the good ones usable', async () => {
    const a = segment({ name: 'a', rules: [{ column: 'total_orders', op: '>', value: 0 }], exclude: ['b'] });
    const b = segment({ name: 'b', rules: [{ column: 'total_orders', op: '>', value: 1 }], exclude: ['a'] });
    const c = segment({
      name: 'c',
      rules: [{ column: 'total_orders', op: '>', value: 2 }],
      exclude: ['ghost'],
    });
    const d = segment({
      name: 'd',
      rules: [{ column: 'total_orders', op: '>', value: 3 }],
      priority_group: 'g',
      priority: 1,
    });
    const e = segment({
      name: 'e',
      rules: [{ column: 'total_orders', op: '>', value: 4 }],
      priority_group: 'g',
      priority: 1,
    });
    const f = segment({ name: 'f', rules: [{ column: 'nope', op: '>', value: 4 }] });
    const engine = await SegmentEngine.open(fixture.db, { segments: [a, b, c, d, e, f, vips] });
    const messages = engine.problems.map((p) => `${p.segment} ${p.path}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^e priority: priority 1 is also used by d in priority group 'g'/),
        expect.stringMatching(/^c exclude\.0: 'ghost' is not a segment of this workspace/),
        expect.stringMatching(/^a exclude\.0: segments are built on each other in a circle: a → b → a/),
        expect.stringMatching(/^f rules\.all\.0\.column: 'nope' is not a column/),
      ]),
    );
    expect(engine.segments.map((s) => s.definition.name)).toContain('vips');
    expect(engine.segments.map((s) => s.definition.name)).not.toContain('f');
    expect((await engine.preview(vips)).count).toBe(2);
    await expect(engine.resolve('f')).rejects.toThrow(/'nope' is not a column/);
    await expect(engine.resolve('missing')).rejects.toThrow(/no segment or YAML file 'missing'/);
  });

  it('list their sizes', async () => {
    const engine = await SegmentEngine.open(fixture.db, { segments: [vips, loyal, valuable] });
    expect((await engine.sizes()).map((s) => [s.name, s.count, s.lastSnapshot])).toEqual([
      ['loyal', 3, null],
      ['valuable', 1, null],
      ['vips', 2, null],
    ]);
  });

  it('reject breakdowns by columns that do not exist', async () => {
    const engine = await SegmentEngine.open(fixture.db, { segments: [vips] });
    await expect(engine.preview(vips, { breakdowns: ['nope'] })).rejects.toThrow(/'nope' is not a column/);
  });

  it('notice segment files saved, added or removed while they stay open (refresh)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'c360-engine-files-'));
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const file = join(dir, 'big.yaml');
      await writeFile(file, 'name: big\nrules:\n  - { column: total_orders, op: ">=", value: 4 }\n');
      const engine = await SegmentEngine.open(fixture.db, { segmentsDir: dir });
      const count = async (name: string) => (await engine.sizes()).find((s) => s.name === name)?.count;
      expect(await count('big')).toBe(3);

      // an editor saves the file (a size change or a new modification time)
      await writeFile(file, 'name: big\nrules:\n  - { column: total_orders, op: ">=", value: 1 }\n');
      await utimes(file, new Date(), new Date(Date.now() + 5_000));
      vi.setSystemTime(Date.now() + 2_000);
      await engine.refresh();
      expect(await count('big')).toBeGreaterThan(3);

      await writeFile(
        join(dir, 'vip.yaml'),
        'name: vip\nrules:\n  - { column: customer_value_tier, op: "=", value: vip }\n',
      );
      vi.setSystemTime(Date.now() + 2_000);
      await engine.refresh();
      expect(await count('vip')).toBe(2);

      await unlink(file);
      vi.setSystemTime(Date.now() + 2_000);
      await engine.refresh();
      expect((await engine.sizes()).map((s) => s.name)).toEqual(['vip']);
    } finally {
      vi.useRealTimers();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('warming the engine', () => {
  const baseTables = async () =>
    Number(
      (
        await fixture.db.queryJs(
          `select count(*)::integer as n from duckdb_tables() where temporary and table_name = 'c360_segment_base'`,
        )
      )[0]?.n,
    );

  it('builds the working tables before the first call, and an aborted warm-up builds nothing', async () => {
    await fixture.db.run('drop table if exists temp.c360_segment_base');
    const aborted = await SegmentEngine.open(fixture.db, { segments: [] });
    const stop = new AbortController();
    stop.abort();
    await aborted.warm(stop.signal);
    expect(await baseTables()).toBe(0);

    const engine = await SegmentEngine.open(fixture.db, { segments: [] });
    await engine.warm();
    expect(await baseTables()).toBe(1);
    // The calls after it use what it built.
    expect(await engine.sizes()).toEqual([]);
  });
});
