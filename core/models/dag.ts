import { findRawTable, rawTablesOf } from '../sources/rawTables.ts';
import { ProjectError, type Project, type ProjectNode } from './project.ts';

export interface ModelGraph {
  /** Every node in a dependency order (upstream first, ties by name). */
  order: string[];
  upstream: Map<string, string[]>;
  downstream: Map<string, string[]>;
}

export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(3, name.length / 3) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function location(node: ProjectNode, line: number): string {
  return line > 0 ? `${node.file}:${line}` : node.file;
}

/** Resolves refs into a DAG; unknown refs, unknown sources and cycles are reported with file and line. */
export function buildGraph(project: Project): ModelGraph {
  const problems: string[] = [];
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  for (const name of project.nodes.keys()) downstream.set(name, []);
  const rawTables = rawTablesOf(project.sources);

  for (const node of project.nodes.values()) {
    const deps = new Set<string>();
    for (const ref of node.refs) {
      const target = ref.args[0];
      if (ref.args.length !== 1 || !target) {
        problems.push(`${location(node, ref.line)}: ref() takes exactly one model name in quotes`);
        continue;
      }
      if (!project.nodes.has(target)) {
        const hint = closest(target, project.nodes.keys());
        problems.push(
          `${location(node, ref.line)}: ref('${target}') points to no model or seed` +
            (hint ? ` — did you mean '${hint}'?` : ''),
        );
        continue;
      }
      if (target === node.name) {
        problems.push(`${location(node, ref.line)}: '${node.name}' refers to itself`);
        continue;
      }
      deps.add(target);
    }
    for (const source of node.sources) {
      const [sourceName, table] = source.args;
      if (source.args.length !== 2 || !sourceName || !table) {
        problems.push(`${location(node, source.line)}: source() takes a source and a table name in quotes`);
      } else if (!findRawTable(sourceName, table, rawTables)) {
        const known = rawTables.map((t) => `${t.source}.${t.table}`);
        const hint = closest(`${sourceName}.${table}`, known);
        problems.push(
          `${location(node, source.line)}: source('${sourceName}', '${table}') is not a known raw table` +
            (hint ? ` — did you mean '${hint}'?` : ''),
        );
      }
    }
    const sorted = [...deps].sort();
    upstream.set(node.name, sorted);
    for (const dep of sorted) downstream.get(dep)?.push(node.name);
  }
  if (problems.length) throw new ProjectError('The model project has broken references:', problems);

  // Kahn's algorithm with a sorted frontier so the order is stable from run to run.
  const remaining = new Map([...upstream].map(([name, deps]) => [name, deps.length]));
  const ready = [...remaining]
    .filter(([, n]) => n === 0)
    .map(([name]) => name)
    .sort();
  const order: string[] = [];
  while (ready.length) {
    const name = ready.shift()!;
    order.push(name);
    for (const child of downstream.get(name) ?? []) {
      const left = remaining.get(child)! - 1;
      remaining.set(child, left);
      if (left === 0) {
        ready.push(child);
        ready.sort();
      }
    }
  }
  if (order.length < project.nodes.size) {
    const cycle = findCycle(upstream, new Set(order));
    const files = cycle.map((name) => `${name} (${project.nodes.get(name)?.file})`);
    throw new ProjectError('The models depend on each other in a cycle:', [files.join(' → ')]);
  }
  return { order, upstream, downstream };
}

function findCycle(upstream: Map<string, string[]>, done: Set<string>): string[] {
  const start = [...upstream.keys()].filter((name) => !done.has(name)).sort()[0]!;
  const path: string[] = [];
  const seen = new Map<string, number>();
  let current = start;
  while (!seen.has(current)) {
    seen.set(current, path.length);
    path.push(current);
    current = (upstream.get(current) ?? []).find((dep) => !done.has(dep))!;
  }
  return [...path.slice(seen.get(current)), current];
}

/**
 * dbt-style selection: `name` (just it), `name+` (it and everything downstream), `+name` (it and everything
 * upstream), `+name+` (both). Several selectors are a union. No selector selects everything.
 */
export function selectNodes(
  graph: ModelGraph,
  selectors: string[],
  knownNames: Iterable<string>,
): Set<string> {
  if (selectors.length === 0) return new Set(graph.order);
  const known = new Set(knownNames);
  const selected = new Set<string>();
  const walk = (start: string, edges: Map<string, string[]>): void => {
    const stack = [start];
    while (stack.length) {
      const name = stack.pop()!;
      for (const next of edges.get(name) ?? []) {
        if (!selected.has(next)) {
          selected.add(next);
          stack.push(next);
        }
      }
    }
  };
  for (const selector of selectors) {
    const withUpstream = selector.startsWith('+');
    const withDownstream = selector.endsWith('+');
    const name = selector.replace(/^\+/, '').replace(/\+$/, '');
    if (!known.has(name)) {
      const hint = closest(name, known);
      throw new ProjectError(
        'Unknown model in --select:',
        [`'${name}' is not a model or seed${hint ? ` — did you mean '${hint}'?` : ''}`],
        'INVALID_INPUT',
      );
    }
    selected.add(name);
    if (withUpstream) walk(name, graph.upstream);
    if (withDownstream) walk(name, graph.downstream);
  }
  return selected;
}
