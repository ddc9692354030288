import { summarizeError } from '../../api/errors.ts';

/**
 * The problems of a definition the service rejected. They travel as data (core/segments/definition.ts
 * SegmentDefinitionError → the API error's `data.details.problems`): file, YAML path, line:column and message,
 * so each is shown at its rule without reading the message. An INVALID_INPUT without them (the call's own
 * input was malformed) stays one general problem.
 */

export interface DefinitionProblem {
  /** YAML path (`rules.all.0.value`, or `rules.0.value` as a file writes it); '' for the top level. */
  path: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function problemOf(raw: unknown): DefinitionProblem | null {
  const item = record(raw);
  if (!item || typeof item.message !== 'string') return null;
  return {
    path: typeof item.path === 'string' ? item.path : '',
    message: item.message,
    ...(typeof item.file === 'string' ? { file: item.file } : {}),
    ...(typeof item.line === 'number' ? { line: item.line } : {}),
    ...(typeof item.column === 'number' ? { column: item.column } : {}),
  };
}

export function problemsFromError(error: unknown): DefinitionProblem[] | null {
  const { code, message } = summarizeError(error);
  if (code !== 'INVALID_INPUT') return null;
  const listed = record(record(record(error)?.data)?.details)?.problems;
  const found = Array.isArray(listed) ? listed.flatMap((p) => problemOf(p) ?? []) : [];
  return found.length ? found : [{ path: '', message }];
}

/**
 * A file's path (`rules.1.value`: a `rules:` list has no `all` level) in the builder's form (`rules.all.1.value`),
 * so problems of a saved file land on the same rule as those of a preview.
 */
export function builderPath(path: string): string {
  return /^rules\.\d+(\.|$)/.test(path) ? path.replace(/^rules\./, 'rules.all.') : path;
}

/** Where a problem is: `line:column` when the service knows it. */
export function problemPosition(problem: DefinitionProblem): string | null {
  if (problem.line === undefined) return null;
  return problem.column === undefined ? `${problem.line}` : `${problem.line}:${problem.column}`;
}

/** The problems of a node: those whose path is the node's or lies below it without reaching a child node. */
export function problemsAt(
  problems: readonly DefinitionProblem[],
  path: string,
  childPaths: readonly string[],
): DefinitionProblem[] {
  return problems.filter((problem) => {
    const at = builderPath(problem.path);
    const within = at === path || at.startsWith(`${path}.`);
    if (!within) return false;
    return !childPaths.some((child) => at === child || at.startsWith(`${child}.`));
  });
}
