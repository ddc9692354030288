import type { Database } from '../db/duckdb.ts';
import { applyEvents } from './applyEvents.ts';
import { applyList } from './applyLists.ts';
import { applyProfiles } from './applyProfiles.ts';
import {
  emptyTally,
  isCancellation,
  SyncCancelledError,
  type ApplyContext,
  type ApplyProgress,
} from './applyContext.ts';
import type { SyncConfig } from './config.ts';
import type { SyncKind, TargetPlan } from './guardrails.ts';
import { DEFAULT_BASE_URL, KlaviyoClient, type KlaviyoAccount } from './klaviyo/client.ts';
import { KlaviyoApiError, KlaviyoUnreachableError, redact, REQUIRED_SCOPES } from './klaviyo/errors.ts';
import { computePlan, openSegmentEngine, savePlan, type PlanRequest, type SyncPlan } from './plan.ts';
import {
  finishRun,
  markInterruptedRuns,
  newRunId,
  recordTarget,
  startRun,
  type RunStatus,
  type TargetResult,
} from './runs.ts';
import { pause } from './klaviyo/pause.ts';
import { DbQueue, ensureSyncTables, OWN_DATABASE, type WriterSlot } from './state.ts';
import { interruptible } from '../db/interrupt.ts';
import type { SegmentEngine } from '../segments/index.ts';
import { checkPlanAccount, resolvePlanRequest, StalePlanError } from './planChecks.ts';
import {
  decideGuardrails,
  describeBlocked,
  everyTargetBlocked,
  recordApprovals,
  targetKey,
  type GuardrailApproval,
  type RecordedApproval,
} from './approvals.ts';

/**
 * One sync run (SPEC §7): account → plan → guardrails → apply → run record. Without an API key it plans only
 * (dry run), so a demo workspace shows what would be sent. With a key it first asks Klaviyo which account the
 * key belongs to (one call), and the plan names that account.
 */

export interface SyncWorkspace {
  /**
   * The sync's connection: its plan temp tables and its reads. With the workspace service a connection of the
   * sync's own, not the writer's (the writer is lent out per write job through `writer`).
   */
  db: Database;
  config: SyncConfig;
  dir: string;
  projectDir: string;
  /** How the sync takes the workspace's writer for its write jobs (default: it has the database to itself). */
  writer?: WriterSlot;
}

export interface SyncRequest {
  /**
   * Which syncs. With `plan` they must be the plan's own (PlanRequestMismatchError otherwise); left out (with
   * `segments`), the plan applies as it was made. Without a plan, left out means all three.
   */
  syncs?: SyncKind[] | undefined;
  /** Lists sync: only these segments. */
  segments?: string[] | undefined;
  /**
   * Only the rows an earlier run rejected that are still failing (retryScope.ts): that run, or left without a
   * run id, the newest run with such rows. The run record names the run it retries.
   */
  retryFailed?: { runId?: string | undefined } | undefined;
  dryRun?: boolean;
  /** A reviewed plan: applied only if the current plan is identical (or resumes its interrupted apply). */
  plan?: SyncPlan | undefined;
  planOut?: string;
  /** Approve every guardrail the plan trips (with `plan`: every one that plan shows). */
  approve?: boolean;
  /** Approve only these guardrails (bound to `plan` when given). */
  approvals?: GuardrailApproval[] | undefined;
}

