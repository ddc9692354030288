import { basename } from 'node:path';
import type { Database } from '../db/duckdb.ts';
import type { Catalogue } from './catalogue.ts';
import {
  compileSegment,
  type CompiledSegment,
  type CompileContext,
  type SegmentScope,
  type SqlParams,
} from './compiler.ts';
import {
  locateProblem,
  segmentRefs,
  SegmentDefinitionError,
  type LoadedSegment,
  type Rule,
  type SegmentProblem,
} from './definition.ts';
import { ExpertSqlError, validateExpertSql, type ValidatedSql } from './expertSql.ts';
import { higherPriorityThan, priorityProblems } from './priority.ts';
import type { WorkingTables } from './workingTables.ts';

/**
 * The workspace's saved segments, compiled together: exclusions and priority groups refer to other segments,
 * whose SQL is pasted in (inline) or read from a membership column of the projection.
 */
export interface SegmentSet {
  catalogue: Catalogue;
  saved: ReadonlyMap<string, LoadedSegment>;
  expertSql: Map<string, ValidatedSql>;
  /** Identity of the data the set was prepared on (projection.ts dataKey), when the caller checked it. */
  dataKey?: string;
  /** The engine's working tables on its connection (workingTables.ts), shared by the sets it prepares. */
  working?: WorkingTables;
}

function sqlRulesWithPaths(rule: Rule, path: string): { sql: string; path: string }[] {
  if ('sql' in rule) return [{ sql: rule.sql, path: `${path}.sql` }];
  if ('all' in rule) return rule.all.flatMap((r, i) => sqlRulesWithPaths(r, `${path}.all.${i}`));
  if ('any' in rule) return rule.any.flatMap((r, i) => sqlRulesWithPaths(r, `${path}.any.${i}`));
  return [];
}

/** Checks the expert rules of the given segments (results are cached in `into`); returns their problems. */
export async function checkExpertRules(
  db: Database,
  catalogue: Catalogue,
  segments: readonly LoadedSegment[],
  into: Map<string, ValidatedSql>,
): Promise<SegmentProblem[]> {
  const problems: SegmentProblem[] = [];
  for (const loaded of segments) {
    for (const { sql, path } of sqlRulesWithPaths(loaded.definition.rules, 'rules')) {
      if (into.has(sql)) continue;
      try {
        into.set(sql, await validateExpertSql(db, sql, catalogue));
      } catch (error) {
        if (!(error instanceof ExpertSqlError)) throw error;
        problems.push(
          locateProblem(loaded, { segment: loaded.definition.name, path, message: error.message }),
        );
      }
    }
  }
  return problems;
}

export async function prepareSegmentSet(
  db: Database,
  catalogue: Catalogue,
  saved: readonly LoadedSegment[],
): Promise<SegmentSet> {
  const expertSql = new Map<string, ValidatedSql>();
  const problems = await checkExpertRules(db, catalogue, saved, expertSql);
  if (problems.length) throw new SegmentDefinitionError(problems);
  return { catalogue, saved: new Map(saved.map((s) => [s.definition.name, s])), expertSql };
}

/** Problems that concern several segments: priorities, unknown exclusions and "in segment" rules, cycles. */
export function crossSegmentProblems(saved: readonly LoadedSegment[]): SegmentProblem[] {
  const byName = new Map(saved.map((s) => [s.definition.name, s]));
  const problems: SegmentProblem[] = priorityProblems(saved.map((s) => s.definition)).map((p) => {
    const loaded = byName.get(p.segment ?? '');
    return loaded ? locateProblem(loaded, p) : p;
  });
  const known = () => [...byName.keys()].sort().join(', ') || 'none';
  for (const loaded of saved) {
    const segment = loaded.definition.name;
    loaded.definition.exclude.forEach((name, i) => {
      if (!byName.has(name))
        problems.push(
          locateProblem(loaded, {
            segment,
            path: `exclude.${i}`,
            message: `'${name}' is not a segment of this workspace; known: ${known()}`,
          }),
        );
    });
    for (const { rule, path } of segmentRefs(loaded.definition.rules))
      if (!byName.has(rule.segment) && rule.segment !== segment)
        problems.push(
          locateProblem(loaded, {
            segment,
            path: `${path}.segment`,
            message: `'${rule.segment}' is not a saved segment of this workspace; known: ${known()}`,
          }),
        );
  }
  for (const loaded of saved) {
    const problem = cycleProblem(loaded, byName);
    if (problem) problems.push(locateProblem(loaded, problem));
  }
  problems.push(...listNameProblems(saved));
  return problems;
}

