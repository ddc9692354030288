import { quoteIdent, type Database } from '../db/duckdb.ts';
import {
  DEFAULT_PROJECT_DIR,
  loadProject,
  loadVarDeclarations,
  resolveVars,
  type Vars,
} from '../models/index.ts';
import { healthTagsOf, type HealthTags } from './sensitivity.ts';
import { C360Error, type C360ErrorOptions } from '../errors.ts';
import type { ColumnKind } from './operators.ts';

/**
 * What segments can be written over: the columns of dim_customers as the database describes them, with the
 * documentation of sql/models/marts/_marts.yml when it is at hand. Identifiers in compiled SQL only ever come
 * from here.
 */

export const SEGMENT_TABLE = 'dim_customers';

export type { ColumnKind };

export interface CatalogueColumn {
  name: string;
  /** DuckDB type as `describe` prints it, e.g. BIGINT, VARCHAR[]. */
  type: string;
  kind: ColumnKind;
  /** For list columns: the kind of the elements. */
  elementKind?: ColumnKind;
  description?: string;
  /** Accepted values documented by an accepted_values data test. */
  values?: (string | number | boolean)[];
}

export interface Catalogue {
  table: string;
  columns: ReadonlyMap<string, CatalogueColumn>;
  /** Reference day of "days ago" rules: the as_of of the latest published build (YYYY-MM-DD). */
  asOf: string;
  /** The latest published build, to invalidate caches; null when the table was made some other way. */
  buildRunId: string | null;
  /** Health-tagged columns and values of the table's docs (sensitivity.ts); none without a project. */
  health?: HealthTags;
  /** Why the model docs could not be read (then health tags are unknown). */
  docsProblem?: string;
  /**
   * Model variables in effect for this data (`value: {var: name}` in rules): those of the latest published
   * build over the declared defaults of vars.yml, so a segment's threshold follows the model's.
   */
  vars: Vars;
}

export function columnKind(type: string): ColumnKind {
  const t = type.trim().toUpperCase();
  if (t.endsWith('[]')) return 'list';
  if (
    /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL(\(.*\))?)$/.test(
      t,
    )
  )
    return 'number';
  if (t === 'VARCHAR' || t.startsWith('ENUM')) return 'string';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  return 'other';
}

export interface ColumnInput {
  name: string;
  type: string;
  description?: string;
  values?: (string | number | boolean)[];
}

/** Builds a catalogue from column names and types (pure; tests use it with hand-made columns). */
export function catalogueFromColumns(
  columns: ColumnInput[],
  asOf: string,
  buildRunId: string | null = null,
  table = SEGMENT_TABLE,
  vars: Vars = {},
): Catalogue {
  const map = new Map<string, CatalogueColumn>();
  for (const c of columns) {
    const kind = columnKind(c.type);
    const column: CatalogueColumn = { name: c.name, type: c.type, kind };
    if (kind === 'list') column.elementKind = columnKind(c.type.slice(0, -2));
    if (c.description) column.description = c.description;
    if (c.values) column.values = c.values;
    map.set(c.name, column);
  }
  return { table, columns: map, asOf, buildRunId, vars };
}

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

export async function latestBuild(
  db: Database,
): Promise<{ runId: string | null; asOf: string | null; vars: Vars }> {
  try {
    const [row] = await db.queryJson(
      `select run_id, strftime(as_of, '%Y-%m-%d') as as_of, vars from c360.build_runs
       where ok and published order by finished_at desc limit 1`,
    );
    return {
      runId: row ? String(row.run_id) : null,
      asOf: row?.as_of ? String(row.as_of) : null,
      vars: row?.vars ? (JSON.parse(String(row.vars)) as Vars) : {},
    };
  } catch {
    // No build history (a hand-made table): fall back to today.
    return { runId: null, asOf: null, vars: {} };
  }
}

/** Declared defaults of the project's vars.yml (none when it has no such file or it cannot be read). */
export async function declaredDefaults(projectDir: string = DEFAULT_PROJECT_DIR): Promise<Vars> {
  return resolveVars(await loadVarDeclarations(projectDir).catch(() => null), []);
}

interface ColumnDocs {
  description?: string;
  values?: (string | number | boolean)[];
}

async function readColumnDocs(
  projectDir: string | undefined,
  table: string,
): Promise<{ docs: Map<string, ColumnDocs>; health?: HealthTags; problem?: string }> {
  const docs = new Map<string, ColumnDocs>();
  if (!projectDir) return { docs };
  try {
    const project = await loadProject(projectDir);
    const node = project.nodes.get(table);
    for (const column of node?.columns ?? []) {
      const accepted = column.tests?.find(
        (t): t is { accepted_values: { values: (string | number | boolean)[] } } =>
          typeof t === 'object' && 'accepted_values' in t,
      );
      docs.set(column.name, {
        description: column.description,
        ...(accepted ? { values: accepted.accepted_values.values } : {}),
      });
    }
    return { docs, health: healthTagsOf(node) };
  } catch (error) {
    // A broken project must not stop previews; the health tags it holds are then unknown, which the preview
    // warns about and the list sync refuses.
    return { docs, problem: error instanceof Error ? error.message : String(error) };
  }
}

/** The table a call reads has not been built yet. */
export class MissingTableError extends C360Error {
  override name = 'MissingTableError';
  constructor(message: string, options?: C360ErrorOptions) {
    super('NOT_BUILT', message, options);
  }
}

/** Reads the catalogue of the workspace's dim_customers (run `c360 build` first). */
export async function readCatalogue(
  db: Database,
  options: {
    projectDir?: string;
    table?: string;
    /** The model whose docs describe the table (default: the table; the build's side table is dim_customers). */
    documentedAs?: string;
    /** The build in progress (materialising seg_ tables): its as_of and variables, not the last published. */
    build?: { asOf: string; vars: Vars };
  } = {},
): Promise<Catalogue> {
  const table = options.table ?? SEGMENT_TABLE;
  let described;
  try {
    described = await db.queryJson(`describe main.${quoteIdent(table)}`);
  } catch {
    throw new MissingTableError(
      `The workspace has no ${table} table yet. Build the models first (\`c360 build\`), then preview segments.`,
    );
  }
  const build = options.build
    ? { runId: null, asOf: options.build.asOf.slice(0, 10), vars: options.build.vars }
    : await latestBuild(db);
  const { docs, health, problem } = await readColumnDocs(options.projectDir, options.documentedAs ?? table);
  return {
    ...catalogueFromColumns(
      described.map((row) => {
        const name = String(row.column_name);
        return { name, type: String(row.column_type), ...docs.get(name) };
      }),
      build.asOf ?? todayUtc(),
      build.runId,
      table,
      { ...(await declaredDefaults(options.projectDir)), ...build.vars },
    ),
    ...(health ? { health } : {}),
    ...(problem ? { docsProblem: problem } : {}),
  };
}

/** Columns a user sees in messages: what a rule over this column may say. */
export function describeColumn(column: CatalogueColumn): string {
  const values = column.values?.length ? `; values: ${column.values.join(', ')}` : '';
  return `${column.name} (${column.kind === 'list' ? `list of ${column.elementKind}` : column.kind}${values})`;
}
