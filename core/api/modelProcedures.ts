import { z } from 'zod';
import { quoteIdent, type Database } from '../db/duckdb.ts';
import { withService } from '../service/withService.ts';
import { runBuild, runTestsOnly, loadProject, buildGraph } from '../models/index.ts';
import { CODE_MODELS } from '../models/codeModels.ts';
import type { BuildOptions, BuildResult, DataTestResult, Vars } from '../models/index.ts';
import type { WorkspaceService } from '../service/workspaceService.ts';
import { defineProcedure } from './procedure.ts';
import { segmentTables } from '../segments/index.ts';

const workspaceInput = z.object({ workspace: z.string().optional() });
const varsInput = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({});

export const buildProcedure = defineProcedure({
  name: 'models.build',
  summary: 'Build the models (all or a selection) and run their data tests',
  input: workspaceInput.extend({
    select: z.array(z.string().min(1)).default([]),
    vars: varsInput,
    runTests: z.boolean().default(true),
    keepIntermediate: z.boolean().default(false),
  }),
  async handler(input, ctx): Promise<BuildResult> {
    return withService(ctx.service, input.workspace, {}, (service) =>
      service.write(
        'build',
        (job) =>
          buildOnService(service, job.db, input, {
            signal: job.signal,
            isCancelled: () => ctx.isCancelled?.() === true,
            onEvent: (event) =>
              ctx.onProgress?.({ procedure: 'models.build', message: event.type, data: event }),
          }),
        ctx.signal ? { signal: ctx.signal } : {},
      ),
    );
  },
});

export interface ServiceBuildInput {
  select: string[];
  vars: Vars;
  runTests: boolean;
  keepIntermediate: boolean;
}

/**
 * A build of the service's workspace inside its write job (`db`: the job's writer connection), with the saved
 * segments' tables: what `c360 build` and the API's models.build both run. The job's signal interrupts the
 * running model's SQL (the runner cleans up on the plain writer); `isCancelled` is polled between models. Either
 * way the published tables stay as they were.
 */
export function buildOnService(
  service: Pick<WorkspaceService, 'projectDir' | 'segmentsDir' | 'config'>,
  db: Database,
  input: ServiceBuildInput,
  hooks: Pick<BuildOptions, 'isCancelled' | 'onEvent' | 'signal'>,
): Promise<BuildResult> {
  return runBuild(db, {
    projectDir: service.projectDir,
    select: input.select,
    configVars: service.config.vars,
    vars: input.vars,
    derived: segmentTables({ segmentsDir: service.segmentsDir, projectDir: service.projectDir }),
    runTests: input.runTests,
    keepIntermediate: input.keepIntermediate,
    ...hooks,
  });
}

export const testProcedure = defineProcedure({
  name: 'models.test',
  summary: 'Run the data tests against the published tables',
  input: workspaceInput.extend({ select: z.array(z.string().min(1)).default([]) }),
  async handler(input, ctx): Promise<DataTestResult[]> {
    return withService(ctx.service, input.workspace, { readOnly: true }, (service) =>
      // Data tests scan whole tables: no interactive deadline, but cancellable.
      service.read((db) => runTestsOnly(db, { projectDir: service.projectDir, select: input.select }), {
        timeoutSeconds: 0,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      }),
    );
  },
});

export interface ModelSummary {
  name: string;
  kind: string;
  layer: string;
  file: string;
  description: string;
  upstream: string[];
  rows: number | null;
}

export const listModelsProcedure = defineProcedure({
  name: 'models.list',
  summary: 'List the models in dependency order with their row counts',
  input: workspaceInput,
  async handler(input, ctx): Promise<ModelSummary[]> {
    return withService(ctx.service, input.workspace, { readOnly: true }, (service) =>
      service.read((db) => listModels(db, service.projectDir), ctx.signal ? { signal: ctx.signal } : {}),
    );
  },
});

async function listModels(db: Database, projectDir: string): Promise<ModelSummary[]> {
  const project = await loadProject(projectDir, CODE_MODELS);
  const graph = buildGraph(project);
  const counts = new Map(
    (
      await db.queryJs(`select table_name, estimated_size from duckdb_tables() where schema_name = 'main'`)
    ).map((r) => [String(r.table_name), Number(r.estimated_size)]),
  );
  return graph.order.map((name) => {
    const node = project.nodes.get(name)!;
    return {
      name,
      kind: node.kind,
      layer: node.layer,
      file: node.file,
      description: node.description,
      upstream: graph.upstream.get(name) ?? [],
      rows: counts.get(name) ?? null,
    };
  });
}

export interface ShowResult {
  model: string;
  totalRows: number;
  columns: string[];
  rows: Record<string, unknown>[];
}

export const showProcedure = defineProcedure({
  name: 'models.show',
  summary: 'Show rows of a built model',
  input: workspaceInput.extend({
    model: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a model name has letters, digits and underscores only'),
    limit: z.number().int().min(1).max(10_000).default(10),
  }),
  async handler(input, ctx): Promise<ShowResult> {
    return withService(ctx.service, input.workspace, { readOnly: true }, (service) =>
      service.read(
        (db) => showModel(db, service.projectDir, input),
        ctx.signal ? { signal: ctx.signal } : {},
      ),
    );
  },
});

async function showModel(
  db: Database,
  projectDir: string,
  input: { model: string; limit: number },
): Promise<ShowResult> {
  const tables = (
    await db.queryJson(`select table_name from duckdb_tables() where schema_name = 'main' order by 1`)
  ).map((r) => String(r.table_name));
  if (!tables.includes(input.model)) {
    const node = (await loadProject(projectDir, CODE_MODELS)).nodes.get(input.model);
    if (node && !node.persist) {
      throw new Error(
        `'${input.model}' is a build step (persist: false in ${node.file.replace(/[^/\\]+$/, '')}*.yml): it is ` +
          'built, tested and discarded by every build. To look at it, run `c360 build --keep-intermediate` ' +
          '(it stays until the next build without that option).',
      );
    }
    throw new Error(
      `'${input.model}' is not a built model in this workspace. Run \`c360 build\` first, or pick one of: ` +
        tables.filter((t) => !t.includes('__c360_build')).join(', '),
    );
  }
  const relation = `main.${quoteIdent(input.model)}`;
  const [count] = await db.queryJs(`select count(*)::bigint as n from ${relation}`);
  const rows = await db.queryJson(`select * from ${relation} limit $1`, [input.limit]);
  const columns = (await db.queryJson(`describe ${relation}`)).map((r) => String(r.column_name));
  return { model: input.model, totalRows: Number(count?.n ?? 0), columns, rows };
}
