import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { implement } from '@orpc/server';
import { contract } from './contract.ts';
import type { ApiContext } from './context.ts';
import type { LastBuild, WorkspaceInfo } from './schemas/workspace.ts';
import { toApiError, type ErrorLogger } from './server/errorMapping.ts';
import { EventQueue } from './server/eventQueue.ts';
import type { Database } from '../db/duckdb.ts';
import { customerProfile, customerSearch, overview } from '../insights/index.ts';
import type { BuildEvent, BuildResult } from '../models/runner.ts';
import { parseSegmentDefinition } from '../segments/index.ts';
import { readSavedSegment } from '../segments/savedSegment.ts';
import { segmentColumns, segmentValues, saveSegmentOn } from './segmentProcedures.ts';
import { columnBreakdown } from '../segments/columnBreakdown.ts';
import { memberPage } from '../segments/memberPage.ts';
import { simulatePriorityGroup } from '../segments/prioritySimulation.ts';
import { overlapMatrix } from '../segments/overlapMatrix.ts';
import { whatIfDiff } from '../segments/whatIf.ts';
import { buildOnService } from './modelProcedures.ts';
import { call } from './procedure.ts';
import { loadUploadedFiles } from './sourceProcedures.ts';
import { segmentListWithHistory, segmentTemplates } from './segmentStudioCalls.ts';
import { saveSettings, testKlaviyoConnection, workspaceSettings } from './settingsCalls.ts';
import { listRunsProcedure, showRunProcedure, syncProcedure } from './syncProcedures.ts';
import { asLooseRun, listBuildRuns, runDetail } from './runsProcedures.ts';
import type { LoadProgressEvent, LoadReport } from '../sources/loadFiles.ts';
import type { ApplyProgress, SyncOutcome } from '../sync/index.ts';
import type { GuardrailApprovalData, SyncPlanData } from './schemas/sync.ts';
import { DATABASE_FILE } from '../workspace/workspace.ts';

