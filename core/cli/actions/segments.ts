import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { call } from '../../api/procedure.ts';
import { withWorkspace } from './workspaceSession.ts';
import {
  explainSegmentProcedure,
  initSegmentsProcedure,
  listSegmentsProcedure,
  previewSegmentProcedure,
  saveSegmentProcedure,
  segmentColumnsProcedure,
  segmentHistoryProcedure,
  segmentValuesProcedure,
  snapshotSegmentProcedure,
  validateSegmentsProcedure,
} from '../../api/segmentProcedures.ts';
import {
  CustomerNotFoundError,
  ExpertSqlError,
  formatProblem,
  MissingTableError,
  SegmentDefinitionError,
  type Explanation,
  type PreviewResult,
  type RuleOutcome,
  type SegmentProblem,
} from '../../segments/index.ts';
import type { ColumnValues } from '../../segments/columnValues.ts';
import { SegmentConflictError } from '../../segments/segmentSave.ts';
import { createOutput, formatCell, formatCount, formatTable, type Output } from '../output.ts';
import { EXIT, type GlobalOptions } from '../common.ts';

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

/** Definition problems are configuration errors (exit 2); a missing build or customer is a failed run (1). */
async function guarded(out: Output, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const usage = error instanceof SegmentDefinitionError || error instanceof ExpertSqlError;
    if (!usage && !(error instanceof MissingTableError) && !(error instanceof CustomerNotFoundError))
      throw error;
    const message = error instanceof Error ? error.message : String(error);
    out.error(message);
    process.exitCode = usage ? EXIT.usage : EXIT.failed;
  }
}

function describeProblems(problems: SegmentProblem[]): string {
  return problems.map((p) => `  ${formatProblem(p)}`).join('\n');
}

function describePreview(p: PreviewResult): string {
  const lines: string[] = [
    `Segment ${p.segment}: ${formatCount(p.count)} members = ${percent(p.share)} of ${formatCount(p.base)} customers` +
      (p.holdout ? ` (${formatCount(p.eligible)} eligible, ${formatCount(p.holdout)} held out)` : '') +
      `, as of ${p.asOf}`,
    '',
    'Funnel',
    formatTable(
      ['step', 'removed', 'remaining'],
      p.funnel.map((f) => [
        formatCell(f.label, 70),
        f.kind === 'all' ? '' : formatCount(f.removed),
        formatCount(f.remaining),
      ]),
    ),
  ];
  for (const b of p.breakdowns) {
    lines.push('', `By ${b.column}`);
    lines.push(
      formatTable(
        [b.column, 'members', 'share'],
        [
          ...b.values.map((v) => [
            v.value === null ? '(none)' : formatCell(v.value, 40),
            formatCount(v.count),
            percent(v.share),
          ]),
          ...(b.other ? [['(other values)', formatCount(b.other), '']] : []),
        ],
      ),
    );
  }
  if (p.overlaps.length) {
    lines.push('', 'Overlap with the other segments (eligible members, before holdouts)');
    lines.push(
      formatTable(
        ['segment', 'size', 'in both', 'jaccard'],
        [...p.overlaps]
          .sort((a, b) => b.overlap - a.overlap)
          .map((o) => [o.segment, formatCount(o.size), formatCount(o.overlap), o.jaccard.toFixed(3)]),
      ),
    );
  }
  if (p.sample?.rows.length) {
    lines.push('', `Sample of members (${p.sample.rows.length})`);
    lines.push(
      formatTable(
        p.sample.columns,
        p.sample.rows.map((r) => p.sample!.columns.map((c) => formatCell(r[c], 28))),
      ),
    );
  }
  if (p.changes === null)
    lines.push('', 'Never published: no snapshot to compare with (`c360 segments snapshot NAME`).');
  else if (p.changes) {
    const c = p.changes;
    lines.push(
      '',
      `Since the snapshot of ${c.snapshot.takenAt} (${formatCount(c.snapshot.memberCount)} members): ` +
        `${formatCount(c.entered)} entered, ${formatCount(c.left)} left, ${formatCount(c.stayed)} stayed` +
        (c.definitionChanged ? ' — the definition changed since' : ''),
    );
    if (c.enteredSample.length) lines.push(`  entered e.g. ${c.enteredSample.slice(0, 5).join(', ')}`);
    if (c.leftSample.length) lines.push(`  left e.g. ${c.leftSample.slice(0, 5).join(', ')}`);
  }
  for (const w of p.warnings) lines.push('', `warning: ${w}`);
  lines.push('', `(${p.engine.source}, ${p.engine.mode}, ${p.engine.ms.toFixed(1)} ms)`);
  return lines.join('\n');
}

