import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Database } from '../db/duckdb.ts';
import { latestBuild } from '../segments/catalogue.ts';
import { SEGMENTS_DIR, SegmentEngine } from '../segments/index.ts';
import type { SyncConfig } from './config.ts';
import { planEvents } from './eventPlan.ts';
import { checkGuardrails, type SyncKind, type TargetPlan, type TrippedGuardrail } from './guardrails.ts';
import type { KlaviyoAccount } from './klaviyo/client.ts';
import { BATCH_LIMITS, ENDPOINTS, secondsForCalls, type Endpoint } from './klaviyo/rateLimits.ts';
import { planBrokenList, planList, prepareListPlanTable, selectSegments } from './listPlan.ts';
import { planPreflight, readDataFreshness, type PlanPreflight } from './preflight.ts';
import { planProfiles, readModelHealthTags } from './profilePlan.ts';
import { ensureSyncTables } from './state.ts';
import { C360Error, type C360ErrorOptions } from '../errors.ts';
import { SYNC_KIND_NAMES } from '../api/schemas/syncKinds.ts';
import { prepareRetryScope, resolveRetryRun, type RetryFailed, type RetryScope } from './retryScope.ts';

/**
 * A plan: what a sync would send, diffed against what Klaviyo confirmed, with the API calls and time it needs.
 * Its hash covers the diff itself (row keys, actions, payload hashes), so a saved plan applies only while the
 * source and the Klaviyo state are exactly what was reviewed, and names the Klaviyo account it writes to: the same
 * diff applied with another brand's key would write to the wrong account.
 */

/** One list of the three syncs (core/api/schemas/syncKinds.ts, zod-free so that the renderer can import it). */
export const SYNC_KINDS = SYNC_KIND_NAMES;

export interface PlanRequest {
  syncs: SyncKind[];
  /** Lists sync: only these segments. */
  segments?: string[];
  /**
   * Only the rows the run `runId` rejected that are still failing (retryScope.ts). Left without a run id, the
   * newest run with such rows; a computed plan always names the run (its hash binds it).
   */
  retryFailed?: { runId?: string | undefined };
}

/** The request a computed plan was made for: a retry names its run. */
export type PlannedRequest = Omit<PlanRequest, 'retryFailed'> & { retryFailed?: RetryFailed };

export interface SyncPlan {
  kind: 'c360-sync-plan';
  version: 1;
  hash: string;
  createdAt: string;
  buildRunId: string | null;
  asOf: string | null;
  /** The Klaviyo account the key belongs to; null only for a dry run without a key. */
  account: KlaviyoAccount | null;
  request: PlannedRequest;
  targets: TargetPlan[];
  guardrails: TrippedGuardrail[];
  apiCalls: Partial<Record<Endpoint, number>>;
  writeCalls: number;
  /** At Klaviyo's steady limits, not counting Klaviyo's own job processing time. */
  expectedSeconds: number;
  /**
   * Checked before sending (preflight.ts): data freshness, who is eligible, the daily list-creation budget,
   * rows over Klaviyo's limits. Not part of the hash (the budget moves with the clock). Absent in older plan files.
   */
  preflight?: PlanPreflight;
}

export interface PlanContext {
  db: Database;
  config: SyncConfig;
  workspaceDir: string;
  projectDir: string;
  now?: Date;
  /** The workspace's saved segments (opened here when not given). */
  engine?: SegmentEngine;
  /** The account the key writes to (`KlaviyoClient.getAccount`); omitted or null without a key. */
  account?: KlaviyoAccount | null;
}

export function openSegmentEngine(
  ctx: Pick<PlanContext, 'db' | 'workspaceDir' | 'projectDir'>,
): Promise<SegmentEngine> {
  return SegmentEngine.open(ctx.db, {
    segmentsDir: join(ctx.workspaceDir, SEGMENTS_DIR),
    projectDir: ctx.projectDir,
  });
}

/** Calls a target needs, per endpoint: the minimum at the API maxima. */
export function callsFor(plan: TargetPlan): Partial<Record<Endpoint, number>> {
  const calls: Partial<Record<Endpoint, number>> = {};
  const add = (e: Endpoint, n: number) => {
    if (n > 0) calls[e] = (calls[e] ?? 0) + n;
  };
  if (plan.sync === 'profiles') {
    const bulk = plan.create + plan.update - plan.clears;
    const jobs = Math.max(
      Math.ceil(bulk / BATCH_LIMITS.profilesPerJob),
      Math.ceil(plan.payloadBytes / (BATCH_LIMITS.jobBytes * 0.9)),
    );
    add('bulkImport', bulk > 0 ? jobs : 0);
    add('importJobRead', bulk > 0 ? jobs * 2 : 0);
    add('profileImport', plan.clears);
  } else if (plan.sync === 'lists') {
    if (plan.refused || plan.broken) return calls;
    if (!plan.listId) {
      add('listsRead', 1);
      add('listCreate', 1);
    }
    const jobs = Math.ceil(plan.add / BATCH_LIMITS.profilesPerJob);
    add('bulkImport', jobs);
    add('importJobRead', jobs * 2 + Math.ceil(plan.add / BATCH_LIMITS.pageSize));
    add('listMembersWrite', Math.ceil(plan.remove / BATCH_LIMITS.idsPerListCall));
  } else {
    add('eventBulkCreate', Math.ceil((plan.send - plan.inflight) / BATCH_LIMITS.eventsPerBulkJob));
    add('eventCreate', plan.inflight);
  }
  return calls;
}

