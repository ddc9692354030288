import { randomUUID } from 'node:crypto';
import { quoteIdent, quoteText, withSetting, type Database } from '../db/duckdb.ts';
import { createMissingRawTables, rawTablesOf, salesChannelsOf, type RawTable } from '../sources/rawTables.ts';
import { buildGraph, selectNodes } from './dag.ts';
import { checkDocumentedColumns, runDataTests, type DataTestResult } from './dataTests.ts';
import { checkTimeZone, dialectFor } from './dialect/dialect.ts';
import { DEFAULT_PROJECT_DIR, loadProject, type Project, type ProjectNode } from './project.ts';
import { renderModel } from './render.ts';
import { CODE_MODELS } from './codeModels.ts';
import type { Vars } from './types.ts';
import { lastModelSeconds, recordBuildError, recordBuildRun, startBuildRun } from './buildHistory.ts';
import { interruptible } from '../db/interrupt.ts';
import { withTransaction } from '../db/transaction.ts';
import { runScheduled } from './schedule.ts';
import { extractCalls } from './templateCalls.ts';
import { loadVarDeclarations, resolveVars, VarError, type VarDeclarations } from './vars.ts';

export interface BuildOptions {
  projectDir?: string;
  /** dbt-style selectors (`name`, `name+`, `+name`); empty = everything. */
  select?: string[];
  /** Variables given for this build (`--var`); they override `configVars`. */
  vars?: Vars;
  /** Variables of the workspace config (`vars:` in c360.config.yaml). */
  configVars?: Vars;
  /**
   * Tables made from the built models inside the same publish (the saved segments' `seg_<name>` tables,
   * core/segments/materialise.ts). Runs after the models built and passed their tests.
   */
  derived?: DerivedTables;
  /** Run the data tests after building (default true). */
  runTests?: boolean;
  /**
   * Keep the build-only models (`persist: false`) in the workspace file too, e.g. to inspect an intermediate
   * step with `c360 show`; they stay until the next build without this option.
   */
  keepIntermediate?: boolean;
  onEvent?: (event: BuildEvent) => void;
  /** Checked between models; when it returns true the build stops and nothing is published. */
  isCancelled?: () => boolean;
  /**
   * Cancels the build: no model starts after the abort, the statements running stop at once (DuckDB's
   * interrupt), and nothing is published.
   */
  signal?: AbortSignal;
  /** Models built at the same time, each on its own connection (default 2; 1 builds one after the other). */
  workers?: number;
}

export type BuildEvent =
  | { type: 'start'; runId: string; models: number; asOf: string }
  | { type: 'model_start'; name: string; index: number; total: number }
  | { type: 'model_done'; result: ModelResult; index: number; total: number }
  | { type: 'tests_done'; tests: DataTestResult[] }
  | { type: 'derived_done'; tables: string[]; dropped: string[] }
  | { type: 'published'; models: number; seconds: number };

export interface ModelResult {
  name: string;
  kind: ProjectNode['kind'];
  status: 'success' | 'failed' | 'skipped';
  rows?: number;
  seconds: number;
  error?: string;
}

export interface BuildResult {
  runId: string;
  ok: boolean;
  asOf: string;
  models: ModelResult[];
  tests: DataTestResult[];
  /** Whether the new tables replaced the published ones. */
  published: boolean;
  seconds: number;
  warnings: string[];
}

/** What a derived-tables step needs from the build: where the models of this build are. */
export interface DerivedContext {
  db: Database;
  vars: Vars;
  asOf: string;
  /** The build's run id (c360.build_runs), for what a derived step records about this build. */
  runId: string;
  /** Relation of a model for this build (its build table, or the published one when not rebuilt). */
  relationFor(name: string): string;
  /**
   * Unquoted table name of a persisted model for this build (build table or published table), in schema main;
   * build-only models (`persist: false`) are reached through relationFor only.
   */
  tableFor(name: string): string;
  /** Unquoted name of the build table a derived table must be created as (published by the runner). */
  buildTableFor(name: string): string;
  /** Models of the project: a derived step never drops or replaces them. */
  modelNames: ReadonlySet<string>;
  /** The model project (its docs describe the models' columns). */
  projectDir: string;
}

