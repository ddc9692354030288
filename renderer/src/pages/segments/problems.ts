import { summarizeError } from '../../api/errors.ts';

/**
 * The problems of a definition segments.preview rejected. The service sends them only inside the error's
 * message (core/segments/definition.ts formatProblem: `segment <name>: <path>: <message>`, one per line when
 * there are several), so they are read back from there; a message of another shape stays one general problem.
 */

export interface DefinitionProblem {
  /** YAML path (`rules.all.0.value`); '' for the top level or when the message names none. */
  path: string;
  message: string;
}

const LINE = /^\s*segment(?: [^:]+)?: (\(top level\)|[A-Za-z0-9_.]+): (.+)$/;

export function problemsFromError(error: unknown): DefinitionProblem[] | null {
  const { code, message } = summarizeError(error);
  if (code !== 'INVALID_INPUT') return null;
  const found = message.split('\n').flatMap((line) => {
    const match = LINE.exec(line);
    if (!match) return [];
    return [{ path: match[1] === '(top level)' ? '' : match[1]!, message: match[2]! }];
  });
  return found.length ? found : [{ path: '', message }];
}

/** The problems of a node: those whose path is the node's or lies below it without reaching a child node. */
export function problemsAt(
  problems: readonly DefinitionProblem[],
  path: string,
  childPaths: readonly string[],
): DefinitionProblem[] {
  return problems.filter((problem) => {
    const within = problem.path === path || problem.path.startsWith(`${path}.`);
    if (!within) return false;
    return !childPaths.some((child) => problem.path === child || problem.path.startsWith(`${child}.`));
  });
}