/** The Klaviyo list a segment feeds, before the workspace's list prefix (the same for every segment). */
export function klaviyoListOf(
  definition: Pick<LoadedSegment['definition'], 'name' | 'klaviyo_list'>,
): string {
  return definition.klaviyo_list ?? definition.name;
}

/**
 * Before a save: the saved segment (another name, in another file) whose Klaviyo list `target` would feed too,
 * as a problem at the target's list line; undefined when the list is its own. A rename in the same file is no
 * clash: the file then holds only the new name.
 */
export function listNameClash(
  target: LoadedSegment,
  saved: Iterable<LoadedSegment>,
): SegmentProblem | undefined {
  const list = klaviyoListOf(target.definition);
  const file = target.file ? basename(target.file) : undefined;
  for (const other of saved) {
    const { name } = other.definition;
    if (name === target.definition.name || (file && other.file && basename(other.file) === file)) continue;
    if (klaviyoListOf(other.definition) !== list) continue;
    return locateProblem(target, {
      segment: target.definition.name,
      path: target.definition.klaviyo_list === undefined ? 'name' : 'klaviyo_list',
      message:
        `the Klaviyo list '${list}' is fed by ${name}${other.file ? ` (${basename(other.file)})` : ''} already: ` +
        `each list sync would replace the other's members. Give this segment its own list, e.g. klaviyo_list: ${target.definition.name}`,
    });
  }
  return undefined;
}

/**
 * Two segments that feed one Klaviyo list (a template copied with its `klaviyo_list`, a name that equals
 * another's list): each list sync would replace the members the other wrote, so the list flips at every
 * publish. Both are problems, at their `klaviyo_list` line (or their name when the list is named after it).
 */
function listNameProblems(saved: readonly LoadedSegment[]): SegmentProblem[] {
  const byList = new Map<string, LoadedSegment[]>();
  for (const loaded of saved) {
    const list = klaviyoListOf(loaded.definition);
    byList.set(list, [...(byList.get(list) ?? []), loaded]);
  }
  const problems: SegmentProblem[] = [];
  for (const [list, sharing] of byList) {
    if (sharing.length < 2) continue;
    for (const loaded of sharing) {
      const { name } = loaded.definition;
      const others = sharing
        .filter((o) => o !== loaded)
        .map((o) => `${o.definition.name}${o.file ? ` (${basename(o.file)})` : ''}`);
      problems.push(
        locateProblem(loaded, {
          segment: name,
          path: loaded.definition.klaviyo_list === undefined ? 'name' : 'klaviyo_list',
          message:
            `${name} feeds the Klaviyo list '${list}' like ${others.join(', ')}: each list sync would replace ` +
            `the other's members. Give each segment its own list: ` +
            (loaded.definition.klaviyo_list === undefined
              ? `change the klaviyo_list of ${sharing
                  .filter((o) => o !== loaded)
                  .map((o) => o.definition.name)
                  .join(', ')}`
              : `e.g. klaviyo_list: ${name} here`),
        }),
      );
    }
  }
  return problems;
}

/** Another segment a segment is computed from, and the YAML path that names it. */
interface Dependency {
  name: string;
  path: string;
}

function dependencies(loaded: LoadedSegment, byName: ReadonlyMap<string, LoadedSegment>): Dependency[] {
  const defs = [...byName.values()].map((s) => s.definition);
  return [
    ...loaded.definition.exclude.map((name, i) => ({ name, path: `exclude.${i}` })),
    ...segmentRefs(loaded.definition.rules).map(({ rule, path }) => ({
      name: rule.segment,
      path: `${path}.segment`,
    })),
    ...higherPriorityThan(loaded.definition, defs).map((name) => ({ name, path: 'priority' })),
  ];
}

/**
 * A way from `start` back to itself through exclusions, "in segment" rules and priorities (`a → b → a`), with
 * the path of `start`'s first step on it; undefined when there is none.
 */
function findCycle(
  start: string,
  byName: ReadonlyMap<string, LoadedSegment>,
): { names: string[]; path: string } | undefined {
  const visited = new Set<string>();
  const walk = (name: string, stack: string[]): string[] | undefined => {
    const loaded = byName.get(name);
    if (!loaded || visited.has(name)) return undefined;
    visited.add(name);
    for (const next of dependencies(loaded, byName)) {
      if (next.name === start) return [...stack, name, next.name];
      if (stack.includes(next.name) || next.name === name) continue;
      const found = walk(next.name, [...stack, name]);
      if (found) return found;
    }
    return undefined;
  };
  const first = byName.get(start);
  if (!first) return undefined;
  for (const next of dependencies(first, byName)) {
    if (next.name === start) continue; // a segment naming itself is a problem of its own (definition.ts)
    visited.clear();
    const found = walk(next.name, [start]);
    if (found) return { names: found, path: next.path };
  }
  return undefined;
}