export interface DerivedResult {
  /** Tables created as `buildTableFor(name)`; published (renamed) with the models. */
  tables: string[];
  /** Published tables that are no longer made; dropped in the same transaction. */
  drop: string[];
  warnings: string[];
  /**
   * Runs inside the publish transaction after the tables were swapped in (e.g. the segment size history):
   * what it writes is committed with the tables it describes, or rolled back with them.
   */
  onPublish?: (db: Database) => Promise<void>;
}

export interface DerivedTables {
  build(ctx: DerivedContext): Promise<DerivedResult>;
}

const BUILD_SUFFIX = '__c360_build';
/** Scheduler task name of a model's data tests. */
const TEST_TASK = 'test:';
/** Two models at a time: measured on the 2-core reference machine (README "Benchmarks"). */
export const DEFAULT_BUILD_WORKERS = 2;
const AS_OF_PATTERN = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/;

/**
 * The build's reference time (UTC, `YYYY-MM-DD HH:MM:SS`): var as_of, else the instant the build starts, so
 * an order or a parcel scan from an hour ago is in the marts (sql/DEFINITIONS.md "Reference time"). A date
 * alone means its 00:00 UTC.
 */
export function resolveAsOf(vars: Vars, now = new Date()): string {
  const raw = vars.as_of;
  if (raw === undefined) return now.toISOString().slice(0, 19).replace('T', ' ');
  const text = String(raw).replace('T', ' ').replace(/Z$/, '');
  if (!AS_OF_PATTERN.test(text)) {
    throw new Error(`var as_of = '${String(raw)}' is not a date; use YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'`);
  }
  return text.length === 10 ? `${text} 00:00:00` : text;
}

function publishedRelation(name: string): string {
  return `main.${quoteIdent(name)}`;
}

