import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { closest } from './dag.ts';
import { describeZodIssues } from './schemaFile.ts';
import type { VarValue, Vars } from './types.ts';
import { C360Error } from '../errors.ts';

/**
 * Model variables, declared once in `<project>/vars.yml` with type, range and default. Models read them with
 * `{{ var('name') }}`, segments with `value: {var: name}`; values from `c360.config.yaml` (`vars:`) and
 * `--var` are checked here before anything builds, so a typo never reaches the SQL.
 */

export const VARS_FILE = 'vars.yml';

const VAR_TYPES = ['integer', 'number', 'date', 'timestamp', 'string', 'boolean'] as const;
export type VarType = (typeof VAR_TYPES)[number];

const declarationSchema = z.strictObject({
  type: z.enum(VAR_TYPES),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Allowed values of a string variable. */
  values: z.array(z.string()).min(1).optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  description: z.string().min(1, 'every variable needs a description'),
  /**
   * dim_customers columns that segment rules compare with this variable: `c360 segments validate` flags a rule
   * on one of them that repeats the variable's value as a number instead of `{var: name}`.
   */
  columns: z.array(z.string().min(1)).optional(),
  /**
   * The variable no longer exists; the text says what replaced it. Workspace configs of older versions that set
   * it keep building (with this as a warning); `--var` and models may not use it.
   */
  retired: z.string().min(1).optional(),
});

const varsFileSchema = z.strictObject({
  vars: z.record(
    z.string().regex(/^[a-z][a-z0-9_]*$/, 'a variable name is lower_snake_case'),
    declarationSchema,
  ),
});

export type VarDeclaration = z.infer<typeof declarationSchema>;
export type VarDeclarations = ReadonlyMap<string, VarDeclaration>;

/** One value that does not fit its declaration (or names no variable). */
export interface VarProblem {
  name: string;
  /** Where the value came from, e.g. `--var` or `c360.config.yaml vars:`. */
  source: string;
  message: string;
  /** Set a retired variable (a warning for files written by older versions). */
  retired?: boolean;
}

/** Model variables that do not fit their declarations: INVALID_INPUT when all come from `--var`. */
export class VarError extends C360Error {
  override name = 'VarError';
  constructor(readonly problems: VarProblem[]) {
    super(
      problems.every((p) => p.source === '--var') ? 'INVALID_INPUT' : 'CONFIG_INVALID',
      problems.length === 1
        ? formatVarProblem(problems[0]!)
        : `${problems.length} model variables are not valid:\n${problems.map((p) => `  ${formatVarProblem(p)}`).join('\n')}`,
    );
  }
}

function formatVarProblem(problem: VarProblem): string {
  return `${problem.source} ${problem.name}: ${problem.message}`;
}

