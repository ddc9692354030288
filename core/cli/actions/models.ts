import { call } from '../../api/procedure.ts';
import { withWorkspace, withWorkspaceOrOwner } from './workspaceSession.ts';
import { routedNote } from './ownerRouting.ts';
import type { BuildEventData, BuildResultData } from '../../api/schemas/build.ts';
import {
  buildProcedure,
  listModelsProcedure,
  showProcedure,
  testProcedure,
} from '../../api/modelProcedures.ts';
import type { BuildEvent } from '../../models/index.ts';
import { createOutput, formatCell, formatCount, formatSeconds, formatTable } from '../output.ts';
import { cancelOnSigint, EXIT, type GlobalOptions } from '../common.ts';
import { parseVars } from '../varArgs.ts';

/** A build's progress line; the same for a local build's events and the typed events of a routed one. */
function describeBuildEvent(event: BuildEventData): string | undefined {
  if (event.type === 'start') return `Building ${event.models} models (as_of ${event.asOf})`;
  if (event.type === 'model_done') {
    const r = event.result;
    const counter = `[${String(event.index + 1).padStart(String(event.total).length)}/${event.total}]`;
    const rows = r.rows !== undefined ? `${formatCount(r.rows)} rows` : '';
    const status = r.status === 'success' ? 'ok' : r.status.toUpperCase();
    return `${counter} ${r.name.padEnd(40, ' ')} ${status.padEnd(7)} ${rows.padStart(16)} ${formatSeconds(r.seconds).padStart(8)}${r.error ? `\n      ${r.error}` : ''}`;
  }
  if (event.type === 'tests_done') {
    const failed = event.tests.filter((t) => t.status !== 'pass').length;
    return `Data tests: ${event.tests.length - failed} passed, ${failed} failed`;
  }
  if (event.type === 'derived_done')
    return `Segment tables: ${event.tables.length} built${event.tables.length ? ` (${event.tables.join(', ')})` : ''}${
      event.dropped.length ? `; dropped ${event.dropped.join(', ')} (no such segment any more)` : ''
    }`;
  if (event.type === 'published')
    return `Published ${event.models} tables in ${formatSeconds(event.seconds)}`;
  return undefined;
}

function describeFailedTests(tests: BuildResultData['tests']): string {
  const failed = tests.filter((t) => t.status !== 'pass');
  if (!failed.length) return '';
  return `\nFailing data tests:\n${formatTable(
    ['model', 'test', 'problem'],
    failed.map((t) => [t.model, t.name, formatCell(t.message, 90)]),
  )}`;
}

function describeBuild(result: BuildResultData): string {
  const failedModels = result.models.filter((m) => m.status !== 'success');
  const lines = [
    result.ok
      ? `Build ${result.runId.slice(0, 8)} succeeded: ${result.models.length} models in ${formatSeconds(result.seconds)}.`
      : `Build ${result.runId.slice(0, 8)} FAILED after ${formatSeconds(result.seconds)}; the previously published tables are unchanged.`,
  ];
  if (failedModels.length) {
    lines.push(
      formatTable(
        ['model', 'status', 'error'],
        failedModels.map((m) => [m.name, m.status, formatCell(m.error, 100)]),
      ),
    );
  }
  const tests = describeFailedTests(result.tests);
  if (tests) lines.push(tests);
  return lines.join('\n');
}

export interface BuildOptions {
  select?: string[];
  var?: string[];
  test: boolean;
  keepIntermediate: boolean;
}

export async function build(g: GlobalOptions, options: BuildOptions): Promise<void> {
  const out = createOutput(g.json);
  const cancel = cancelOnSigint(out);
  const input = {
    select: options.select ?? [],
    vars: parseVars(options.var),
    runTests: options.test,
    keepIntermediate: options.keepIntermediate,
  };
  const onEvent = (event: BuildEventData) => {
    const message = describeBuildEvent(event);
    if (message) out.progress(message, g.json ? { event } : undefined);
  };
  const result: BuildResultData = await withWorkspaceOrOwner(
    g,
    {},
    (service) =>
      call(
        buildProcedure,
        { workspace: g.workspace, ...input },
        {
          service,
          isCancelled: cancel.isCancelled,
          signal: cancel.signal,
          onProgress: (event) => onEvent(event.data as BuildEvent),
        },
      ),
    // `c360 web` (or the app) holds the workspace: the build runs there, its typed events print here.
    async ({ owner, client }) => {
      out.progress(routedNote('build', owner), g.json ? { routedTo: owner } : undefined);
      const events = await client.models.build(input, { signal: cancel.signal });
      for (;;) {
        const step = await events.next();
        if (step.done) return step.value;
        onEvent(step.value);
      }
    },
    cancel.signal,
  );
  for (const warning of result.warnings) out.warn(warning);
  out.result(result, () => describeBuild(result));
  process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
}

export async function test(g: GlobalOptions, options: { select?: string[] }): Promise<void> {
  const out = createOutput(g.json);
  const tests = await withWorkspace(g, { readOnly: true }, (service) =>
    call(testProcedure, { workspace: g.workspace, select: options.select ?? [] }, { service }),
  );
  const failed = tests.filter((t) => t.status !== 'pass');
  out.result(
    tests,
    () => `${tests.length - failed.length} passed, ${failed.length} failed${describeFailedTests(tests)}`,
  );
  process.exitCode = failed.length ? EXIT.failed : EXIT.ok;
}

export async function show(g: GlobalOptions, model: string, options: { limit: string }): Promise<void> {
  const out = createOutput(g.json);
  const shown = await withWorkspace(g, { readOnly: true }, (service) =>
    call(
      showProcedure,
      {
        workspace: g.workspace,
        model,
        limit: Number(options.limit),
      },
      { service },
    ),
  );
  out.result(shown, () => {
    // Wide models read better transposed: one block per row, one line per column.
    const blocks = shown.rows.map((row, i) =>
      [`-- row ${i + 1} --`, ...shown.columns.map((c) => `${c.padEnd(28)} ${formatCell(row[c], 80)}`)].join(
        '\n',
      ),
    );
    return `${blocks.join('\n')}\n(${shown.rows.length} of ${formatCount(shown.totalRows)} rows of ${shown.model})`;
  });
}

export async function models(g: GlobalOptions): Promise<void> {
  const out = createOutput(g.json);
  const models = await withWorkspace(g, { readOnly: true }, (service) =>
    call(listModelsProcedure, { workspace: g.workspace }, { service }),
  );
  out.result(models, () =>
    formatTable(
      ['model', 'layer', 'rows', 'depends on'],
      models.map((m) => [
        m.name,
        m.layer,
        m.rows === null ? 'not built' : formatCount(m.rows),
        formatCell(m.upstream.join(', '), 60),
      ]),
    ),
  );
}
