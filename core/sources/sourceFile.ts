import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Raw sources are declared in YAML beside the models (`sources:` in any `models/**.yml`, the repository's
 * are in `sql/models/staging/_sources.yml`): the loader, the demo, `source()` in the models and the sales
 * channel union all read these declarations, so a new shop needs a YAML entry and its staging models only.
 */
export const rawColumnSchema = z.strictObject({
  name: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'column names are lower-case snake_case'),
  /** DuckDB type; timestamps are UTC without a zone. */
  type: z.string().min(1),
  description: z.string().min(1, 'every raw column needs a description'),
  /**
   * Added after the first release: a file or an older workspace table without it still loads, the column
   * reads as null there.
   */
  optional: z.boolean().optional(),
});

export const rawTableDocSchema = z.strictObject({
  name: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'table names are lower-case snake_case'),
  description: z.string().min(1),
  columns: z.array(rawColumnSchema).min(1),
});

/** A source that sells: its staging models feed the channel-independent order models (see DEFINITIONS.md). */
export const salesChannelSchema = z.strictObject({
  orders: z.string().min(1),
  order_lines: z.string().min(1),
});

export const sourceDocSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'source names are lower-case snake_case'),
  description: z.string().min(1),
  sales_channel: salesChannelSchema.optional(),
  tables: z.array(rawTableDocSchema).min(1),
});

export type SourceDoc = z.infer<typeof sourceDocSchema>;
export type SalesChannelModels = z.infer<typeof salesChannelSchema>;
export type SalesChannelKind = keyof SalesChannelModels;

/** The repository's model project (the same folder as DEFAULT_PROJECT_DIR in core/models/project.ts). */
export const REPOSITORY_PROJECT_DIR = fileURLToPath(new URL('../../sql', import.meta.url));

let repositorySourceDocs: SourceDoc[] | undefined;

/**
 * The repository's declared sources, read once. A model project that declares none (e.g. a workspace's
 * `models_dir` copied before sources moved to YAML) reads the same raw tables, so it keeps building.
 */
export function repositorySources(): SourceDoc[] {
  repositorySourceDocs ??= readSourceDocs(REPOSITORY_PROJECT_DIR);
  return repositorySourceDocs;
}

const sourcesOnlySchema = z.object({ sources: z.array(sourceDocSchema).optional() });

function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
  } catch {
    return [];
  }
}

/**
 * The sources declared under `<projectDir>/models`, read synchronously: the repository's own declarations
 * are needed at module load by the demo and the loader. Invalid files throw with file and path; model docs
 * are validated by `loadProject`.
 */
export function readSourceDocs(projectDir: string): SourceDoc[] {
  const sources: SourceDoc[] = [];
  for (const path of yamlFiles(join(projectDir, 'models'))) {
    const file = relative(projectDir, path);
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`${file}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = sourcesOnlySchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`${file}: the sources do not match the source format: ${problems}`);
    }
    for (const source of parsed.data.sources ?? []) {
      const twice = sources.find((s) => s.name === source.name);
      if (twice) throw new Error(`${file}: source '${source.name}' is declared twice`);
      sources.push(source);
    }
  }
  return sources;
}

/** The sources a model project reads: its own declarations, else the repository's (see repositorySources). */
export function projectSources(projectDir: string): SourceDoc[] {
  const declared = readSourceDocs(projectDir);
  return declared.length > 0 ? declared : repositorySources();
}