export interface RouterOptions {
  /** Where the detail of internal errors goes (default: stderr); clients only see a reference. */
  log?: ErrorLogger;
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown, unknown> & AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** Errors thrown while a streaming call runs reach the client after the handler returned: map those too. */
async function* mapStreamErrors(
  iterator: AsyncIterator<unknown, unknown>,
  procedure: string,
  log?: ErrorLogger,
): AsyncGenerator<unknown, unknown, undefined> {
  try {
    for (;;) {
      const step = await iterator.next();
      if (step.done) return step.value;
      yield step.value;
    }
  } catch (error) {
    throw toApiError(error, procedure, log);
  } finally {
    await iterator.return?.();
  }
}

async function lastBuild(db: Database): Promise<{ build: LastBuild | null; asOf: string | null }> {
  const [table] = await db.queryJs(
    `select 1 from duckdb_tables() where schema_name = 'c360' and table_name = 'build_runs'`,
  );
  if (!table) return { build: null, asOf: null };
  const [last] = await db.queryJs(
    `select run_id, strftime(finished_at, '%Y-%m-%dT%H:%M:%S') as finished_text, ok, published, seconds
       from c360.build_runs order by finished_at desc limit 1`,
  );
  const [published] = await db.queryJs(
    `select strftime(as_of, '%Y-%m-%d') as as_of_text from c360.build_runs where published
      order by finished_at desc limit 1`,
  );
  return {
    build: last
      ? {
          runId: String(last.run_id),
          finishedAt: String(last.finished_text),
          ok: Boolean(last.ok),
          published: Boolean(last.published),
          seconds: Number(last.seconds),
        }
      : null,
    asOf: published ? String(published.as_of_text) : null,
  };
}

/**
 * A long job as a streaming call: `start` runs it with a callback for its progress events and a signal; the
 * events are yielded as they come and the job's result is returned. The job is stopped when the caller goes
 * away (closed socket, aborted fetch, iterator returned early).
 */
async function* streamJob<E, R>(
  signal: AbortSignal | undefined,
  start: (push: (event: E) => void, signal: AbortSignal) => Promise<R>,
): AsyncGenerator<E, R, undefined> {
  const events = new EventQueue<E>();
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const done = start((event) => events.push(event), stop.signal);
  done.then(
    () => events.close(),
    () => events.close(),
  );
  try {
    yield* events;
    return await done;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stop.abort();
    // The outcome was awaited above, or the caller left and nobody will read it.
    done.catch(() => undefined);
  }
}

/**
 * A sync through the same procedure as `c360 sync` in the owning process; a reviewed plan, sent as its content,
 * is handed to it as a plan file in a private temporary folder (removed after).
 */
async function runSyncCall(
  context: ApiContext,
  input: {
    syncs?: SyncOutcome['plan']['request']['syncs'] | undefined;
    segments?: string[] | undefined;
    retryFailed?: { runId?: string | undefined } | undefined;
    dryRun: boolean;
    approve: boolean;
    approvals?: GuardrailApprovalData[] | undefined;
    plan?: SyncPlanData | undefined;
  },
  push: (event: ApplyProgress) => void,
  signal: AbortSignal,
): Promise<SyncOutcome> {
  const planDir = input.plan ? await mkdtemp(join(tmpdir(), 'c360-plan-')) : undefined;
  try {
    const planFile = planDir ? join(planDir, 'plan.json') : undefined;
    if (planFile) await writeFile(planFile, JSON.stringify(input.plan), { mode: 0o600 });
    return await call(
      syncProcedure,
      {
        ...(input.syncs ? { syncs: input.syncs } : {}),
        ...(input.segments ? { segments: input.segments } : {}),
        ...(input.retryFailed ? { retryFailed: input.retryFailed } : {}),
        dryRun: input.dryRun,
        approve: input.approve,
        ...(input.approvals ? { approvals: input.approvals } : {}),
        ...(planFile ? { planFile } : {}),
      },
      {
        service: context.service,
        ...(context.klaviyoKey ? { klaviyoKey: context.klaviyoKey } : {}),
        signal,
        isCancelled: () => signal.aborted,
        onProgress: (event) => push(event.data as unknown as ApplyProgress),
      },
    );
  } finally {
    if (planDir) await rm(planDir, { recursive: true, force: true });
  }
}

/** The service's long-lived segment engine, loaded and reloaded when segment files changed. */
async function segmentEngine(context: ApiContext) {
  const engine = context.service.segments;
  await engine.refresh();
  return engine;
}

/**
 * The API's handlers over the workspace service in the call context. Every transport (HTTP, WebSocket,
 * MessagePort, in-process) serves this one router, so error mapping happens here, once.
 */
export function createRouter(options: RouterOptions = {}) {
  const base = implement(contract).$context<ApiContext>();
  const mapErrors = base.middleware(async ({ next, path }) => {
    const procedure = path.join('.');
    try {
      const result = await next();
      return isAsyncIterator(result.output)
        ? { ...result, output: mapStreamErrors(result.output, procedure, options.log) }
        : result;
    } catch (error) {
      throw toApiError(error, procedure, options.log);
    }
  });
  const os = base.use(mapErrors);

  return os.router({
    workspace: {
      info: os.workspace.info.handler(async ({ context, signal }): Promise<WorkspaceInfo> => {
        const { service } = context;
        const { size } = await stat(join(service.dir, DATABASE_FILE));
        const { build, asOf } = await service.read((db) => lastBuild(db), { signal });
        return { name: basename(service.dir), databaseBytes: size, lastBuild: build, asOf };
      }),
    },
    overview: {
      get: os.overview.get.handler(({ input, context, signal }) =>
        context.service.read((db, querySignal) => overview(db, input, querySignal), { signal }),
      ),
    },
    customers: {
      search: os.customers.search.handler(({ input, context, signal }) =>
        context.service.read((db, querySignal) => customerSearch(db, input, querySignal), { signal }),
      ),
      profile: os.customers.profile.handler(async ({ input, context, signal }) => {
        const engine = context.service.segments;
        // The memberships and their "why" come from the saved segments; the engine reloads them if changed.
        await engine.refresh();
        const segments = { set: engine.set, problems: engine.problems };
        return context.service.read(
          (db, querySignal) => customerProfile(db, input, querySignal, { segments }),
          { signal },
        );
      }),
    },
    segments: {
      // The editor's insights: the definition goes through the segment definition schema (problems name paths).
      diff: os.segments.diff.handler(async ({ input, context, signal }) => {
        const engine = await segmentEngine(context);
        const draft = parseSegmentDefinition(input.definition);
        return engine.inspect(draft, 'what-if diff', signal ? { signal } : {}, (db, set) =>
          whatIfDiff(db, set, draft, {
            ...(input.savedName ? { savedName: input.savedName } : {}),
            sample: input.sample,
          }),
        );
      }),
      breakdown: os.segments.breakdown.handler(async ({ input, context, signal }) => {
        const engine = await segmentEngine(context);
        const draft = parseSegmentDefinition(input.definition);
        return engine.inspect(draft, `breakdown by ${input.column}`, signal ? { signal } : {}, (db, set) =>
          columnBreakdown(db, set, draft, input.column, { top: input.top, bins: input.bins }),
        );
      }),
      priority: os.segments.priority.handler(async ({ input, context, signal }) => {
        const engine = await segmentEngine(context);
        const draft = parseSegmentDefinition(input.definition);
        return engine.inspect(draft, 'priority simulation', signal ? { signal } : {}, (db, set) =>
          simulatePriorityGroup(db, set, draft, input.savedName),
        );
      }),
      members: os.segments.members.handler(async ({ input, context, signal }) => {
        const engine = await segmentEngine(context);
        const draft = parseSegmentDefinition(input.definition);
        return engine.inspect(draft, 'member page', signal ? { signal } : {}, (db, set) =>
          memberPage(db, set, draft, { offset: input.offset, limit: input.limit }),
        );
      }),
      overlaps: os.segments.overlaps.handler(async ({ input, context, signal }) => {
        const engine = await segmentEngine(context);
        const draft = parseSegmentDefinition(input.definition);
        return engine.inspect(draft, 'overlap matrix', signal ? { signal } : {}, (db, set) =>
          overlapMatrix(db, set, draft, input.savedName),
        );
      }),
      explainDraft: os.segments.explainDraft.handler(async ({ input, context, signal }) => {
        const engine = await segmentEngine(context);
        return engine.explain(
          parseSegmentDefinition(input.definition),
          input.customer,
          signal ? { signal } : {},
        );
      }),
      list: os.segments.list.handler(async ({ context, signal }) =>
        segmentListWithHistory(context.service, await segmentEngine(context), signal),
      ),
      templates: os.segments.templates.handler(async ({ context }) => {
        // Before the first build there is no catalogue: the gallery still shows every template.
        const engine = await segmentEngine(context).catch(() => null);
        return segmentTemplates(context.service, engine?.set);
      }),
      preview: os.segments.preview.handler(async ({ input, context, signal }) => {
        const engine = await segmentEngine(context);
        // An inline definition goes through the segment definition schema: its problems name the path.
        const target = input.definition
          ? parseSegmentDefinition(input.definition)
          : await engine.resolve(input.segment!);
        const {
          sample: _sample,
          changes: _changes,
          ...figures
        } = await engine.preview(target, {
          ...(input.breakdowns ? { breakdowns: input.breakdowns } : {}),
          ...(signal ? { signal } : {}),
        });
        return figures;
      }),
      get: os.segments.get.handler(async ({ input, context }) => {
        const engine = await segmentEngine(context);
        // Saved segments only (the name pattern keeps out paths); a broken file throws its problems.
        const loaded = await engine.resolve(input.segment);
        return readSavedSegment(loaded);
      }),
      explain: os.segments.explain.handler(async ({ input, context, signal }) => {
        const engine = await segmentEngine(context);
        // The name pattern of the input schema keeps out paths: `resolve` reads only saved segments here.
        const target = await engine.resolve(input.segment);
        return engine.explain(target, input.customer, signal ? { signal } : {});
      }),
      save: os.segments.save.handler(({ input, context }) => saveSegmentOn(context.service, input)),
      columns: os.segments.columns.handler(({ context }) => segmentColumns(context.service)),
      values: os.segments.values.handler(({ input, context, signal }) =>
        segmentValues(context.service, input.column, signal),
      ),
    },
    settings: {
      get: os.settings.get.handler(({ context }) => workspaceSettings(context)),
      save: os.settings.save.handler(({ input, context }) => saveSettings(context, input)),
    },
    klaviyo: {
      testConnection: os.klaviyo.testConnection.handler(({ context, signal }) =>
        testKlaviyoConnection(context, signal),
      ),
    },
    models: {
      build: os.models.build.handler(({ input, context, signal }) =>
        streamJob<BuildEvent, BuildResult>(signal, (push, stop) =>
          context.service.write(
            'build',
            ({ db, signal: jobSignal }) =>
              // aborted with stop: interrupts the running model's SQL, not only the next model's start
              buildOnService(context.service, db, input, { onEvent: push, signal: jobSignal }),
            { signal: stop },
          ),
        ),
      ),
    },
    sources: {
      load: os.sources.load.handler(({ input, context, signal }) =>
        streamJob<LoadProgressEvent, LoadReport>(signal, (push, stop) =>
          loadUploadedFiles(context.service, { ...input, onProgress: push }, stop),
        ),
      ),
    },
    sync: {
      run: os.sync.run.handler(({ input, context, signal }) =>
        streamJob<ApplyProgress, SyncOutcome>(signal, (push, stop) =>
          runSyncCall(context, input, push, stop),
        ),
      ),
    },
    runs: {
      list: os.runs.list.handler(async ({ input, context, signal }) => {
        const runs = await call(listRunsProcedure, input, {
          service: context.service,
          ...(signal ? { signal } : {}),
        });
        return runs.map(asLooseRun);
      }),
      show: os.runs.show.handler(async ({ input, context, signal }) => {
        // offset/limit go along: a runs.show that pages itself uses them, one that does not ignores them
        const run = await call(showRunProcedure, input, {
          service: context.service,
          ...(signal ? { signal } : {}),
        });
        return runDetail(run, input.offset, input.limit);
      }),
      builds: os.runs.builds.handler(({ input, context, signal }) =>
        context.service.read((db) => listBuildRuns(db, input.limit), { signal }),
      ),
    },
  });
}

export type AppRouter = ReturnType<typeof createRouter>;
