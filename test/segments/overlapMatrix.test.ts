import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSegmentDefinition, SegmentEngine, type LoadedSegment } from '../../core/segments/index.ts';
import { MAX_MATRIX_SEGMENTS, overlapMatrix } from '../../core/segments/overlapMatrix.ts';
import { openFixture, type Fixture } from './fixtureShop.ts';

/**
 * The overlap matrix on the hand-made shop (fixtureShop.ts): every pair's count is also computed by plain SQL
 * over dim_customers, written independently of the compiler; hand-checked members are in comments.
 */
let fixture: Fixture;
let engine: SegmentEngine;

const segment = (input: Record<string, unknown>): LoadedSegment => parseSegmentDefinition(input);
const SAVED: Record<string, string> = {
  valuable: 'lifetime_revenue >= 250', // c02, c04, c06, c10
  loyal: 'total_orders >= 4', // c04, c06, c10
  recent: 'days_since_last_order < 80', // c01, c02, c03, c08
};
const rulesOf = (where: string) => {
  const [column, op, value] = where.split(' ');
  return [{ column, op, value: Number(value) }];
};
// the unsaved edit of `valuable`: 100 … 1000 revenue → c02, c04, c06, c08
const draft = segment({
  name: 'valuable',
  rules: [{ column: 'lifetime_revenue', op: 'between', value: [100, 1000] }],
});
const DRAFT_SQL = 'lifetime_revenue between 100 and 1000';

beforeAll(async () => {
  fixture = await openFixture();
  engine = await SegmentEngine.open(fixture.db, {
    segments: Object.entries(SAVED).map(([name, where]) => segment({ name, rules: rulesOf(where) })),
  });
});
afterAll(async () => fixture.close());

async function count(where: string): Promise<number> {
  const [row] = await fixture.db.queryJs(
    `select count(*) as n from dim_customers where is_marketable and (${where})`,
  );
  return Number(row!.n);
}

const matrixOf = (target: LoadedSegment, savedName?: string) =>
  engine.inspect(target, 'overlap matrix', {}, (db, set) => overlapMatrix(db, set, target, savedName));

describe('overlap matrix', () => {
  it('counts every pair of the draft and the saved segments, with Jaccard, the draft in place of its saved version', async () => {
    const m = await matrixOf(draft);
    const sqlOf = (name: string) => (name === 'valuable' ? DRAFT_SQL : SAVED[name]!);
    // the saved `valuable` is replaced by the draft; the others by how much they share with it
    expect(m.segments.map((s) => [s.name, s.isDraft])).toEqual([
      ['valuable', true],
      ['loyal', false], // shares c04, c06
      ['recent', false], // shares c02, c08
    ]);
    for (const s of m.segments) expect(s.size).toBe(await count(sqlOf(s.name)));
    expect(m.pairs).toHaveLength(3);
    for (const p of m.pairs) {
      const [a, b] = [m.segments[p.a]!.name, m.segments[p.b]!.name];
      const both = await count(`(${sqlOf(a)}) and (${sqlOf(b)})`);
      const either = await count(`(${sqlOf(a)}) or (${sqlOf(b)})`);
      expect(p).toMatchObject({ overlap: both, jaccard: both / either });
    }
    // loyal and recent share no one
    expect(m.pairs.find((p) => p.a === 1 && p.b === 2)).toMatchObject({ overlap: 0, jaccard: 0 });
    expect(m.omitted).toBe(0);
    // patterns, not customers: at most one row per distinct membership
    expect(m.patterns).toBeLessThanOrEqual(await count('true'));
  });

  it('a renamed draft replaces the saved segment it edits, not a segment of its new name only', async () => {
    const renamed = segment({ ...draft.definition, name: 'valuable_v2' });
    const m = await matrixOf(renamed, 'valuable');
    expect(m.segments.map((s) => s.name)).toEqual(['valuable_v2', 'loyal', 'recent']);
  });

  it(`keeps at most ${MAX_MATRIX_SEGMENTS} segments, those sharing most with the draft, and says how many it left out`, async () => {
    const many = Array.from({ length: MAX_MATRIX_SEGMENTS + 2 }, (_, i) =>
      segment({
        name: `s${String(i).padStart(2, '0')}`,
        rules: [{ column: 'total_orders', op: '>=', value: i % 8 }],
      }),
    );
    const wide = await SegmentEngine.open(fixture.db, { segments: many });
    try {
      const m = await wide.inspect(draft, 'overlap matrix', {}, (db, set) => overlapMatrix(db, set, draft));
      expect(m.segments).toHaveLength(MAX_MATRIX_SEGMENTS);
      expect(m.omitted).toBe(many.length + 1 - MAX_MATRIX_SEGMENTS);
      const withDraft = m.pairs.filter((p) => p.a === 0).map((p) => p.overlap);
      expect(withDraft).toEqual([...withDraft].sort((x, y) => y - x));
      expect(m.pairs).toHaveLength((MAX_MATRIX_SEGMENTS * (MAX_MATRIX_SEGMENTS - 1)) / 2);
    } finally {
      await wide.release();
    }
  });
});
