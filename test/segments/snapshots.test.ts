import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listSnapshots,
  parseSegmentDefinition,
  recordSnapshot,
  SegmentEngine,
  type LoadedSegment,
} from '../../core/segments/index.ts';
import { FIXTURE_SQL, openFixture, type Fixture } from './fixtureShop.ts';

let fixture: Fixture;
let engine: SegmentEngine;
const saved: LoadedSegment = parseSegmentDefinition({
  name: 'winback',
  rules: [{ column: 'days_since_last_order', op: '>=', value: 60 }],
});
const edited = parseSegmentDefinition({
  name: 'winback',
  rules: [{ column: 'days_since_last_order', op: '>=', value: 80 }],
});

beforeAll(async () => {
  fixture = await openFixture();
  engine = await SegmentEngine.open(fixture.db, { segments: [saved] });
});
afterAll(async () => fixture.close());

describe('membership snapshots', () => {
  it('start with everyone entering and nothing to compare against before', async () => {
    expect((await engine.preview(saved, { changes: true })).changes).toBeNull();
    const snapshot = await engine.snapshot('winback', { note: 'first publish' });
    // marketable customers with days ≥ 60: c03 (75), c04 (100), c06 (300), c08 (60), c10 (211)
    expect(snapshot).toMatchObject({
      segment: 'winback',
      memberCount: 5,
      enteredCount: 5,
      leftCount: 0,
      note: 'first publish',
    });
    expect(snapshot.asOf).toBe('2026-06-30');
  });

  it('show who would leave when the definition changes, and why', async () => {
    const preview = await engine.preview(edited, { changes: true });
    expect(preview.changes).toMatchObject({ entered: 0, left: 2, stayed: 3, definitionChanged: true });
    expect(preview.changes?.leftSample).toEqual(['c03', 'c08']);
    const why = await engine.explain(edited, 'C03@example.com ');
    expect(why.customerId).toBe('c03');
    expect(why.member).toBe(false);
    expect(why.failedStep?.label).toBe('days_since_last_order ≥ 80');
    expect(why.sinceLastSnapshot).toMatchObject({ change: 'left', cause: 'definition', wasMember: true });
    expect(why.rules.children[0]).toMatchObject({ holds: false, values: { days_since_last_order: '75' } });
  });

  it('tell changed data from a changed definition after a build', async () => {
    // c01 has not ordered for a while now, c04 ordered again.
    await fixture.db.run(
      FIXTURE_SQL.replace(
        "'c01', 'c01@example.com', true,  1, 40.0,   10,",
        "'c01', 'c01@example.com', true,  1, 40.0,   95,",
      ).replace(
        "'c04', 'c04@example.com', true,  5, 900.0,  100,",
        "'c04', 'c04@example.com', true,  5, 900.0,  20, ",
      ),
    );
    await engine.reload(); // what the app does after a build in its process
    const preview = await engine.preview(saved, { changes: true });
    expect(preview.changes).toMatchObject({ entered: 1, left: 1, definitionChanged: false });
    expect(preview.changes?.enteredSample).toEqual(['c01']);
    expect(preview.changes?.leftSample).toEqual(['c04']);
    const entered = await engine.explain(saved, 'c01');
    expect(entered.sinceLastSnapshot).toMatchObject({ change: 'entered', cause: 'data' });
    const left = await engine.explain(saved, 'c04');
    expect(left.sinceLastSnapshot).toMatchObject({ change: 'left', cause: 'data' });
    expect(left.sinceLastSnapshot?.reason).toMatch(
      /published definition now fails at days_since_last_order ≥ 60/,
    );
    const stayed = await engine.explain(saved, 'c06');
    expect(stayed.sinceLastSnapshot).toMatchObject({ change: 'stayed_in', cause: 'none' });
  });

  it('keep a history of who entered and left at each publish', async () => {
    await recordSnapshot(fixture.db, engine.set, saved, { takenAt: new Date(Date.now() + 60_000) });
    const history = await listSnapshots(fixture.db, 'winback');
    expect(history.map((h) => [h.memberCount, h.enteredCount, h.leftCount])).toEqual([
      [5, 1, 1],
      [5, 5, 0],
    ]);
    const [size] = await engine.sizes();
    expect(size).toMatchObject({ name: 'winback', count: 5, delta: 0 });
  });

  it('explain the customer by id or email and say when there is none', async () => {
    await expect(engine.explain(saved, 'nobody@example.com')).rejects.toThrow(/No customer with id or email/);
  });
});