function cycleProblem(
  loaded: LoadedSegment,
  byName: ReadonlyMap<string, LoadedSegment>,
): SegmentProblem | undefined {
  const cycle = findCycle(loaded.definition.name, byName);
  if (!cycle) return undefined;
  return {
    segment: loaded.definition.name,
    path: cycle.path,
    message: `segments are built on each other in a circle: ${cycle.names.join(' → ')} (through exclude, "in segment" rules or priorities); remove one of the references`,
  };
}

/**
 * The saved segments in an order where every segment comes after the segments it reads (exclusions, "in
 * segment" rules, priorities); segments in a cycle (a problem of its own) keep their place at the end.
 */
export function dependencyOrder(saved: readonly LoadedSegment[]): LoadedSegment[] {
  const byName = new Map(saved.map((s) => [s.definition.name, s]));
  const ordered: LoadedSegment[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (loaded: LoadedSegment) => {
    const name = loaded.definition.name;
    if (state.has(name)) return;
    state.set(name, 'visiting');
    for (const dep of dependencies(loaded, byName)) {
      const other = byName.get(dep.name);
      if (other && !state.has(dep.name)) visit(other);
    }
    state.set(name, 'done');
    ordered.push(loaded);
  };
  for (const loaded of saved) visit(loaded);
  return ordered;
}

export interface InlineOptions {
  params: SqlParams;
  holdoutBucketSql: string;
  /** How other segments are referred to; default: their SQL pasted in. */
  segmentRef?: CompileContext['segmentRef'];
  enumTypes?: CompileContext['enumTypes'];
}

/**
 * Compiles a segment (saved or an unsaved edit) against the saved ones. Other segments are compiled inline
 * unless `segmentRef` says otherwise; priorities are those of the saved set with this definition in it.
 */
export function compileInSet(
  set: SegmentSet,
  target: LoadedSegment,
  options: InlineOptions,
): CompiledSegment {
  const definitions = [
    ...[...set.saved.values()].map((s) => s.definition).filter((d) => d.name !== target.definition.name),
    target.definition,
  ];
  // The edit replaces its saved version: a draft that reads a segment reading it is a cycle now, although
  // the saved set (where the other segment's reference ends at the saved version) has none.
  const withTarget = new Map(set.saved);
  withTarget.set(target.definition.name, target);
  const cycle = cycleProblem(target, withTarget);
  if (cycle) throw new SegmentDefinitionError([locateProblem(target, cycle)]);
  const memo = new Map<string, string>();
  const stack: string[] = [target.definition.name];
  const ctx: CompileContext = {
    catalogue: set.catalogue,
    params: options.params,
    expertSql: set.expertSql,
    holdoutBucketSql: options.holdoutBucketSql,
    segmentRef: (name, scope) => options.segmentRef?.(name, scope) ?? inline(name, scope ?? 'eligible'),
    saved: set.saved,
    ...(options.enumTypes ? { enumTypes: options.enumTypes } : {}),
  };
  const inline = (name: string, scope: SegmentScope): string | undefined => {
    const cached = memo.get(`${scope}:${name}`);
    if (cached) return cached;
    const loaded = set.saved.get(name);
    if (!loaded) return undefined;
    if (stack.includes(name))
      throw new SegmentDefinitionError([
        {
          segment: target.definition.name,
          path: 'rules',
          message: `segments are built on each other in a circle: ${[...stack, name].join(' → ')}`,
        },
      ]);
    stack.push(name);
    const savedDefs = [...set.saved.values()].map((s) => s.definition);
    const compiled = compileSegment(loaded, ctx, {
      higherPriority: higherPriorityThan(loaded.definition, savedDefs),
    });
    stack.pop();
    // Eligible: before the holdout (exclusions keep a control group unmessaged); list: as the list holds them.
    const holdout = compiled.steps.find((s) => s.kind === 'holdout');
    memo.set(`eligible:${name}`, compiled.eligibleSql);
    memo.set(`list:${name}`, holdout ? `(${compiled.eligibleSql}) and ${holdout.sql}` : compiled.eligibleSql);
    return memo.get(`${scope}:${name}`);
  };
  return compileSegment(target, ctx, { higherPriority: higherPriorityThan(target.definition, definitions) });
}
