import { SingleBar } from 'cli-progress';
import { call } from '../../api/procedure.ts';
import { withWorkspace, withWorkspaceOrOwner } from './workspaceSession.ts';
import { routedNote } from './ownerRouting.ts';
import type { SyncProgressEventData } from '../../api/schemas/sync.ts';
import type { SyncKind as SyncTarget } from '../../sync/guardrails.ts';
import {
  listRunsProcedure,
  RUN_ERRORS_PAGE_MAX,
  showRunProcedure,
  syncProcedure,
} from '../../api/syncProcedures.ts';
import {
  endpointLabel,
  EVENT_SKIP_REASONS,
  readPlanFile,
  savePlan,
  RunNotFoundError,
  SKIP_REASONS,
  StalePlanError,
  PlanRequestMismatchError,
  NothingToRetryError,
  type ApplyProgress,
  type Endpoint,
  type RunDetail,
  type RunSummary,
  type SyncOutcome,
  type TargetPlan,
} from '../../sync/index.ts';
import { cancelOnSigint, EXIT, type GlobalOptions } from '../common.ts';
import type { SyncKind } from '../commands/sync.ts';
import { createOutput, formatCell, formatCount, formatSeconds, formatTable, type Output } from '../output.ts';

function duration(seconds: number): string {
  if (seconds < 90) return formatSeconds(seconds);
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function targetRow(t: TargetPlan): (string | number)[] {
  if (t.sync === 'profiles')
    return [
      'profiles',
      t.target,
      `${formatCount(t.create)} create · ${formatCount(t.update)} update · ${formatCount(t.unchanged)} unchanged`,
      [
        t.clears ? `${formatCount(t.clears)} with a cleared value (sent singly)` : '',
        t.retrying ? `${formatCount(t.retrying)} retried after failing` : '',
      ]
        .filter(Boolean)
        .join('; '),
    ];
  if (t.sync === 'lists' && t.broken)
    return ['lists', t.target, 'FAILS: cannot be compiled', 'see Problems below'];
  if (t.sync === 'lists')
    return [
      'lists',
      `${t.target} → "${t.listName}"${t.listId ? '' : ' (new list)'}`,
      t.refused
        ? 'refused'
        : `${formatCount(t.add)} add · ${formatCount(t.remove)} remove · ${formatCount(t.unchanged)} stay`,
      t.refused ??
        [t.heldOut ? `${formatCount(t.heldOut)} held out` : '', t.sensitive ? 'sensitive' : '']
          .filter(Boolean)
          .join('; '),
    ];
  return [
    'events',
    t.target,
    `${formatCount(t.send)} send · ${formatCount(t.alreadySent)} already sent`,
    [
      Object.entries(t.byMetric)
        .map(([m, n]) => `${m} ${formatCount(n)}`)
        .join(', '),
      t.backfill ? `${formatCount(t.backfill)} as backfill (no flows)` : '',
      t.inflight ? `${formatCount(t.inflight)} unconfirmed from an interrupted run` : '',
      t.nonMarketable ? `${formatCount(t.nonMarketable)} to customers outside the marketing audience` : '',
      t.newProfiles ? `creates ${formatCount(t.newProfiles)} Klaviyo profiles` : '',
    ]
      .filter(Boolean)
      .join('; '),
  ];
}

function skippedLines(plan: SyncOutcome['plan']): string[] {
  const lines: string[] = [];
  for (const t of plan.targets) {
    if (t.sync === 'lists') continue;
    const reasons: Record<string, string> = t.sync === 'profiles' ? SKIP_REASONS : EVENT_SKIP_REASONS;
    for (const [reason, n] of Object.entries(t.skipped))
      lines.push(`  ${t.sync}: ${formatCount(n ?? 0)} skipped — ${reasons[reason] ?? reason}`);
  }
  return lines;
}

/** The plan's preflight (core/sync/preflight.ts): data age, who is eligible, list-creation budget, limits. */
function preflightLines(plan: SyncOutcome['plan']): string[] {
  const p = plan.preflight;
  if (!p) return [];
  const lines = ['Klaviyo preflight:'];
  const published = p.build?.published;
  if (published)
    lines.push(
      `  data: build ${published.runId}, finished ${published.finishedAt} (${published.ageHours.toFixed(1)} h ago)`,
    );
  const profiles = p.eligible.profiles;
  if (profiles)
    lines.push(
      `  profiles: ${formatCount(profiles.eligible)} of ${formatCount(profiles.sourceRows)} eligible; ` +
        `${formatCount(profiles.notMarketable)} not marketable (no email consent, suppressed or a relay address)`,
    );
  for (const list of p.eligible.lists)
    lines.push(
      `  list ${list.segment}: ${formatCount(list.members)} on the list` +
        (list.matched === null
          ? ' (rules-only count unknown: the segment changed since the last build)'
          : ` of ${formatCount(list.matched)} matched by its rules; ${formatCount(list.notEligible ?? 0)} not ` +
            'eligible (no consent, suppressed, excluded or in a higher-priority segment)') +
        (list.heldOut ? `, ${formatCount(list.heldOut)} held out` : ''),
    );
  if (p.eligible.events?.nonMarketable)
    lines.push(
      `  events: ${formatCount(p.eligible.events.nonMarketable)} of ${formatCount(p.eligible.events.send)} go to ` +
        'customers outside the marketing audience (transactional)',
    );
  const c = p.listCreations;
  lines.push(
    `  list creations: ${formatCount(c.planned)} in this plan; ${formatCount(c.left)} of Klaviyo's ${formatCount(c.dailyLimit)} ` +
      `a day left (c360 sent ${formatCount(c.usedLast24h)} in the last 24 h; creates outside c360 are not counted)`,
  );
  lines.push(
    `  over Klaviyo's limits: ${formatCount(p.overLimits.profilesTooLarge)} profiles over 100 KB, ` +
      `${formatCount(p.overLimits.eventPropertiesTooLarge)} events with a property over 100 KB`,
  );
  for (const warning of p.warnings) lines.push(`  ! ${warning}`);
  return lines;
}

export function describePlan(outcome: SyncOutcome): string {
  const { plan } = outcome;
  const retried = plan.request.retryFailed?.runId;
  const lines = [
    `Sync plan ${plan.hash}${plan.asOf ? ` (build as of ${plan.asOf})` : ''}`,
    ...(retried
      ? [`Retry of run ${retried}: only its rejected rows that are still failing (c360 runs show ${retried})`]
      : []),
    plan.account
      ? `Klaviyo account: ${plan.account.name ?? '(no organisation name)'} (${plan.account.id})`
      : 'Klaviyo account: none (no API key: plan only)',
    formatTable(['sync', 'target', 'changes', 'notes'], plan.targets.map(targetRow)),
  ];
  const skipped = skippedLines(plan);
  if (skipped.length) lines.push('Not sent (row-level reasons):', ...skipped);
  lines.push(...preflightLines(plan));
  const calls = Object.entries(plan.apiCalls) as [Endpoint, number][];
  lines.push(
    calls.length
      ? `API calls: ${calls.map(([e, n]) => `${formatCount(n)} × ${endpointLabel(e)}`).join(', ')}; ` +
          `${formatCount(plan.writeCalls)} write calls; about ${duration(plan.expectedSeconds)} at Klaviyo's rate limits ` +
          '(plus Klaviyo’s job processing)'
      : 'Nothing to send: Klaviyo is up to date (0 write calls).',
  );
  for (const t of plan.targets) {
    if (t.sync === 'profiles' && t.samples.update.length) {
      lines.push('Sample updates:');
      for (const u of t.samples.update.slice(0, 3))
        lines.push(
          `  ${u.email}: ${u.changes.map((c) => `${c.key} ${formatCell(c.from, 20)} → ${formatCell(c.to, 20)}`).join(', ')}`,
        );
    }
  }
  const broken = brokenTargets(plan);
  if (broken.length) {
    lines.push('', 'Problems (these lists are not synced and the run fails; the other targets sync):');
    for (const t of broken) lines.push(`  ✗ lists ${t.target}: ${t.broken.replace(/\n/g, '\n    ')}`);
  }
  if (plan.guardrails.length) {
    lines.push(
      '',
      'BLOCKED by guardrails (these targets are not written without approval; the others are applied):',
    );
    for (const g of plan.guardrails) lines.push(`  ✗ ${g.sync} ${g.target}: ${g.message}`);
    lines.push(
      'Approve this plan with --approve (recorded with your OS user; thresholds: sync.guardrails in c360.config.yaml).',
    );
  }
  return lines.join('\n');
}

function brokenTargets(plan: SyncOutcome['plan']): (TargetPlan & { sync: 'lists'; broken: string })[] {
  return plan.targets.filter(
    (t): t is TargetPlan & { sync: 'lists'; broken: string } => t.sync === 'lists' && t.broken !== null,
  );
}

function describeOutcome(outcome: SyncOutcome): string {
  const lines = [describePlan(outcome)];
  if (outcome.note) lines.push('', outcome.note);
  if (outcome.interruptedRuns.length)
    lines.push(
      `Resumed after interrupted run${outcome.interruptedRuns.length > 1 ? 's' : ''} ${outcome.interruptedRuns.join(', ')}.`,
    );
  if (outcome.status === 'planned') return lines.join('\n');
  const approvals = outcome.approvals.map(
    (a) =>
      `Approved by ${a.approvedBy} at ${a.approvedAt}: ${a.id} on ${a.sync} ${a.target} (plan ${a.planHash})`,
  );
  if (outcome.status === 'blocked') {
    lines.push('', `Run ${outcome.runId} blocked before any write call.`, ...approvals);
    if (outcome.error) lines.push(outcome.error);
    return lines.join('\n');
  }
  if (approvals.length) lines.push('', ...approvals);
  lines.push(
    '',
    formatTable(
      ['sync', 'target', 'planned', 'sent', 'succeeded', 'failed', 'skipped', 'API calls', '429s', 'time'],
      outcome.results.map((r) => [
        r.sync,
        r.blocked
          ? `${r.target} (blocked)`
          : brokenTargets(outcome.plan).some((t) => t.target === r.target && r.sync === 'lists')
            ? `${r.target} (cannot be compiled)`
            : r.target,
        formatCount(r.planned),
        formatCount(r.sent),
        formatCount(r.succeeded),
        formatCount(r.failed),
        formatCount(r.skipped),
        formatCount(r.apiCalls),
        formatCount(r.throttled),
        formatSeconds(r.durationMs / 1000),
      ]),
    ),
    `Run ${outcome.runId}: ${outcome.status.toUpperCase()}` +
      (outcome.plan.request.retryFailed?.runId
        ? ` (retry of run ${outcome.plan.request.retryFailed.runId})`
        : '') +
      (outcome.results.some((r) => r.failed)
        ? ` — failed rows are kept; see \`c360 runs show ${outcome.runId}\`, retry them with \`c360 sync --retry-failed ${outcome.runId}\``
        : ''),
  );
  if (outcome.error) lines.push(outcome.error);
  return lines.join('\n');
}

function progressReporter(out: Output): { onProgress: (e: ApplyProgress) => void; stop: () => void } {
  if (out.json || !process.stderr.isTTY) {
    let last = 0;
    return {
      onProgress: (e) => {
        const now = Date.now();
        if (e.message || now - last > 2000 || e.done === e.total) {
          last = now;
          out.progress(e.message ?? `${e.sync} ${e.target}: ${e.done}/${e.total}`, { ...e });
        }
      },
      stop: () => undefined,
    };
  }
  let bar: SingleBar | undefined;
  let current = '';
  return {
    onProgress: (e) => {
      const key = `${e.sync} ${e.target}`;
      if (key !== current) {
        bar?.stop();
        current = key;
        bar = new SingleBar({
          format: `${key.padEnd(28)} {bar} {value}/{total} {percentage}% · eta {eta_formatted}`,
          stream: process.stderr,
          hideCursor: true,
        });
        bar.start(Math.max(e.total, 1), 0);
      }
      bar?.setTotal(Math.max(e.total, 1));
      bar?.update(Math.min(e.done, Math.max(e.total, 1)));
    },
    stop: () => bar?.stop(),
  };
}

/**
 * 2 when a guardrail blocked the run or some of its targets (the others applied), 1 when something failed —
 * a dry run too when a segment cannot be compiled, as its sync would fail — else 0.
 */
function exitCodeFor(outcome: SyncOutcome): number {
  if (outcome.status === 'blocked') return EXIT.blocked;
  if (outcome.status === 'planned') return brokenTargets(outcome.plan).length ? EXIT.failed : EXIT.ok;
  if (outcome.status !== 'succeeded') return EXIT.failed;
  return outcome.results.some((r) => r.blocked) ? EXIT.blocked : EXIT.ok;
}

function fail(out: Output, message: string, code: number): void {
  out.error(message);
  process.exitCode = code;
}

function describeRuns(runs: RunSummary[]): string {
  if (!runs.length) return 'No sync runs yet (`c360 sync`).';
  return formatTable(
    ['run', 'started', 'status', 'syncs', 'planned', 'succeeded', 'failed', 'API calls', '429s', 'time'],
    runs.map((r) => [
      r.runId,
      r.startedAt,
      r.status,
      r.syncs.join(','),
      formatCount(r.totals.planned),
      formatCount(r.totals.succeeded),
      formatCount(r.totals.failed),
      formatCount(r.totals.apiCalls),
      formatCount(r.totals.throttled),
      r.durationMs === null ? '' : formatSeconds(r.durationMs / 1000),
    ]),
  );
}

/** ` (202 ×3, 429 ×1; sent 1.2 MB, 0.4 s)`: what came back for an endpoint's requests, when the run kept it. */
function answersOf(r: RunDetail['requests'][number]): string {
  if (!r.statuses) return '';
  const statuses = Object.entries(r.statuses)
    .map(([status, n]) => `${status === 'none' ? 'no answer' : status} ×${formatCount(n)}`)
    .join(', ');
  const mb = (r.sentBytes ?? 0) / 1024 / 1024;
  const sent = mb >= 0.1 ? `${mb.toFixed(1)} MB` : `${formatCount(Math.round((r.sentBytes ?? 0) / 1024))} KB`;
  return ` (${statuses}; sent ${sent}, ${formatSeconds((r.totalMs ?? 0) / 1000)})`;
}

function describeRun(run: RunDetail, all: boolean): string {
  const lines = [
    `Run ${run.runId}: ${run.status} · started ${run.startedAt}${run.finishedAt ? ` · finished ${run.finishedAt}` : ''}` +
      `${run.planHash ? ` · plan ${run.planHash}` : ''}${run.approved ? ' · approved' : ''}` +
      `${run.retryOf ? ` · retry of run ${run.retryOf}` : ''}`,
    formatTable(
      ['sync', 'target', 'planned', 'sent', 'succeeded', 'failed', 'skipped', 'API calls', '429s', 'time'],
      run.targets.map((t) => [
        t.sync,
        t.target,
        formatCount(t.planned),
        formatCount(t.sent),
        formatCount(t.succeeded),
        formatCount(t.failed),
        formatCount(t.skipped),
        formatCount(t.apiCalls),
        formatCount(t.throttled),
        formatSeconds(t.durationMs / 1000),
      ]),
    ),
  ];
  if (run.requests.length)
    lines.push(
      `Requests sent: ${run.requests.map((r) => `${r.endpoint} ${formatCount(r.calls)}${answersOf(r)}`).join(' · ')}`,
    );
  if (run.error) lines.push(run.error);
  if (run.errorsTotal) {
    const first = run.offset + 1;
    const last = run.offset + run.errors.length;
    lines.push(
      all || (first === 1 && last === run.errorsTotal)
        ? `Rejected rows (${formatCount(run.errorsTotal)}):`
        : `Rejected rows ${formatCount(first)}–${formatCount(last)} of ${formatCount(run.errorsTotal)}:`,
      formatTable(
        ['sync', 'target', 'row', 'code', 'error'],
        run.errors.map((e) => [e.sync, e.target, e.key, e.code, formatCell(e.error, 70)]),
      ),
    );
    const more = run.errorsTotal - last;
    if (more > 0)
      lines.push(
        `${formatCount(more)} more rejected row${more === 1 ? '' : 's'}: c360 runs show ${run.runId} --all` +
          ` (or --offset ${last} for the next page)`,
      );
  }
  return lines.join('\n');
}

export interface SyncOptions {
  dryRun: boolean;
  planOut?: string;
  plan?: string;
  approve: boolean;
  segment?: string[];
  /** `--retry-failed [run]`: true without a run id. */
  retryFailed?: string | true;
}

export async function sync(g: GlobalOptions, what: SyncKind | undefined, opts: SyncOptions): Promise<void> {
  const out = createOutput(g.json);
  const cancel = cancelOnSigint(out);
  const progress = progressReporter(out);
  try {
    // No kind given: a saved plan applies to its own syncs; otherwise all of them (core/sync resolves both).
    const syncs: SyncTarget[] | undefined =
      what === undefined ? undefined : what === 'all' ? ['profiles', 'lists', 'events'] : [what];
    const retryFailed =
      opts.retryFailed === undefined
        ? undefined
        : opts.retryFailed === true
          ? {}
          : { runId: opts.retryFailed };
    const outcome: SyncOutcome = await withWorkspaceOrOwner(
      g,
      {},
      (service) =>
        call(
          syncProcedure,
          {
            workspace: g.workspace,
            ...(syncs ? { syncs } : {}),
            ...(opts.segment ? { segments: opts.segment } : {}),
            ...(retryFailed ? { retryFailed } : {}),
            dryRun: opts.dryRun,
            ...(opts.plan ? { planFile: opts.plan } : {}),
            ...(opts.planOut ? { planOut: opts.planOut } : {}),
            approve: opts.approve,
          },
          {
            service,
            onProgress: (e) => progress.onProgress(e.data as unknown as ApplyProgress),
            isCancelled: cancel.isCancelled,
            signal: cancel.signal,
          },
        ),
      // `c360 web` (or the app) holds the workspace: the sync runs there with that process's Klaviyo key (none
      // is sent from here); a reviewed plan goes as its content, and --plan-out is written here from the answer.
      async ({ owner, client }) => {
        out.progress(routedNote('sync', owner), g.json ? { routedTo: owner } : undefined);
        const plan = opts.plan ? await readPlanFile(opts.plan) : undefined;
        const events = await client.sync.run(
          {
            ...(syncs ? { syncs } : {}),
            ...(opts.segment ? { segments: opts.segment } : {}),
            ...(retryFailed ? { retryFailed } : {}),
            dryRun: opts.dryRun,
            approve: opts.approve,
            ...(plan ? { plan } : {}),
          },
          { signal: cancel.signal },
        );
        for (;;) {
          const step = await events.next();
          if (step.done) {
            if (opts.planOut) await savePlan(opts.planOut, step.value.plan);
            return step.value;
          }
          progress.onProgress(step.value satisfies SyncProgressEventData);
        }
      },
      cancel.signal,
    );
    progress.stop();
    if (outcome.note) out.warn(outcome.note);
    out.result(outcome, () => describeOutcome(outcome));
    process.exitCode = exitCodeFor(outcome);
  } catch (error) {
    progress.stop();
    // Configuration errors (exit 2) are reported by the CLI's top-level handler.
    if (
      error instanceof StalePlanError ||
      error instanceof PlanRequestMismatchError ||
      error instanceof NothingToRetryError
    )
      return fail(out, error.message, EXIT.usage);
    throw error;
  }
}

export async function runs(
  g: GlobalOptions,
  action: string | undefined,
  id: string | undefined,
  opts: { limit?: number; offset?: number; all: boolean },
): Promise<void> {
  const out = createOutput(g.json);
  if (action === undefined) {
    const runs = await withWorkspace(g, { readOnly: true }, (service) =>
      call(listRunsProcedure, { workspace: g.workspace, limit: opts.limit ?? 20 }, { service }),
    );
    out.result(runs, () => describeRuns(runs));
    return;
  }
  if (action !== 'show' || !id)
    return fail(
      out,
      'usage: c360 runs [--limit N] | c360 runs show ID [--limit N] [--offset N] [--all]',
      EXIT.usage,
    );
  try {
    const run = await withWorkspace(g, { readOnly: true }, async (service) => {
      const page = (offset: number, limit?: number) =>
        call(
          showRunProcedure,
          { workspace: g.workspace, runId: id, offset, ...(limit ? { limit } : {}) },
          { service },
        );
      const first = await page(
        opts.all ? 0 : (opts.offset ?? 0),
        opts.all ? RUN_ERRORS_PAGE_MAX : opts.limit,
      );
      // --all: every rejected row, a page of the procedure's maximum at a time.
      while (opts.all && first.errors.length < first.errorsTotal) {
        const next = await page(first.errors.length, RUN_ERRORS_PAGE_MAX);
        if (!next.errors.length) break;
        first.errors.push(...next.errors);
      }
      return first;
    });
    out.result(run, () => describeRun(run, opts.all));
  } catch (error) {
    if (error instanceof RunNotFoundError) return fail(out, error.message, EXIT.failed);
    throw error;
  }
}