export interface SyncHooks {
  onProgress?: (event: ApplyProgress) => void;
  /**
   * Cancels the run: planning statements are interrupted; while applying, no new Klaviyo call starts and waits
   * (rate limits, Retry-After, backoff, job polls) end at once, calls in flight finish and are recorded, and the
   * run ends as `cancelled`. The next run resumes.
   */
  signal?: AbortSignal;
  /** Polled between batches, for callers without a signal. */
  isCancelled?: () => boolean;
  /** Where the API key comes from (default: the environment variable named in the config). */
  apiKey?: () => Promise<string | undefined> | string | undefined;
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

export type SyncStatus = 'planned' | 'blocked' | RunStatus;

/** A target's result in a run's outcome: what the run record holds, and whether a guardrail blocked it. */
export interface SyncTargetResult extends TargetResult {
  /** The messages of the guardrails that blocked this target (nothing was written for it); null if applied. */
  blocked: string | null;
}

export interface SyncOutcome {
  /** `blocked` only when every target was blocked; otherwise what the applied targets make it. */
  status: SyncStatus;
  dryRun: boolean;
  /** Why the run only planned (no API key). */
  note: string | null;
  plan: SyncPlan;
  runId: string | null;
  results: SyncTargetResult[];
  interruptedRuns: string[];
  resumedPlan: boolean;
  error: string | null;
  /** The guardrail approvals this run used, as recorded in `c360.sync_approvals`. */
  approvals: RecordedApproval[];
}

async function wasStartedAndInterrupted(db: Database, hash: string): Promise<boolean> {
  const [row] = await db.queryJson(
    `select count(*) as n from c360.sync_runs r where r.plan_hash = $1 and r.status in ('interrupted', 'failed', 'partial', 'cancelled')
       and not exists (select 1 from c360.build_runs b where b.published and b.finished_at > r.started_at)`,
    [hash],
  );
  return Number(row?.n ?? 0) > 0;
}

function describePlanDrift(saved: SyncPlan, now: SyncPlan): string {
  const lines: string[] = [];
  for (const t of now.targets) {
    const before = saved.targets.find((s) => s.sync === t.sync && s.target === t.target);
    const figures = (p: TargetPlan | undefined) =>
      !p
        ? 'not in the saved plan'
        : p.sync === 'profiles'
          ? `${p.create} create, ${p.update} update`
          : p.sync === 'lists'
            ? `${p.add} add, ${p.remove} remove`
            : `${p.send} send`;
    if (figures(before) !== figures(t))
      lines.push(`  ${t.sync} ${t.target}: saved ${figures(before)}, now ${figures(t)}`);
  }
  return lines.join('\n');
}

function plannedOf(t: TargetPlan): { planned: number; skipped: number } {
  if (t.sync === 'profiles')
    return {
      planned: t.create + t.update,
      skipped: Object.values(t.skipped).reduce((a, b) => a + (b ?? 0), 0),
    };
  if (t.sync === 'lists')
    return { planned: t.broken ? 0 : t.add + t.remove, skipped: t.refused ? t.members : 0 };
  return { planned: t.send, skipped: Object.values(t.skipped).reduce((a, b) => a + (b ?? 0), 0) };
}

interface Prepared {
  plan: SyncPlan;
  engine: SegmentEngine | undefined;
  interruptedRuns: string[];
  resumedPlan: boolean;
  /** Set when the run was recorded: blocked by a guardrail, or started. */
  runId: string | null;
  /** Every target was blocked: the run was recorded as blocked and nothing is applied. */
  blocked: boolean;
  /** Per blocked target (targetKey): its unapproved guardrails. */
  blockedTargets: Map<string, string>;
  approvals: RecordedApproval[];
}

/**
 * Planning, in one write job: the plan reads the published tables, so no build may publish halfway through it
 * (the plan hash and guardrails must describe one state). It leaves the plan in temp tables of `db`, the
 * connection the apply phase then reads; and it records the run as started before giving the writer back.
 */
async function prepare(
  ws: SyncWorkspace,
  request: SyncRequest,
  planRequest: PlanRequest,
  hooks: SyncHooks,
  dryRun: boolean,
  account: KlaviyoAccount | null,
): Promise<Prepared> {
  const { config } = ws;
  // A reviewed plan applies only to the account it was reviewed for; checked before the plan is recomputed.
  if (request.plan && account) checkPlanAccount(request.plan, account, config.klaviyo.api_key_env);
  // Planning statements stop when the run is cancelled; nothing has been sent yet.
  const db = hooks.signal ? interruptible(ws.db, hooks.signal) : ws.db;
  await ensureSyncTables(db);
  const interruptedRuns = await markInterruptedRuns(db);
  const planContext = { db, workspaceDir: ws.dir, projectDir: ws.projectDir };
  // One engine for planning and for the publish snapshots: the segments are loaded once per run.
  const engine =
    planRequest.syncs.includes('lists') && config.lists.enabled
      ? await openSegmentEngine(planContext)
      : undefined;
  const plan = await computePlan(
    {
      ...planContext,
      config,
      account,
      ...(hooks.now ? { now: hooks.now } : {}),
      ...(engine ? { engine } : {}),
    },
    planRequest,
  );
  let resumedPlan = false;
  if (request.plan && request.plan.hash !== plan.hash) {
    if (await wasStartedAndInterrupted(db, request.plan.hash)) resumedPlan = true;
    else
      throw new StalePlanError(
        `The plan ${request.plan.hash} (made ${request.plan.createdAt}) is stale: the source or the Klaviyo state changed since, ` +
          `so it is not applied. Current plan: ${plan.hash}.\n${describePlanDrift(request.plan, plan)}\n` +
          'Review the current plan with `c360 sync --dry-run --plan-out FILE` and apply that file.',
      );
  }
  if (request.planOut) await savePlan(request.planOut, plan);
  const decision = decideGuardrails(plan, request);
  const prepared: Prepared = {
    plan,
    engine,
    interruptedRuns,
    resumedPlan,
    runId: null,
    blocked: false,
    blockedTargets: decision.blocked,
    approvals: [],
  };
  if (dryRun) return prepared;
  const runId = newRunId();
  // The run records go through the connection without the signal: a cancelled run is still recorded.
  await startRun(
    ws.db,
    runId,
    planRequest.syncs,
    plan.hash,
    Boolean(request.approve) || decision.approved.length > 0,
    plan.request.retryFailed?.runId,
  );
  // Bound to the plan the user reviewed: its hash (the same as this plan's, unless this resumes its apply).
  const approvals = await recordApprovals(
    ws.db,
    runId,
    request.plan?.hash ?? plan.hash,
    decision.approved,
    hooks.now,
  );
  if (everyTargetBlocked(plan.targets, decision.blocked)) {
    for (const target of plan.targets)
      await recordTarget(ws.db, runId, blockedResult(target, decision.blocked));
    await finishRun(ws.db, runId, 'blocked', describeBlocked(plan.targets, decision.blocked, planRequest));
    return { ...prepared, runId, blocked: true, approvals };
  }
  return { ...prepared, runId, approvals };
}

/** The result of a target that was not applied (a guardrail blocked it, or its segment is broken): nothing sent. */
function blockedResult(target: TargetPlan, blocked: Map<string, string>): SyncTargetResult {
  return {
    sync: target.sync,
    target: target.target,
    ...plannedOf(target),
    sent: 0,
    succeeded: 0,
    failed: 0,
    apiCalls: 0,
    throttled: 0,
    durationMs: 0,
    blocked: blocked.get(targetKey(target)) ?? null,
  };
}

export async function runSync(
  ws: SyncWorkspace,
  request: SyncRequest,
  hooks: SyncHooks = {},
): Promise<SyncOutcome> {
  const { db, config } = ws;
  // A saved plan for another sync is refused before anything else happens.
  const planRequest = resolvePlanRequest(request);
  const writer = ws.writer ?? OWN_DATABASE;
  const signal = hooks.signal;
  const env = hooks.env ?? process.env;
  const apiKey =
    (await (hooks.apiKey ? hooks.apiKey() : env[config.klaviyo.api_key_env]))?.trim() || undefined;
  let dryRun = request.dryRun ?? false;
  let note: string | null = null;
  if (!apiKey && !dryRun) {
    if (request.plan)
      throw new StalePlanError(
        `${config.klaviyo.api_key_env} is not set, so the plan cannot be applied. Set it to a private API key (pk_…) with the scopes ${REQUIRED_SCOPES}.`,
      );
    dryRun = true;
    note = `${config.klaviyo.api_key_env} is not set: showing the plan only (dry run). Set it to a private Klaviyo API key to apply.`;
  }
  const client = apiKey
    ? new KlaviyoClient({
        apiKey,
        baseUrl: env.KLAVIYO_BASE_URL ?? config.klaviyo.base_url ?? DEFAULT_BASE_URL,
        concurrency: config.klaviyo.concurrency,
        timeoutMs: config.klaviyo.request_timeout_seconds * 1000,
        maxAttempts: config.klaviyo.max_attempts,
        rateLimitScale: config.klaviyo.rate_limit_scale,
        ...(signal ? { signal } : {}),
      })
    : undefined;
  // Read before the write job: waiting on Klaviyo (its limit on this call is 1/s) must not hold the writer.
  const account = client ? await client.getAccount() : null;
  const { plan, engine, interruptedRuns, resumedPlan, runId, blocked, blockedTargets, approvals } =
    await writer(
      'sync',
      () => prepare(ws, request, planRequest, hooks, dryRun, account),
      signal ? { signal } : {},
    );
  const outcome = (status: SyncStatus, extra: Partial<SyncOutcome> = {}): SyncOutcome => ({
    status,
    dryRun,
    note,
    plan,
    runId: null,
    results: [],
    interruptedRuns,
    resumedPlan,
    error: null,
    approvals,
    ...extra,
  });
  if (dryRun || runId === null || !client) return outcome('planned');
  if (blocked)
    return outcome('blocked', {
      runId,
      results: plan.targets.map((t) => blockedResult(t, blockedTargets)),
      error: describeBlocked(plan.targets, blockedTargets, plan.request),
    });

  // From here on the sync holds the writer only while it records what Klaviyo acknowledged.
  const q = new DbQueue(db, writer);
  const isCancelled = () => signal?.aborted === true || hooks.isCancelled?.() === true;
  const ctx: ApplyContext = {
    q,
    client,
    runId,
    config,
    buildRunId: plan.buildRunId,
    progress: (e) => hooks.onProgress?.(e),
    isCancelled,
    sleep: async (ms) => {
      if (!(await pause(ms, signal)) || isCancelled()) throw new SyncCancelledError();
    },
    tally: emptyTally(),
  };
  const results: SyncTargetResult[] = [];
  const errors: string[] = [];
  let status: RunStatus = 'succeeded';
  for (const target of plan.targets) {
    if (blockedTargets.has(targetKey(target))) {
      // Only this target waits for approval; the others apply.
      const result = blockedResult(target, blockedTargets);
      results.push(result);
      await q.write((db) => recordTarget(db, runId, result));
      continue;
    }
    if (target.sync === 'lists' && target.broken) {
      // A segment that cannot be compiled fails its target loudly instead of leaving its list quietly stale.
      const result: SyncTargetResult = { ...blockedResult(target, blockedTargets), blocked: null };
      results.push(result);
      await q.write((db) => recordTarget(db, runId, result));
      errors.push(`lists ${target.target}: ${target.broken}`);
      status = 'failed';
      continue;
    }
    const started = Date.now();
    const before = { calls: totalCalls(client), throttled: client.stats.throttled };
    // What Klaviyo acknowledged, as the apply goes: recorded also when the apply throws (fault, cancel).
    const counts = emptyTally();
    const targetCtx: ApplyContext = { ...ctx, tally: counts };
    let fatal: unknown;
    try {
      if (isCancelled()) throw new SyncCancelledError();
      if (target.sync === 'profiles') await applyProfiles(targetCtx, target);
      else if (target.sync === 'lists')
        // A retry sends a few members, not the segment: its list is not published (nor snapshotted) by it.
        await applyList(targetCtx, target, { engine: engine!, publish: !plan.request.retryFailed });
      else await applyEvents(targetCtx, target);
      if (target.sync === 'lists' && target.refused) errors.push(`lists ${target.target}: ${target.refused}`);
    } catch (error) {
      fatal = error;
    }
    const { planned, skipped } = plannedOf(target);
    const result: SyncTargetResult = {
      sync: target.sync,
      target: target.target,
      planned,
      sent: counts.sent,
      succeeded: counts.succeeded,
      failed: counts.failed,
      skipped,
      apiCalls: totalCalls(client) - before.calls,
      throttled: client.stats.throttled - before.throttled,
      durationMs: Date.now() - started,
      blocked: null,
    };
    results.push(result);
    await q.write((db) => recordTarget(db, runId, result));
    if (counts.failed > 0 && status === 'succeeded') status = 'partial';
    if (fatal !== undefined) {
      if (isCancellation(fatal) && isCancelled()) {
        status = 'cancelled';
        errors.push(new SyncCancelledError().message);
        break;
      }
      const message = redact(fatal instanceof Error ? fatal.message : String(fatal), [apiKey!]);
      errors.push(`${target.sync} ${target.target}: ${message}`);
      status = 'failed';
      // Without valid credentials, or without a way to reach Klaviyo, every other target fails the same way.
      if (fatal instanceof KlaviyoApiError && (fatal.status === 401 || fatal.status === 403)) break;
      if (fatal instanceof KlaviyoUnreachableError) break;
    }
  }
  const blockedNote = describeBlocked(plan.targets, blockedTargets, plan.request);
  if (blockedNote) errors.push(blockedNote);
  const error = errors.length ? errors.join('\n') : null;
  await q.write((db) =>
    finishRun(db, runId, status, error, {
      apiCalls: client.stats.calls,
      throttled: client.stats.throttled,
      requests: client.stats.requests,
    }),
  );
  return outcome(status, { runId, results, error });
}

function totalCalls(client: KlaviyoClient): number {
  return Object.values(client.stats.calls).reduce((a, b) => a + (b ?? 0), 0);
}