/** The side table a persisted model is built into before the publish renames it. */
function persistedBuildRelation(name: string): string {
  return `main.${quoteIdent(name + BUILD_SUFFIX)}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Drops the side tables of the models this build made (a build that will not publish). */
async function dropBuildTables(db: Database, built: Iterable<string>): Promise<void> {
  for (const name of built) await db.run(`drop table if exists ${persistedBuildRelation(name)}`);
}

/** Drops the side tables (`*__c360_build`) that a killed build left in the workspace file. */
async function dropLeftoverBuildTables(db: Database): Promise<void> {
  const leftovers = await db.queryJs(
    `select table_name as name from duckdb_tables() where database_name = current_database()
       and schema_name = 'main' and suffix(table_name, '${BUILD_SUFFIX}')`,
  );
  for (const { name } of leftovers) await db.run(`drop table if exists main.${quoteIdent(String(name))}`);
}

/** Maps `LINE n:` of the rendered statement (which starts with one line of DDL) back to the model file. */
function locateSqlError(node: ProjectNode, message: string): string {
  const match = /LINE (\d+):/.exec(message);
  const line = match ? Number(match[1]) - 1 : undefined;
  if (!line || line <= 0) return `${node.file}: ${message.split('\n')[0]}`;
  // An imported macro expands to more lines than its call: the line is one of the compiled SQL then.
  const expandsMacros = /\{%-?\s*(from|import)\s/.test(node.sql ?? '');
  return `${node.file}${expandsMacros ? ` (compiled SQL line ${line})` : `:${line}`}: ${message.split('\n')[0]}`;
}

/** Makes sure every raw table exists (empty when a source is not connected) so models can always build. */
export async function ensureRawTables(db: Database, tables?: RawTable[]): Promise<void> {
  await createMissingRawTables(db, tables);
}

async function buildNode(
  db: Database,
  node: ProjectNode,
  target: string,
  ctx: {
    vars: Vars;
    asOf: string;
    relationFor: (n: string) => string;
    macrosDir: string;
    sources: Project['sources'];
  },
): Promise<void> {
  await db.run(`drop table if exists ${target}`);
  if (node.kind === 'seed') {
    const types = node.seedColumnTypes ?? {};
    const typeList = Object.entries(types).map(([col, type]) => `${quoteText(col)}: ${quoteText(type)}`);
    await db.run(
      `create table ${target} as select * from read_csv(${quoteText(node.seedPath ?? '')}, header = true, auto_detect = true${typeList.length ? `, types = {${typeList.join(', ')}}` : ''})`,
    );
    return;
  }
  if (node.kind === 'code') {
    await node.codeModel!.build({ db, vars: ctx.vars, ref: ctx.relationFor, target, asOf: ctx.asOf });
    return;
  }
  const sql = renderModel(node.file, node.sql ?? '', {
    dialect: dialectFor('duckdb'),
    vars: ctx.vars,
    asOf: ctx.asOf,
    relationFor: ctx.relationFor,
    macrosDir: ctx.macrosDir,
    rawTables: rawTablesOf(ctx.sources),
    salesChannels: salesChannelsOf(ctx.sources),
  })
    .trim()
    .replace(/;\s*$/, '');
  try {
    await db.run(`create table ${target} as\n${sql}`);
  } catch (error) {
    throw new Error(locateSqlError(node, errorMessage(error)));
  }
}

/**
 * Builds the selected models in dependency order into side tables, runs the data tests, and only when every
 * model and test passed replaces the published tables in one transaction. A failed or cancelled build leaves
 * the previously published tables exactly as they were.
 */
export async function runBuild(db: Database, options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const runId = randomUUID();
  const projectDir = options.projectDir ?? DEFAULT_PROJECT_DIR;
  // Variables are checked against sql/vars.yml before anything builds: a typo never reaches the SQL.
  const declarations = await loadVarDeclarations(projectDir);
  const varWarnings: string[] = [];
  const vars = resolveVars(
    declarations,
    [
      { source: 'c360.config.yaml vars:', vars: options.configVars ?? {}, allowRetired: true },
      { source: '--var', vars: options.vars ?? {} },
    ],
    varWarnings,
  );
  const asOf = resolveAsOf(vars);
  if (vars.shop_time_zone !== undefined) checkTimeZone(String(vars.shop_time_zone));
  const project = await loadProject(projectDir, CODE_MODELS);
  checkDeclaredVars(project.nodes.values(), declarations);
  const graph = buildGraph(project);
  const persisted = (name: string): boolean =>
    options.keepIntermediate === true || project.nodes.get(name)?.persist !== false;
  const selected = withBuildOnlyInputs(
    selectNodes(graph, options.select ?? [], project.nodes.keys()),
    graph.upstream,
    persisted,
  );
  const order = graph.order.filter((name) => selected.has(name));
  const emit = options.onEvent ?? (() => {});
  const workers = Math.max(1, Math.floor(options.workers ?? DEFAULT_BUILD_WORKERS));
  emit({ type: 'start', runId, models: order.length, asOf });

  await ensureRawTables(db, rawTablesOf(project.sources));
  // Every model is built into a side table of the workspace file, build-only ones too: measured on 1M customers,
  // that peaks 0.3–0.6 GB lower than an in-memory database for the build steps, at the same speed or up to 5 %
  // faster (README "Benchmarks"). Side tables of a killed build are dropped here: this process is the only writer.
  await dropLeftoverBuildTables(db);
  await startBuildRun(db, { runId, asOf, vars, select: options.select ?? [] });
  const buildRelation = (name: string): string => persistedBuildRelation(name);
  // Models are tables, not ordered results: dropping the ordering guarantee lets DuckDB write them in parallel
  // with less memory.
  try {
    return await withSetting(db, 'preserve_insertion_order', false, buildSelected);
  } catch (error) {
    await recordBuildError(db, runId).catch(() => undefined);
    throw error;
  }

  async function buildSelected(): Promise<BuildResult> {
    const built = new Set<string>();
    const relationFor = (name: string): string =>
      built.has(name) ? buildRelation(name) : publishedRelation(name);
    const tableFor = (name: string): string => (built.has(name) ? name + BUILD_SUFFIX : name);
    const results: ModelResult[] = [];
    const failed = new Set<string>();
    const tests: DataTestResult[] = [];
    let cancelled = false;

    const position = new Map(order.map((name, i) => [name, i]));
    const own = [db];
    for (let i = 1; i < workers; i++) own.push(await db.connect());
    // The models and tests run under the signal; the cleanup below runs on the plain connection.
    const connections = own.map((conn) => (options.signal ? interruptible(conn, options.signal) : conn));
    try {
      const byName = new Map<string, ModelResult>();
      const report = (result: ModelResult): void => {
        byName.set(result.name, result);
        emit({ type: 'model_done', result, index: position.get(result.name)!, total: order.length });
      };
      // A model's data tests are a task of their own after the model (and the parents its relationship tests
      // read), so they fill a worker that would otherwise wait for the long chain of models to finish.
      const runTests = options.runTests !== false;
      const testsOf = new Map<string, DataTestResult[]>();
      const upstream = new Map(graph.upstream);
      const testTasks = runTests ? order.map((name) => TEST_TASK + name) : [];
      for (const name of runTests ? order : []) {
        const parents = relationshipParents(project.nodes.get(name)!).filter((p) => selected.has(p));
        upstream.set(TEST_TASK + name, [name, ...parents]);
      }
      const schedule = await runScheduled({
        order: [...order, ...testTasks],
        upstream,
        expectedSeconds: await lastModelSeconds(db),
        workers,
        stop: () => options.isCancelled?.() === true || options.signal?.aborted === true,
        skip: (name, blockedBy) => {
          if (name.startsWith(TEST_TASK)) return;
          failed.add(name);
          const kind = project.nodes.get(name)!.kind;
          report({
            name,
            kind,
            status: 'skipped',
            seconds: 0,
            error: `upstream failed: ${blockedBy.join(', ')}`,
          });
        },
        run: async (task, worker) => {
          const conn = connections[worker]!;
          if (task.startsWith(TEST_TASK)) {
            const name = task.slice(TEST_TASK.length);
            const node = project.nodes.get(name)!;
            testsOf.set(name, [
              await checkDocumentedColumns(conn, node, buildRelation(name)),
              ...(await runDataTests(conn, node, buildRelation(name), relationFor)),
            ]);
            return true;
          }
          const name = task;
          const node = project.nodes.get(name)!;
          emit({ type: 'model_start', name, index: position.get(name)!, total: order.length });
          const t0 = performance.now();
          try {
            await buildNode(conn, node, buildRelation(name), {
              vars,
              asOf,
              relationFor,
              macrosDir: project.macrosDir,
              sources: project.sources,
            });
            built.add(name);
            const [count] = await conn.queryJs(`select count(*)::bigint as n from ${buildRelation(name)}`);
            const seconds = (performance.now() - t0) / 1000;
            report({ name, kind: node.kind, status: 'success', rows: Number(count?.n ?? 0), seconds });
            return true;
          } catch (error) {
            failed.add(name);
            const seconds = (performance.now() - t0) / 1000;
            report({ name, kind: node.kind, status: 'failed', seconds, error: errorMessage(error) });
            return false;
          }
        },
      });
      cancelled = schedule.stopped || options.signal?.aborted === true;
      results.push(...order.flatMap((name) => byName.get(name) ?? []));
      if (!cancelled && runTests) {
        // reported in build order, whatever order they ran in
        tests.push(...order.flatMap((name) => testsOf.get(name) ?? []));
        emit({ type: 'tests_done', tests });
      }
    } finally {
      for (const conn of own.slice(1)) conn.close();
    }

    const ok = !cancelled && failed.size === 0 && tests.every((t) => t.status === 'pass');
    const derived: DerivedResult = { tables: [], drop: [], warnings: [] };
    if (ok && options.derived) {
      try {
        Object.assign(
          derived,
          await options.derived.build({
            db,
            vars,
            asOf,
            runId,
            relationFor,
            tableFor,
            buildTableFor: (name) => name + BUILD_SUFFIX,
            modelNames: new Set(project.nodes.keys()),
            projectDir,
          }),
        );
        emit({ type: 'derived_done', tables: derived.tables, dropped: derived.drop });
      } catch (error) {
        // The models are fine; tables derived from them keep their last published state.
        derived.warnings.push(`derived tables were not rebuilt: ${errorMessage(error)}`);
      }
    }
    let published = false;
    if (ok) {
      const t0 = performance.now();
      try {
        await withTransaction(db, async (db) => {
          for (const name of [...order, ...derived.tables]) {
            await db.run(`drop table if exists ${publishedRelation(name)}`);
            // a build-only model leaves the file, with its table of an earlier --keep-intermediate build
            if (persisted(name))
              await db.run(`alter table ${persistedBuildRelation(name)} rename to ${quoteIdent(name)}`);
            else await db.run(`drop table if exists ${persistedBuildRelation(name)}`);
          }
          for (const name of derived.drop) await db.run(`drop table if exists ${publishedRelation(name)}`);
          await derived.onPublish?.(db);
        });
        published = true;
      } catch (error) {
        await dropBuildTables(db, built);
        throw new Error(`Publishing the built tables failed and was rolled back: ${errorMessage(error)}`);
      }
      emit({ type: 'published', models: order.length, seconds: (performance.now() - t0) / 1000 });
    } else {
      await dropBuildTables(db, built);
    }

    const result: BuildResult = {
      runId,
      ok,
      asOf,
      models: results,
      tests,
      published,
      seconds: (performance.now() - started) / 1000,
      warnings: [
        ...varWarnings,
        ...project.warnings,
        ...derived.warnings,
        ...(cancelled ? ['the build was cancelled; nothing was published'] : []),
      ],
    };
    await recordBuildRun(
      db,
      result,
      published ? 'published' : cancelled ? 'cancelled' : ok ? 'succeeded' : 'failed',
    );
    return result;
  }
}

/** Models a node's relationship tests read. */
function relationshipParents(node: ProjectNode): string[] {
  return node.columns.flatMap((column) =>
    (column.tests ?? []).flatMap((test) =>
      typeof test === 'object' && 'relationships' in test ? [test.relationships.to] : [],
    ),
  );
}

/**
 * Adds to the selection every build-only model a selected model reads (transitively): it has no published
 * table to read from.
 */
function withBuildOnlyInputs(
  selected: Set<string>,
  upstream: Map<string, string[]>,
  persisted: (name: string) => boolean,
): Set<string> {
  const result = new Set(selected);
  const pending = [...selected];
  while (pending.length) {
    for (const dep of upstream.get(pending.pop()!) ?? []) {
      if (persisted(dep) || result.has(dep)) continue;
      result.add(dep);
      pending.push(dep);
    }
  }
  return result;
}

/** Every `var('x')` of a model names a declared variable (when the project declares them), as file:line. */
function checkDeclaredVars(nodes: Iterable<ProjectNode>, declarations: VarDeclarations | null): void {
  if (!declarations) return;
  const usable = (name: string): boolean => {
    const declaration = declarations.get(name);
    return declaration !== undefined && !declaration.retired;
  };
  const problems = [...nodes].flatMap((node) =>
    extractCalls(node.sql ?? '')
      .filter((call) => call.fn === 'var' && call.args[0] !== undefined && !usable(call.args[0]))
      .map((call) => ({
        name: call.args[0]!,
        source: `${node.file}:${call.line}`,
        message: declarations.get(call.args[0]!)?.retired
          ? `var('${call.args[0]}') is retired: ${declarations.get(call.args[0]!)!.retired}`
          : `var('${call.args[0]}') is not declared; declare it in vars.yml (type, range, default)`,
      })),
  );
  if (problems.length) throw new VarError(problems);
}

/** Runs only the data tests against the published tables (`c360 test`). */
export async function runTestsOnly(
  db: Database,
  options: Pick<BuildOptions, 'projectDir' | 'select'> = {},
): Promise<DataTestResult[]> {
  const project = await loadProject(options.projectDir ?? DEFAULT_PROJECT_DIR, CODE_MODELS);
  const graph = buildGraph(project);
  const selected = selectNodes(graph, options.select ?? [], project.nodes.keys());
  const existing = new Set(
    (await db.queryJson(`select table_name from duckdb_tables() where schema_name = 'main'`)).map((r) =>
      String(r.table_name),
    ),
  );
  const tests: DataTestResult[] = [];
  // build-only models are tested by the build that makes them; afterwards there is no table to test
  for (const name of graph.order.filter((n) => selected.has(n) && project.nodes.get(n)!.persist)) {
    const node = project.nodes.get(name)!;
    if (!existing.has(name)) {
      tests.push({
        model: name,
        name: 'exists',
        status: 'error',
        message: `${name} has not been built yet; run c360 build first`,
      });
      continue;
    }
    tests.push(await checkDocumentedColumns(db, node, publishedRelation(name)));
    tests.push(...(await runDataTests(db, node, publishedRelation(name), publishedRelation)));
  }
  return tests;
}
