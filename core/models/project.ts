import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { CodeModel, ColumnDoc, ModelTest } from './types.ts';
import { describeZodIssues, schemaFileSchema, type SeedDoc } from './schemaFile.ts';
import { extractCalls, type TemplateCall } from './templateCalls.ts';
import { repositorySources, type SalesChannelKind, type SourceDoc } from '../sources/sourceFile.ts';
import { C360Error } from '../errors.ts';

/** The repository's own model project. */
export const DEFAULT_PROJECT_DIR = fileURLToPath(new URL('../../sql', import.meta.url));

export type NodeKind = 'seed' | 'sql' | 'code';

export interface ProjectNode {
  name: string;
  kind: NodeKind;
  /** Folder below models/ (staging, intermediate, marts, segments) or 'seeds'. */
  layer: string;
  /** File that defines the node, relative to the project dir (code models: their module). */
  file: string;
  description: string;
  refs: TemplateCall[];
  sources: TemplateCall[];
  sql?: string;
  seedPath?: string;
  seedColumnTypes?: Record<string, string>;
  codeModel?: CodeModel;
  columns: ColumnDoc[];
  tests: ModelTest[];
  /** Sensitive tag → consent column, from the model's docs (`consent_columns`). */
  consentColumns?: Record<string, string>;
  /** Whether a YAML entry documents this node. */
  documented: boolean;
  /**
   * Whether the built table stays in the workspace file (`persist:` in the docs). A build-only node is built in
   * memory, tested and discarded with the build; `c360 build --select` rebuilds it whenever a selected node
   * reads it.
   */
  persist: boolean;
}

export interface Project {
  dir: string;
  /** Shared SQL macros (`<dir>/macros/*.sql`), imported by models with `{% from 'x.sql' import y %}`. */
  macrosDir: string;
  nodes: Map<string, ProjectNode>;
  /** Raw sources declared in the models' YAML (`sources:`), in file order. */
  sources: SourceDoc[];
  /** Problems found while loading that do not stop the load (e.g. docs for models that do not exist). */
  warnings: string[];
}