function mark(holds: boolean | null): string {
  return holds === true ? 'yes' : holds === false ? 'NO' : 'no value';
}

function describeRules(node: RuleOutcome, depth = 0): string[] {
  const values = Object.entries(node.values)
    .map(([k, v]) => `${k}=${formatCell(v, 30)}`)
    .join(', ');
  const line = `${'  '.repeat(depth)}[${mark(node.holds)}] ${node.label}${node.children.length ? '' : values ? `   (${values})` : ''}`;
  return [line, ...node.children.flatMap((c) => describeRules(c, depth + 1))];
}

function describeExplanation(e: Explanation): string {
  const lines = [
    `${e.customerId}${e.email ? ` <${e.email}>` : ''} is ${e.member ? '' : 'NOT '}a member of ${e.segment}` +
      (e.failedStep ? `: fails at "${e.failedStep.label}"` : '') +
      ` (as of ${e.asOf})`,
    '',
    formatTable(
      ['step', 'holds'],
      e.steps.map((s) => [formatCell(s.label, 80), s.holds ? 'yes' : 'NO']),
    ),
    '',
    'Rules',
    ...describeRules(e.rules),
  ];
  if (e.sinceLastSnapshot) lines.push('', `Since the last snapshot: ${e.sinceLastSnapshot.reason}`);
  else lines.push('', 'Never published: no snapshot to compare with.');
  return lines.join('\n');
}

const SPARK = '▁▂▃▄▅▆▇█';

/** Sizes as a one-line chart (lowest → highest of these points), for the history column of `segments list`. */
export function sparkline(values: readonly number[]): string {
  if (!values.length) return '';
  const low = Math.min(...values);
  const span = Math.max(...values) - low;
  return values
    .map((v) => SPARK[span === 0 ? 3 : Math.round(((v - low) / span) * (SPARK.length - 1))])
    .join('');
}

/** Points of history `segments list` draws: enough to see a trend in one table column. */
const LIST_HISTORY_POINTS = 12;

function describeHistory(points: readonly { members: number }[]): string {
  const shown = points.slice(-LIST_HISTORY_POINTS).map((p) => p.members);
  if (!shown.length) return 'no builds yet';
  const first = shown[0]!;
  const last = shown.at(-1)!;
  return `${sparkline(shown)} ${formatCount(first)}→${formatCount(last)} (${shown.length} builds)`;
}

export async function list(g: GlobalOptions): Promise<void> {
  const out = createOutput(g.json);
  await guarded(out, async () => {
    const result = await withWorkspace(g, {}, (service) =>
      call(listSegmentsProcedure, { workspace: g.workspace }, { service }),
    );
    for (const p of result.problems) out.warn(formatProblem(p));
    out.result(result, () =>
      formatTable(
        [
          'segment',
          'members',
          'last published',
          'delta',
          'published at',
          'size at the last builds',
          'Klaviyo list',
        ],
        result.segments.map((s) => [
          s.name,
          formatCount(s.count),
          s.lastSnapshot ? formatCount(s.lastSnapshot.memberCount) : 'never',
          s.delta === null ? '' : `${s.delta > 0 ? '+' : ''}${formatCount(s.delta)}`,
          s.lastSnapshot?.takenAt ?? '',
          describeHistory(s.history),
          formatCell(`${s.klaviyoList.name}${s.klaviyoList.synced ? '' : ' (not synced)'}`, 40),
        ]),
      ),
    );
    if (result.problems.length) process.exitCode = EXIT.usage;
  });
}

