import type { SegmentDefinition, SegmentProblem } from './definition.ts';

/**
 * Priority lists: segments that share a `priority_group` are exclusive. A customer who qualifies for several
 * stays only in the one with the smallest `priority` (1 = first), e.g. VIP before winback before upsell.
 * Segments without a group are unaffected.
 */

export interface PriorityGroup {
  name: string;
  /** Members in order: the first claims its customers first. */
  segments: { name: string; priority: number }[];
}

export function priorityGroups(definitions: readonly SegmentDefinition[]): PriorityGroup[] {
  const groups = new Map<string, { name: string; priority: number }[]>();
  for (const d of definitions) {
    if (!d.priority_group || d.priority === undefined) continue;
    const list = groups.get(d.priority_group) ?? [];
    list.push({ name: d.name, priority: d.priority });
    groups.set(d.priority_group, list);
  }
  return [...groups.entries()]
    .map(([name, segments]) => ({
      name,
      segments: segments.sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The segments of the same group that claim customers before this one. */
export function higherPriorityThan(
  definition: SegmentDefinition,
  definitions: readonly SegmentDefinition[],
): string[] {
  if (!definition.priority_group || definition.priority === undefined) return [];
  const group = priorityGroups([...definitions.filter((d) => d.name !== definition.name), definition]).find(
    (g) => g.name === definition.priority_group,
  );
  if (!group) return [];
  const index = group.segments.findIndex((s) => s.name === definition.name);
  return group.segments.slice(0, index).map((s) => s.name);
}

/** Two segments of a group with the same priority would make the outcome depend on their names. */
export function priorityProblems(definitions: readonly SegmentDefinition[]): SegmentProblem[] {
  const problems: SegmentProblem[] = [];
  for (const group of priorityGroups(definitions)) {
    for (let i = 1; i < group.segments.length; i++) {
      const a = group.segments[i - 1]!;
      const b = group.segments[i]!;
      if (a.priority === b.priority)
        problems.push({
          segment: b.name,
          path: 'priority',
          message: `priority ${b.priority} is also used by ${a.name} in priority group '${group.name}'; give each segment its own priority`,
        });
    }
  }
  return problems;
}