/** The model project has problems (CONFIG_INVALID), or a selection names no model (INVALID_INPUT). */
export class ProjectError extends C360Error {
  constructor(
    message: string,
    readonly problems: string[],
    code: 'CONFIG_INVALID' | 'INVALID_INPUT' = 'CONFIG_INVALID',
  ) {
    super(code, `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ProjectError';
  }
}

async function listFiles(dir: string, suffixes: string[]): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile() && suffixes.some((s) => entry.name.endsWith(s)))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Loads `models/**.sql`, `seeds/*.csv`, every folder's YAML docs and the code models the SQL models ref. */
export async function loadProject(dir: string, codeModels: CodeModel[] = []): Promise<Project> {
  const nodes = new Map<string, ProjectNode>();
  const problems: string[] = [];
  const warnings: string[] = [];
  const sources: SourceDoc[] = [];

  const add = (node: ProjectNode): void => {
    const existing = nodes.get(node.name);
    if (existing) {
      problems.push(`model '${node.name}' is defined twice: in ${existing.file} and in ${node.file}`);
      return;
    }
    nodes.set(node.name, node);
  };

  for (const path of await listFiles(join(dir, 'models'), ['.sql'])) {
    const sql = await readFile(path, 'utf8');
    const file = relative(dir, path);
    const calls = extractCalls(sql);
    add({
      name: basename(path, '.sql'),
      kind: 'sql',
      layer: relative(join(dir, 'models'), path).split(/[\\/]/)[0] ?? 'models',
      file,
      description: '',
      refs: calls.filter((call) => call.fn === 'ref'),
      sources: calls.filter((call) => call.fn === 'source'),
      sql,
      columns: [],
      tests: [],
      documented: false,
      persist: true,
    });
  }

  for (const path of await listFiles(join(dir, 'seeds'), ['.csv'])) {
    add({
      name: basename(path, '.csv'),
      kind: 'seed',
      layer: 'seeds',
      file: relative(dir, path),
      description: '',
      refs: [],
      sources: [],
      seedPath: path,
      columns: [],
      tests: [],
      documented: false,
      persist: true,
    });
  }

  // A code model joins a project only when one of its SQL models refers to it, so custom projects that do
  // not use, say, the CLV model do not inherit its inputs.
  const referenced = new Set([...nodes.values()].flatMap((node) => node.refs.map((ref) => ref.args[0])));
  for (const model of codeModels.filter((m) => referenced.has(m.name))) {
    add({
      name: model.name,
      kind: 'code',
      layer: 'intermediate',
      file: `(TypeScript code model ${model.name})`,
      description: model.description,
      refs: model.refs.map((name) => ({ fn: 'ref', args: [name], line: 0 })),
      sources: [],
      codeModel: model,
      columns: model.columns,
      tests: model.tests ?? [],
      documented: true,
      persist: model.persist ?? true,
    });
  }

  for (const path of [
    ...(await listFiles(join(dir, 'models'), ['.yml', '.yaml'])),
    ...(await listFiles(join(dir, 'seeds'), ['.yml', '.yaml'])),
  ]) {
    const file = relative(dir, path);
    let raw: unknown;
    try {
      raw = parseYaml(await readFile(path, 'utf8'));
    } catch (error) {
      problems.push(`${file}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const parsed = schemaFileSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(`${file}: does not match the schema file format:\n${describeZodIssues(parsed.error)}`);
      continue;
    }
    for (const source of parsed.data.sources ?? []) {
      if (sources.some((s) => s.name === source.name))
        problems.push(`${file}: source '${source.name}' is declared twice`);
      else sources.push(source);
    }
    const docs: (SeedDoc & { kind: 'model' | 'seed' })[] = [
      ...(parsed.data.models ?? []).map((doc) => ({ ...doc, kind: 'model' as const })),
      ...(parsed.data.seeds ?? []).map((doc) => ({ ...doc, kind: 'seed' as const })),
    ];
    for (const doc of docs) {
      const node = nodes.get(doc.name);
      if (!node) {
        warnings.push(`${file}: documents '${doc.name}', which is not a model or seed`);
        continue;
      }
      if (node.documented && node.kind !== 'code') {
        problems.push(`${file}: '${doc.name}' is documented twice`);
        continue;
      }
      node.description = doc.description;
      node.columns = doc.columns;
      node.tests = doc.tests ?? [];
      if (doc.consent_columns) node.consentColumns = doc.consent_columns;
      if (node.kind !== 'code') node.persist = doc.persist ?? parsed.data.persist ?? true;
      node.documented = true;
      if (doc.column_types) node.seedColumnTypes = doc.column_types;
    }
  }

  // a project without source declarations (made before they moved to YAML) reads the repository's raw tables
  if (sources.length === 0) sources.push(...repositorySources());
  addSalesChannelRefs(nodes, sources, problems);
  if (nodes.size === 0) problems.push(`no models found under ${join(dir, 'models')}`);
  if (problems.length) throw new ProjectError(`The model project in ${dir} has problems:`, problems);
  return { dir, macrosDir: join(dir, 'macros'), nodes, sources, warnings };
}

const SALES_CHANNEL_KINDS: SalesChannelKind[] = ['orders', 'order_lines'];

/** `sales_channels('orders')` refers to the orders model of every declared sales channel: one ref each. */
function addSalesChannelRefs(
  nodes: Map<string, ProjectNode>,
  sources: SourceDoc[],
  problems: string[],
): void {
  for (const node of nodes.values()) {
    for (const call of extractSalesChannelCalls(node)) {
      const kind = call.args[0] as SalesChannelKind | undefined;
      if (call.args.length !== 1 || !kind || !SALES_CHANNEL_KINDS.includes(kind)) {
        problems.push(`${node.file}:${call.line}: sales_channels() takes 'orders' or 'order_lines'`);
        continue;
      }
      for (const source of sources) {
        const model = source.sales_channel?.[kind];
        if (model) node.refs.push({ fn: 'ref', args: [model], line: call.line });
      }
    }
  }
}

function extractSalesChannelCalls(node: ProjectNode): TemplateCall[] {
  return node.sql ? extractCalls(node.sql).filter((call) => call.fn === 'sales_channels') : [];
}