/** Reads the YAML to save: a file, or standard input for `-`. */
async function readSource(source: string): Promise<string> {
  if (source !== '-') return readFile(source, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** The segment name a YAML text declares, if it parses (the save reports what is wrong with it otherwise). */
function nameIn(yaml: string): string | undefined {
  try {
    const data: unknown = parse(yaml);
    const name = typeof data === 'object' && data !== null ? (data as { name?: unknown }).name : undefined;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

export async function save(
  g: GlobalOptions,
  source: string,
  options: { file?: string; over?: string },
): Promise<void> {
  const out = createOutput(g.json);
  await guarded(out, async () => {
    const yaml = await readSource(source);
    const name = nameIn(yaml);
    // Saving over a file on purpose: the file the segment is in (by default its name), as it was when read.
    const file = options.file ?? (options.over && name ? `${name}.yaml` : undefined);
    try {
      const saved = await withWorkspace(g, {}, (service) =>
        call(
          saveSegmentProcedure,
          {
            workspace: g.workspace,
            yaml,
            ...(file ? { file } : {}),
            ...(options.over ? { contentHash: options.over } : {}),
          },
          { service },
        ),
      );
      out.result(
        saved,
        () =>
          `Saved ${saved.name} to segments/${saved.file} (content hash ${saved.contentHash}).\n` +
          `Next: \`c360 segments preview ${saved.name}\`.`,
      );
    } catch (error) {
      if (!(error instanceof SegmentConflictError)) throw error;
      const { contentHash } = error.conflict;
      // The conflict as the editor shows it, with the command that saves over their version on purpose.
      const hint = contentHash
        ? `Compare with segments/${error.conflict.file}; to replace it with yours: c360 segments save ${source} --file ${error.conflict.file} --over ${contentHash}`
        : 'Save it again as a new segment (without --over).';
      out.error(out.json ? error.message : `${error.message}\n${hint}`, { code: error.code, hint });
      process.exitCode = EXIT.usage;
    }
  });
}

export async function values(g: GlobalOptions, column: string): Promise<void> {
  const out = createOutput(g.json);
  await guarded(out, async () => {
    const v = await withWorkspace(g, { readOnly: true }, (service) =>
      call(segmentValuesProcedure, { workspace: g.workspace, column }, { service }),
    );
    out.result(v, () => describeValues(v));
  });
}

function describeValues(v: ColumnValues): string {
  const lines = [
    `${v.column} (${v.kind}): ${formatCount(v.rows)} customers, ${formatCount(v.nulls)} without a value`,
  ];
  const known = v.rows - v.nulls;
  if (v.values) {
    lines.push(
      '',
      formatTable(
        ['value', 'customers', 'share'],
        [
          ...v.values.map((x) => [
            formatCell(x.value, 40),
            formatCount(x.count),
            known ? percent(x.count / known) : '',
          ]),
          ...(v.other
            ? [['(other values)', formatCount(v.other), known ? percent(v.other / known) : '']]
            : []),
        ],
      ),
    );
    if (!v.values.length && !v.other)
      lines.push('', 'No value is listed (an identifying column, or no common value).');
  }
  if (v.min !== undefined || v.max !== undefined) lines.push('', `range: ${v.min ?? ''} … ${v.max ?? ''}`);
  if (v.quantiles?.length)
    lines.push(
      '',
      formatTable(
        ['quantile', 'value'],
        v.quantiles.map((q) => [`${Math.round(q.q * 100)} %`, formatCell(q.value, 20)]),
      ),
    );
  if (v.presets?.length)
    lines.push(
      '',
      formatTable(
        ['in the last', 'from', 'customers'],
        v.presets.map((p) => [`${p.days} days`, p.from, formatCount(p.count)]),
      ),
    );
  return lines.join('\n');
}

export async function preview(
  g: GlobalOptions,
  segment: string,
  options: { breakdown?: string[]; sample: string; changes: boolean },
): Promise<void> {
  const out = createOutput(g.json);
  await guarded(out, async () => {
    const preview = await withWorkspace(g, {}, (service) =>
      call(
        previewSegmentProcedure,
        {
          workspace: g.workspace,
          segment,
          ...(options.breakdown ? { breakdowns: options.breakdown } : {}),
          sample: Number(options.sample),
          changes: options.changes,
        },
        { service },
      ),
    );
    out.result(preview, () => describePreview(preview));
  });
}

export async function explain(
  g: GlobalOptions,
  segment: string,
  options: { customer: string },
): Promise<void> {
  const out = createOutput(g.json);
  await guarded(out, async () => {
    const explanation = await withWorkspace(g, {}, (service) =>
      call(
        explainSegmentProcedure,
        {
          workspace: g.workspace,
          segment,
          customer: options.customer,
        },
        { service },
      ),
    );
    out.result(explanation, () => describeExplanation(explanation));
  });
}

export async function validate(g: GlobalOptions): Promise<void> {
  const out = createOutput(g.json);
  await guarded(out, async () => {
    const result = await withWorkspace(g, {}, (service) =>
      call(validateSegmentsProcedure, { workspace: g.workspace }, { service }),
    );
    for (const w of result.warnings) out.warn(w);
    out.result(result, () =>
      result.ok
        ? `${result.segments.length} segments are valid: ${result.segments.join(', ')}`
        : `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}:\n${describeProblems(result.problems)}`,
    );
    process.exitCode = result.ok ? EXIT.ok : EXIT.usage;
  });
}

export async function init(g: GlobalOptions, options: { only?: string[]; force: boolean }): Promise<void> {
  const out = createOutput(g.json);
  const result = await withWorkspace(g, { create: true }, (service) =>
    call(
      initSegmentsProcedure,
      {
        workspace: g.workspace,
        only: options.only ?? [],
        overwrite: options.force,
      },
      { service },
    ),
  );
  out.result(result, () =>
    [
      `Copied ${result.copied.length} templates into ${result.dir}.`,
      ...(result.kept.length
        ? [`Kept ${result.kept.length} existing files (use --force to overwrite).`]
        : []),
      'Next: `c360 segments list`, then `c360 segments preview NAME`.',
    ].join('\n'),
  );
}

export async function snapshot(g: GlobalOptions, segment: string, options: { note?: string }): Promise<void> {
  const out = createOutput(g.json);
  await guarded(out, async () => {
    const snapshot = await withWorkspace(g, {}, (service) =>
      call(
        snapshotSegmentProcedure,
        {
          workspace: g.workspace,
          segment,
          ...(options.note ? { note: options.note } : {}),
        },
        { service },
      ),
    );
    out.result(
      snapshot,
      () =>
        `Snapshot ${snapshot.snapshotId.slice(0, 8)} of ${snapshot.segment}: ${formatCount(snapshot.memberCount)} members ` +
        `(${formatCount(snapshot.enteredCount)} entered, ${formatCount(snapshot.leftCount)} left since the previous one).`,
    );
  });
}

export async function history(g: GlobalOptions, segment: string): Promise<void> {
  const out = createOutput(g.json);
  const history = await withWorkspace(g, {}, (service) =>
    call(segmentHistoryProcedure, { workspace: g.workspace, segment }, { service }),
  );
  out.result(history, () =>
    history.length
      ? formatTable(
          ['taken at', 'members', 'entered', 'left', 'as of', 'note'],
          history.map((h) => [
            h.takenAt,
            formatCount(h.memberCount),
            formatCount(h.enteredCount),
            formatCount(h.leftCount),
            h.asOf,
            formatCell(h.note, 40),
          ]),
        )
      : `No snapshots of ${segment} yet.`,
  );
}

export async function columns(g: GlobalOptions): Promise<void> {
  const out = createOutput(g.json);
  await guarded(out, async () => {
    const columns = await withWorkspace(g, { readOnly: true }, (service) =>
      call(segmentColumnsProcedure, { workspace: g.workspace }, { service }),
    );
    out.result(columns, () =>
      formatTable(
        ['column', 'kind', 'operators', 'values'],
        columns.map((c) => [
          c.name,
          c.kind,
          formatCell(c.operators.join(' '), 60),
          formatCell(c.values?.join(', '), 40),
        ]),
      ),
    );
  });
}