/** Reads `<projectDir>/vars.yml`; null when the project declares no variables (then values are not checked). */
export async function loadVarDeclarations(projectDir: string): Promise<VarDeclarations | null> {
  const path = join(projectDir, VARS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  const parsed = varsFileSchema.safeParse(parseYaml(text) ?? {});
  if (!parsed.success)
    throw new Error(`${path} does not match the variables format:\n${describeZodIssues(parsed.error)}`);
  const declarations = new Map(Object.entries(parsed.data.vars));
  const problems = [...declarations].flatMap(([name, declaration]) => {
    if (declaration.default === undefined) return [];
    const checked = checkVarValue(declaration, declaration.default);
    return 'error' in checked ? [`${name}: default ${String(declaration.default)}: ${checked.error}`] : [];
  });
  if (problems.length)
    throw new Error(`${path} has defaults that break their own rules:\n  ${problems.join('\n  ')}`);
  return declarations;
}

/** What a variable accepts, in the words of an error message: "an integer from 1 to 3650 (default 60)". */
export function describeDeclaration(declaration: VarDeclaration): string {
  const range =
    declaration.min !== undefined && declaration.max !== undefined
      ? ` from ${declaration.min} to ${declaration.max}`
      : declaration.min !== undefined
        ? ` of at least ${declaration.min}`
        : declaration.max !== undefined
          ? ` of at most ${declaration.max}`
          : '';
  const kind: Record<VarType, string> = {
    integer: 'a whole number',
    number: 'a number',
    date: 'a date YYYY-MM-DD',
    timestamp: "a date YYYY-MM-DD or a time 'YYYY-MM-DD HH:MM:SS' (UTC)",
    string: declaration.values ? `one of ${declaration.values.join(', ')}` : 'a text without quotes',
    boolean: 'true or false',
  };
  const fallback = declaration.default !== undefined ? ` (default ${String(declaration.default)})` : '';
  return `${kind[declaration.type]}${range}${fallback}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|\+00:?00)?)?$/;

function isCalendarDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Checks one value against its declaration: the typed value, or why it does not fit. */
export function checkVarValue(
  declaration: VarDeclaration,
  raw: VarValue,
): { value: VarValue } | { error: string } {
  const text = String(raw).trim();
  switch (declaration.type) {
    case 'integer':
    case 'number': {
      const value =
        typeof raw === 'number' ? raw : text !== '' && typeof raw === 'string' ? Number(text) : NaN;
      if (!Number.isFinite(value)) return { error: `'${String(raw)}' is not a number` };
      if (declaration.type === 'integer' && !Number.isInteger(value))
        return { error: `${value} is not a whole number` };
      if (declaration.min !== undefined && value < declaration.min) return { error: `${value} is too small` };
      if (declaration.max !== undefined && value > declaration.max) return { error: `${value} is too large` };
      return { value };
    }
    case 'date':
    case 'timestamp': {
      const match = (declaration.type === 'date' ? DATE : TIMESTAMP).exec(text);
      if (!match)
        return { error: `'${text}' is not ${declaration.type === 'date' ? 'a date' : 'a date or time'}` };
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      if (!isCalendarDay(year, month, day))
        return { error: `${text.slice(0, 10)} is not a day of the calendar` };
      const [hour, minute, second] = [Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)];
      if (hour > 23 || minute > 59 || second > 59) return { error: `'${text}' is not a time of day` };
      return { value: text };
    }
    case 'boolean':
      if (raw === true || raw === false) return { value: raw };
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { error: `'${text}' is not true or false` };
    case 'string':
      // String variables end up inside SQL text literals: quotes and backslashes are never needed in them.
      if (/['"\\]/.test(text)) return { error: `'${text}' contains a quote or backslash` };
      if (declaration.values && !declaration.values.includes(text))
        return { error: `'${text}' is not allowed` };
      return { value: text };
  }
}

/** Problems of one set of values (from one source) against the declarations; empty when all fit. */
export function checkVars(declarations: VarDeclarations, vars: Vars, source: string): VarProblem[] {
  const problems: VarProblem[] = [];
  for (const [name, raw] of Object.entries(vars)) {
    const declaration = declarations.get(name);
    if (declaration?.retired) {
      problems.push({
        name,
        source,
        retired: true,
        message: `is no longer a model variable: ${declaration.retired}`,
      });
      continue;
    }
    if (!declaration) {
      const current = [...declarations].filter(([, d]) => !d.retired).map(([n]) => n);
      const close = closest(name, current);
      problems.push({
        name,
        source,
        message:
          `'${name}' is not a model variable` +
          (close ? `; did you mean ${close}?` : '') +
          ` Declared in sql/vars.yml: ${current.join(', ')}`,
      });
      continue;
    }
    const checked = checkVarValue(declaration, raw);
    if ('error' in checked)
      problems.push({ name, source, message: `${checked.error}; use ${describeDeclaration(declaration)}` });
  }
  return problems;
}

export interface VarLayer {
  /** Where the values come from, for messages: `c360.config.yaml vars:`, `--var`. */
  source: string;
  vars: Vars;
  /** A retired variable here is a warning, not an error (files written by older versions). */
  allowRetired?: boolean;
}

/**
 * The values a build uses: every declared default, overridden by the layers in order (config, then --var).
 * Throws VarError listing every value that does not fit. Without declarations the layers are merged as given.
 */
export function resolveVars(
  declarations: VarDeclarations | null,
  layers: VarLayer[],
  warnings: string[] = [],
): Vars {
  if (!declarations) return Object.assign({}, ...layers.map((l) => l.vars)) as Vars;
  const problems: VarProblem[] = [];
  for (const layer of layers)
    for (const problem of checkVars(declarations, layer.vars, layer.source)) {
      if (problem.retired && layer.allowRetired)
        warnings.push(`${formatVarProblem(problem)}; the value is ignored, remove it`);
      else problems.push(problem);
    }
  if (problems.length) throw new VarError(problems);
  const resolved: Vars = {};
  for (const [name, declaration] of declarations)
    if (declaration.default !== undefined && !declaration.retired) resolved[name] = declaration.default;
  for (const layer of layers)
    for (const [name, raw] of Object.entries(layer.vars)) {
      const declaration = declarations.get(name)!;
      if (declaration.retired) continue;
      const checked = checkVarValue(declaration, raw);
      if ('value' in checked) resolved[name] = checked.value;
    }
  return resolved;
}
