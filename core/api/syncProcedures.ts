import { z } from 'zod';
import { withService } from '../service/withService.ts';
import {
  listRuns,
  readPlanFile,
  RUN_ERRORS_PAGE,
  showRun,
  SYNC_KINDS,
  syncOnService,
  type ApplyProgress,
  type RunDetail,
  type RunSummary,
  type SyncOutcome,
} from '../sync/index.ts';
import { defineProcedure } from './procedure.ts';
import { syncRunInputSchema } from './schemas/sync.ts';

/** The largest page of rejected rows one call returns; `c360 runs show --all` pages through the rest. */
export const RUN_ERRORS_PAGE_MAX = 10_000;

const workspaceInput = z.object({ workspace: z.string().optional() });

export const syncProcedure = defineProcedure({
  name: 'sync.run',
  summary:
    'Plan a sync to Klaviyo against the last applied state, check the guardrails and apply it (or only plan: dryRun)',
  input: workspaceInput.extend({
    /** All three when left out; with a plan file, the plan's own (the plan applies only to those). */
    syncs: z.array(z.enum(SYNC_KINDS)).min(1).optional(),
    segments: z.array(z.string().min(1)).optional(),
    /** Only the rows this run rejected that are still failing (no runId: the newest run with such rows). */
    retryFailed: syncRunInputSchema.shape.retryFailed,
    dryRun: z.boolean().default(false),
    /** A saved plan file to apply exactly. */
    planFile: z.string().min(1).optional(),
    planOut: z.string().min(1).optional(),
    /** Approval of the tripped guardrails of this plan. */
    approve: z.boolean().default(false),
    /** Approval of only these guardrails. */
    approvals: syncRunInputSchema.shape.approvals,
  }),
  async handler(input, ctx): Promise<SyncOutcome> {
    const plan = input.planFile ? await readPlanFile(input.planFile) : undefined;
    return withService(ctx.service, input.workspace, {}, (service) =>
      syncOnService(
        service,
        {
          syncs: input.syncs,
          ...(input.segments ? { segments: input.segments } : {}),
          ...(input.retryFailed ? { retryFailed: input.retryFailed } : {}),
          approvals: input.approvals,
          dryRun: input.dryRun,
          ...(plan ? { plan } : {}),
          ...(input.planOut ? { planOut: input.planOut } : {}),
          approve: input.approve,
        },
        {
          onProgress: (event: ApplyProgress) =>
            ctx.onProgress?.({ procedure: 'sync.run', message: event.message ?? '', data: { ...event } }),
          ...(ctx.isCancelled ? { isCancelled: ctx.isCancelled } : {}),
          ...(ctx.klaviyoKey ? { apiKey: ctx.klaviyoKey } : {}),
          signal: ctx.signal,
        },
      ),
    );
  },
});

export const listRunsProcedure = defineProcedure({
  name: 'runs.list',
  summary: 'List recent sync runs with their counts',
  input: workspaceInput.extend({ limit: z.number().int().min(1).max(1000).default(20) }),
  async handler(input, ctx): Promise<RunSummary[]> {
    return withService(ctx.service, input.workspace, { readOnly: true }, (service) =>
      service.read((db) => listRuns(db, input.limit), ctx.signal ? { signal: ctx.signal } : {}),
    );
  },
});

export const showRunProcedure = defineProcedure({
  name: 'runs.show',
  summary:
    'One sync run: counts per target, requests per endpoint, and a page of the rejected rows (errorsTotal: all of them)',
  input: workspaceInput.extend({
    runId: z.string().min(4, 'give a run id (or its first characters)'),
    /** First rejected row of the page (0-based). */
    offset: z.number().int().min(0).default(0),
    /** Rejected rows per page. */
    limit: z.number().int().min(1).max(RUN_ERRORS_PAGE_MAX).default(RUN_ERRORS_PAGE),
  }),
  async handler(input, ctx): Promise<RunDetail> {
    return withService(ctx.service, input.workspace, { readOnly: true }, (service) =>
      service.read(
        (db) => showRun(db, input.runId, { offset: input.offset, limit: input.limit }),
        ctx.signal ? { signal: ctx.signal } : {},
      ),
    );
  },
});
