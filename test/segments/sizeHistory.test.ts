import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/duckdb.ts';
import type { Vars } from '../../core/models/index.ts';
import { readSizeHistory } from '../../core/segments/sizeHistory.ts';
import {
  hasC360Table,
  migrateWorkspaceSchema,
  WORKSPACE_SCHEMA_VERSION,
} from '../../core/workspace/schema.ts';
import { createSegmentProject, type SegmentProject } from './segmentProject.ts';

/**
 * 200 customers c1…c200: customer i last ordered i days ago and is marketable unless i is a multiple of 4.
 * Segment `winback` takes is_winback_candidate (days ≥ winback_early_days) with a 20 % holdout; segment
 * `recent` takes days < 30. The expected counts are computed here from that description, not read back.
 */
const CUSTOMERS = 200;
const isMarketable = (i: number) => i % 4 !== 0;
const ids = Array.from({ length: CUSTOMERS }, (_, k) => k + 1);

const DIM_CUSTOMERS = `select
    'c' || i as customer_id,
    'c' || i || '@example.com' as email,
    i % 4 <> 0 as is_marketable,
    i as days_since_last_order,
    i >= {{ var('winback_early_days') }} as is_winback_candidate
from range(1, ${CUSTOMERS + 1}) t(i)`;

const SEGMENTS: Record<string, string> = {
  'winback.yaml': `name: winback
rules:
  - column: is_winback_candidate
    op: '='
    value: true
holdout_percent: 20
`,
  'recent.yaml': `name: recent
rules:
  - column: days_since_last_order
    op: '<'
    value: 30
`,
};

let fixture: SegmentProject;
let db: Database;

beforeEach(async () => {
  fixture = await createSegmentProject({
    prefix: 'c360-size-history-',
    dimCustomers: DIM_CUSTOMERS,
    segments: SEGMENTS,
  });
  ({ db } = fixture);
});

afterEach(() => fixture.close());

const build = (vars: Vars = {}) => fixture.build(vars);

async function count(sql: string): Promise<number> {
  const [row] = await db.queryJs(sql);
  return Number(row?.n);
}

describe('segment size history', () => {
  it('records every saved segment at a build that publishes: members as seg_<name> holds them, holdout, rules alone', async () => {
    const result = await build();
    expect(result.published).toBe(true);
    const history = await readSizeHistory(db);
    expect([...history.keys()].sort()).toEqual(['recent', 'winback']);

    const [winback] = history.get('winback')!;
    const eligible = ids.filter((i) => i >= 60 && isMarketable(i)).length;
    expect(winback!.members).toBe(await count('select count(*) as n from seg_winback'));
    expect(winback!.members + winback!.holdout).toBe(eligible);
    // a 20 % holdout of 105 eligible customers holds some out and keeps most
    expect(winback!.holdout).toBeGreaterThan(0);
    expect(winback!.holdout).toBeLessThan(eligible / 2);
    // the rules alone: every buyer 60+ days ago, marketable or not
    expect(winback!.matched).toBe(ids.filter((i) => i >= 60).length);
    expect(winback!.buildRunId).toBe(result.runId);
    expect(winback!.asOf).toBe('2026-06-30');

    const [recent] = history.get('recent')!;
    expect(recent).toMatchObject({
      members: ids.filter((i) => i < 30 && isMarketable(i)).length,
      holdout: 0,
      matched: 29,
    });
  });

  it('adds one point per build, oldest first, and keeps the last N per segment', async () => {
    const thresholds = [60, 90, 150];
    const runs: string[] = [];
    for (const [day, threshold] of thresholds.entries())
      runs.push((await build({ winback_early_days: threshold, as_of: `2026-07-0${day + 1}` })).runId);
    const all = (await readSizeHistory(db)).get('winback')!;
    expect(all.map((p) => p.buildRunId)).toEqual(runs);
    expect(all.map((p) => p.asOf)).toEqual(['2026-07-01', '2026-07-02', '2026-07-03']);
    expect(all.map((p) => p.members + p.holdout)).toEqual(
      thresholds.map((t) => ids.filter((i) => i >= t && isMarketable(i)).length),
    );
    const lastTwo = (await readSizeHistory(db, { limit: 2, segments: ['winback'] })).get('winback')!;
    expect(lastTwo.map((p) => p.buildRunId)).toEqual(runs.slice(1));
    expect((await readSizeHistory(db, { segments: ['recent'] })).has('winback')).toBe(false);
  });

  it('records nothing for a build that does not publish', async () => {
    await build();
    await writeFile(
      fixture.dimCustomersFile,
      DIM_CUSTOMERS.replace('from range', 'from no_such_table, range'),
    );
    const failed = await build();
    expect(failed.published).toBe(false);
    const points = (await readSizeHistory(db)).get('winback')!;
    expect(points).toHaveLength(1);
    expect(points[0]!.buildRunId).not.toBe(failed.runId);
  });

  it('reads an empty history from a workspace without the table, and creates nothing', async () => {
    expect((await readSizeHistory(db)).size).toBe(0);
    expect(await hasC360Table(db, 'segment_sizes')).toBe(false);
  });
});

describe('schema migration of the size history', () => {
  it('adds segment_sizes to a workspace of an older version', async () => {
    await migrateWorkspaceSchema(db);
    await db.run('drop table c360.segment_sizes');
    // Version 4 adds the table (core/workspace/schema.ts); later migrations must not hide that it is missing.
    await db.run('delete from c360.schema_version where version = 4');
    expect(await migrateWorkspaceSchema(db)).toMatchObject({ to: WORKSPACE_SCHEMA_VERSION });
    expect(await hasC360Table(db, 'segment_sizes')).toBe(true);
  });

  it('runs a migration that is missing below the highest version applied (numbers merged out of order)', async () => {
    await migrateWorkspaceSchema(db);
    await db.run('delete from c360.schema_version where version = 2');
    expect(await migrateWorkspaceSchema(db)).toEqual({
      from: WORKSPACE_SCHEMA_VERSION,
      to: WORKSPACE_SCHEMA_VERSION,
    });
    const versions = await db.queryJs('select version::integer as v from c360.schema_version order by 1');
    expect(versions.map((r) => Number(r.v))).toContain(2);
  });
});
