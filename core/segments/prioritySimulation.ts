import type { Database } from '../db/duckdb.ts';
import type { CompiledSegment } from './compiler.ts';
import type { LoadedSegment } from './definition.ts';
import { compileOnBase, queryCompiled } from './insightSql.ts';
import { priorityGroups } from './priority.ts';
import { BASE_TABLE } from './projection.ts';
import type { SegmentSet } from './segmentSet.ts';

/**
 * Before publishing: who each segment of the draft's priority group would claim, with the draft in place of
 * its saved version. A customer belongs to the first segment of the group (smallest priority) whose own
 * conditions hold (rules, marketability, consent, exclusions; priority.ts); the holdout is drawn after that,
 * so it is not part of the claim. One DuckDB query for the whole group.
 */

export interface PriorityClaim {
  segment: string;
  priority: number;
  /** The segment being edited (the draft replaces its saved version). */
  isDraft: boolean;
  /** Customers its own conditions select, ignoring the group. */
  wouldBe: number;
  /** Customers it keeps: no segment before it in the group wants them. */
  claimed: number;
  /** Customers it loses, per segment before it that claims them. */
  lostTo: { segment: string; count: number }[];
}

export interface PrioritySimulation {
  group: string;
  segments: PriorityClaim[];
  /** Customers some segment of the group claims. */
  claimedByGroup: number;
}

/** The eligibility of a compiled segment without its priority step: what it would take on its own. */
function ownSql(compiled: CompiledSegment): string {
  const steps = compiled.steps.filter((s) => s.kind !== 'priority' && s.kind !== 'holdout');
  return steps.length ? steps.map((s) => `(${s.sql})`).join(' and ') : 'true';
}

export async function simulatePriorityGroup(
  db: Database,
  set: SegmentSet,
  draft: LoadedSegment,
  savedName?: string,
): Promise<PrioritySimulation | null> {
  const def = draft.definition;
  if (!def.priority_group || def.priority === undefined) return null;
  const replaced = new Set([def.name, savedName ?? def.name]);
  const others = [...set.saved.values()].filter((s) => !replaced.has(s.definition.name));
  const [group] = priorityGroups([...others.map((s) => s.definition), def]).filter(
    (g) => g.name === def.priority_group,
  );
  if (!group) return null;
  const byName = new Map(others.map((s) => [s.definition.name, s]));
  const members = group.segments.map((s) => (s.name === def.name ? draft : byName.get(s.name)!));
  const on = await compileOnBase(db, set, members);
  const own = on.compiled.map(ownSql);
  // first = index of the first segment of the group that wants the customer (null: none).
  const first = `case ${own.map((sql, i) => `when (${sql}) is true then ${i}`).join(' ')} end`;
  const select = [
    `count(first) as claimed_by_group`,
    ...own.flatMap((sql, i) => [
      `count(*) filter (where (${sql}) is true) as would_${i}`,
      `count(*) filter (where first = ${i}) as claimed_${i}`,
      ...own
        .slice(0, i)
        .map((_, j) => `count(*) filter (where (${sql}) is true and first = ${j}) as lost_${i}_${j}`),
    ]),
  ];
  // The own conditions are evaluated twice (for `first` and for `would`): DuckDB shares the placeholders.
  const sql = `with t as (select *, ${first} as first from temp.${BASE_TABLE}) select ${select.join(', ')} from t`;
  const [row] = await queryCompiled(db, on, sql);
  const n = (key: string) => Number(row?.[key] ?? 0);
  return {
    group: group.name,
    claimedByGroup: n('claimed_by_group'),
    segments: group.segments.map((s, i) => ({
      segment: s.name,
      priority: s.priority,
      isDraft: s.name === def.name,
      wouldBe: n(`would_${i}`),
      claimed: n(`claimed_${i}`),
      lostTo: group.segments
        .slice(0, i)
        .map((higher, j) => ({ segment: higher.name, count: n(`lost_${i}_${j}`) })),
    })),
  };
}