export function planHash(
  request: PlanRequest,
  targets: TargetPlan[],
  account: KlaviyoAccount | null = null,
): string {
  // Samples are derived from the same rows: the figures and digests are the plan. The account counts by id
  // only: renaming the organisation in Klaviyo does not change where the plan writes.
  const essence = targets.map(({ samples: _samples, ...figures }) => figures);
  return createHash('sha256')
    .update(JSON.stringify({ request, essence, account: account?.id ?? null }))
    .digest('hex')
    .slice(0, 16);
}

/** The segments a retry plans: those with failed rows, within the request's, and still saved. */
function retrySegments(engine: SegmentEngine, scope: RetryScope, asked?: string[]): string[] {
  const saved = new Set(engine.segments.map((s) => s.definition.name));
  return scope.segments.filter((s) => saved.has(s) && (!asked?.length || asked.includes(s)));
}

export async function computePlan(ctx: PlanContext, given: PlanRequest): Promise<SyncPlan> {
  const { db, config } = ctx;
  await ensureSyncTables(db);
  const { retryFailed: asked, ...rest } = given;
  let request: PlannedRequest = rest;
  let retry: RetryScope | undefined;
  if (asked) {
    const runId = await resolveRetryRun(db, asked.runId);
    request = { ...rest, retryFailed: { runId } };
    retry = await prepareRetryScope(db, runId, given.syncs);
  }
  const targets: TargetPlan[] = [];
  const enabled = (kind: SyncKind) =>
    request.syncs.includes(kind) && config[kind].enabled && (!retry || retry.rows[kind] > 0);
  const scoped = retry !== undefined;
  if (enabled('profiles'))
    targets.push(
      await planProfiles(
        db,
        config.profiles,
        await readModelHealthTags(ctx.projectDir, config.profiles.model),
        { retry: scoped },
      ),
    );
  if (enabled('lists')) {
    const engine = ctx.engine ?? (await openSegmentEngine(ctx));
    await prepareListPlanTable(db);
    const only = retry ? retrySegments(engine, retry, request.segments) : request.segments;
    // A retry whose segments were all deleted since plans no list (an empty `only` would mean all of them).
    const selection =
      retry && only?.length === 0
        ? { segments: [], broken: new Map<string, string>() }
        : selectSegments(engine, config.lists, only);
    for (const segment of selection.segments) {
      const problems = selection.broken.get(segment);
      targets.push(
        problems === undefined
          ? await planList(db, engine, config.lists, segment, { retry: scoped })
          : await planBrokenList(db, config.lists, segment, problems),
      );
    }
  }
  if (enabled('events')) targets.push(await planEvents(db, config.events, ctx.now, { retry: scoped }));
  const apiCalls: Partial<Record<Endpoint, number>> = {};
  for (const t of targets)
    for (const [e, n] of Object.entries(callsFor(t)) as [Endpoint, number][])
      apiCalls[e] = (apiCalls[e] ?? 0) + n;
  const scale = config.klaviyo.rate_limit_scale;
  const build = await latestBuild(db);
  const freshness = await readDataFreshness(db);
  const account = ctx.account ?? null;
  return {
    kind: 'c360-sync-plan',
    version: 1,
    hash: planHash(request, targets, account),
    createdAt: (ctx.now ?? new Date()).toISOString(),
    buildRunId: build.runId,
    asOf: build.asOf,
    account,
    request,
    targets,
    guardrails: checkGuardrails(targets, config.guardrails, freshness, { retry: scoped }),
    apiCalls,
    writeCalls: (Object.entries(apiCalls) as [Endpoint, number][])
      .filter(([e]) => ENDPOINTS[e].write)
      .reduce((sum, [, n]) => sum + n, 0),
    expectedSeconds: (Object.entries(apiCalls) as [Endpoint, number][]).reduce(
      (sum, [e, n]) => sum + secondsForCalls(e, n, scale),
      0,
    ),
    preflight: await planPreflight(db, targets, build.runId, freshness),
  };
}

export function endpointLabel(endpoint: Endpoint): string {
  return ENDPOINTS[endpoint].label;
}

// ---- plan files -------------------------------------------------------------------------------------------

const planFileSchema = z.looseObject({
  kind: z.literal('c360-sync-plan'),
  version: z.literal(1),
  hash: z.string().min(1),
  createdAt: z.string(),
  // Absent in plans saved before plans named their account: such a plan is refused like a keyless one.
  account: z
    .object({ id: z.string().min(1), name: z.string().nullable() })
    .nullable()
    .optional(),
  request: z.object({
    syncs: z.array(z.enum(SYNC_KINDS)).min(1),
    segments: z.array(z.string()).optional(),
    retryFailed: z.object({ runId: z.string().min(1) }).optional(),
  }),
});

/** The plan file given to `c360 sync --plan FILE` cannot be read or is not a plan. */
export class PlanFileError extends C360Error {
  override name = 'PlanFileError';
  constructor(message: string, options?: C360ErrorOptions) {
    super('INVALID_INPUT', message, options);
  }
}

export async function savePlan(path: string, plan: SyncPlan): Promise<void> {
  await writeFile(path, `${JSON.stringify(plan, null, 2)}\n`);
}

export async function readPlanFile(path: string): Promise<SyncPlan> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new PlanFileError(
      `Cannot read the plan ${path}: ${error instanceof Error ? error.message : String(error)}. ` +
        'Save one with `c360 sync --dry-run --plan-out FILE`.',
    );
  }
  const parsed = planFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new PlanFileError(
      `${path} is not a c360 sync plan (save one with \`c360 sync --dry-run --plan-out FILE\`).`,
    );
  return { ...(raw as SyncPlan), account: parsed.data.account ?? null };
}
