import type { Database } from '../db/duckdb.ts';
import type { Catalogue } from './catalogue.ts';
import { compileSegment, type CompiledSegment, type CompileContext, type SqlParams } from './compiler.ts';
import {
  locateProblem,
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

/** Problems that concern several segments: priorities, unknown exclusions, cycles. */
export function crossSegmentProblems(saved: readonly LoadedSegment[]): SegmentProblem[] {
  const byName = new Map(saved.map((s) => [s.definition.name, s]));
  const problems: SegmentProblem[] = priorityProblems(saved.map((s) => s.definition)).map((p) => {
    const loaded = byName.get(p.segment ?? '');
    return loaded ? locateProblem(loaded, p) : p;
  });
  for (const loaded of saved) {
    loaded.definition.exclude.forEach((name, i) => {
      if (!byName.has(name))
        problems.push(
          locateProblem(loaded, {
            segment: loaded.definition.name,
            path: `exclude.${i}`,
            message: `'${name}' is not a segment of this workspace; known: ${[...byName.keys()].join(', ') || 'none'}`,
          }),
        );
    });
  }
  for (const loaded of saved) {
    const cycle = findCycle(loaded.definition.name, byName);
    if (cycle)
      problems.push(
        locateProblem(loaded, {
          segment: loaded.definition.name,
          path: 'exclude',
          message: `exclusions go round in a circle: ${cycle.join(' → ')}`,
        }),
      );
  }
  return problems;
}

function dependencies(loaded: LoadedSegment, byName: ReadonlyMap<string, LoadedSegment>): string[] {
  const defs = [...byName.values()].map((s) => s.definition);
  return [...loaded.definition.exclude, ...higherPriorityThan(loaded.definition, defs)];
}

function findCycle(start: string, byName: ReadonlyMap<string, LoadedSegment>): string[] | undefined {
  const walk = (name: string, stack: string[]): string[] | undefined => {
    const loaded = byName.get(name);
    if (!loaded) return undefined;
    for (const next of dependencies(loaded, byName)) {
      if (next === start) return [...stack, name, next];
      if (stack.includes(next) || next === name) continue;
      const found = walk(next, [...stack, name]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, []);
}

export interface InlineOptions {
  params: SqlParams;
  holdoutBucketSql: string;
  /** How other segments are referred to; default: their eligibility SQL pasted in. */
  segmentRef?: (name: string) => string | undefined;
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
  const memo = new Map<string, string>();
  const stack: string[] = [target.definition.name];
  const ctx: CompileContext = {
    catalogue: set.catalogue,
    params: options.params,
    expertSql: set.expertSql,
    holdoutBucketSql: options.holdoutBucketSql,
    segmentRef: (name) => options.segmentRef?.(name) ?? inline(name),
    ...(options.enumTypes ? { enumTypes: options.enumTypes } : {}),
  };
  const inline = (name: string): string | undefined => {
    const cached = memo.get(name);
    if (cached) return cached;
    const loaded = set.saved.get(name);
    if (!loaded) return undefined;
    if (stack.includes(name))
      throw new SegmentDefinitionError([
        {
          segment: target.definition.name,
          path: 'exclude',
          message: `exclusions go round in a circle: ${[...stack, name].join(' → ')}`,
        },
      ]);
    stack.push(name);
    const savedDefs = [...set.saved.values()].map((s) => s.definition);
    const compiled = compileSegment(loaded, ctx, {
      higherPriority: higherPriorityThan(loaded.definition, savedDefs),
    });
    stack.pop();
    memo.set(name, compiled.eligibleSql);
    return compiled.eligibleSql;
  };
  return compileSegment(target, ctx, { higherPriority: higherPriorityThan(target.definition, definitions) });
}
