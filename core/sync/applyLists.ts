import { listValue } from '@duckdb/node-api';
import { latestBuild } from '../segments/catalogue.ts';
import type { SegmentEngine } from '../segments/index.ts';
import {
  runPool,
  sendCounted,
  SyncCancelledError,
  type ApplyContext,
  type ApplyCounts,
} from './applyContext.ts';
import {
  awaitJob,
  deleteJob,
  forgetJob,
  isGone,
  pendingJobs,
  submitJob,
  type JobOutcome,
  type JobRow,
} from './importJobs.ts';
import { isAmbiguousFailure } from './klaviyo/client.ts';
import { KlaviyoApiError } from './klaviyo/errors.ts';
import { BATCH_LIMITS } from './klaviyo/rateLimits.ts';
import type { ListPlan } from './listPlan.ts';
import { recordFailures, SQL_NOW, type FailureRow } from './state.ts';

/**
 * Applies a list plan: find or create the list, add members through bulk import jobs that carry the list
 * relationship (by email, 10,000 per job; the job's results give the profile ids), remove members that left
 * (only those this tool added, by profile id, 1,000 per call). After a clean apply the segment's membership is
 * recorded as a published snapshot, so previews show the change since what Klaviyo received.
 */

export interface ListApplyOptions {
  /** The engine the plan was made with: the publish snapshot records the same membership. */
  engine: SegmentEngine;
  /** Record the segment as published (definition hash, snapshot) when nothing failed; false for a retry run. */
  publish?: boolean;
}

/**
 * How often a lost create answer is looked up by name before the list is created again, 1 s apart: a second
 * look in case a new list takes a moment to show in the lookup (UNCONFIRMED for Klaviyo; the fake is immediate).
 */
const LOOKUPS_AFTER_LOST_CREATE = 2;
/** Creates of one list per run whose answer may be lost; each is followed by the lookups above. */
const CREATE_ATTEMPTS = 3;

/**
 * The Klaviyo list of a segment, created at most once. Klaviyo allows duplicate list names and a create whose
 * answer was lost (dropped connection, timeout, 5xx) may have been processed, so a create is never retried
 * blindly: the list is looked up by name before the create and after an ambiguous failure, and only created
 * again (at most CREATE_ATTEMPTS creates in all) when the lookups do not find it.
 */
async function findOrCreateList(
  ctx: ApplyContext,
  name: string,
): Promise<{ id: string; name: string; created: boolean }> {
  const found = await ctx.client.findList(name);
  if (found) return { ...found, created: false };
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await ctx.client.createList(name)), created: true };
    } catch (error) {
      const ambiguous = error instanceof KlaviyoApiError && isAmbiguousFailure(error);
      if (!ambiguous || attempt >= CREATE_ATTEMPTS) throw error;
    }
    for (let lookup = 0; lookup < LOOKUPS_AFTER_LOST_CREATE; lookup++) {
      const created = await ctx.client.findList(name);
      if (created) return { ...created, created: true };
      if (lookup < LOOKUPS_AFTER_LOST_CREATE - 1) await ctx.sleep(1000);
    }
  }
}

async function ensureList(ctx: ApplyContext, plan: ListPlan): Promise<string> {
  if (plan.listId) return plan.listId;
  const list = await findOrCreateList(ctx, plan.listName);
  await ctx.q.write((db) =>
    db.run(`insert or replace into c360.sync_lists values ($1, $2, $3, $4, ${SQL_NOW}, null)`, [
      plan.target,
      plan.listName,
      list.id,
      list.created,
    ]),
  );
  return list.id;
}

async function finishAddJob(
  ctx: ApplyContext,
  segment: string,
  outcome: JobOutcome,
  counts: ApplyCounts,
): Promise<void> {
  const failures: FailureRow[] = [];
  const confirmed: { email: string; id: string | null }[] = [];
  outcome.rows.forEach((row, i) => {
    const failure = outcome.failed.get(i);
    if (failure)
      failures.push({
        sync: 'lists',
        target: segment,
        key: row.email,
        code: failure.code,
        error: failure.detail,
      });
    else confirmed.push({ email: row.email, id: outcome.profileIds.get(row.email.toLowerCase()) ?? null });
  });
  await ctx.q.transaction(async (db) => {
    if (confirmed.length) {
      await db.run(
        `insert or replace into c360.sync_list_members
         select $1, unnest($2::varchar[]), unnest($3::varchar[]), ${SQL_NOW}, $4`,
        [segment, listValue(confirmed.map((c) => c.email)), listValue(confirmed.map((c) => c.id)), ctx.runId],
      );
      await db.run(
        `delete from c360.sync_failures where sync = 'lists' and target = $1 and list_contains($2::varchar[], item_key)`,
        [segment, listValue(confirmed.map((c) => c.email))],
      );
    }
    await recordFailures(db, ctx.runId, failures);
    await deleteJob(db, outcome.jobId);
  });
  counts.succeeded += confirmed.length;
  counts.failed += failures.length;
}

function addReader(ctx: ApplyContext, segment: string) {
  let after = '';
  return async (): Promise<JobRow[] | undefined> => {
    if (ctx.isCancelled()) throw new SyncCancelledError();
    const rows = await ctx.q.read((db) =>
      db.queryJson(
        `select p.email from c360_plan_list_members p
         where p.segment = $1 and p.action = 'add' and p.email > $2
           and not exists (select 1 from c360.sync_list_members m where m.segment = p.segment and m.email = p.email)
         order by p.email limit ${BATCH_LIMITS.profilesPerJob}`,
        [segment, after],
      ),
    );
    if (!rows.length) return undefined;
    after = String(rows[rows.length - 1]!.email);
    return rows.map((r) => ({ email: String(r.email), payloadHash: null, payload: null }));
  };
}

async function removeMembers(
  ctx: ApplyContext,
  plan: ListPlan,
  listId: string,
  counts: ApplyCounts,
): Promise<void> {
  for (;;) {
    if (ctx.isCancelled()) throw new SyncCancelledError();
    const rows = await ctx.q.read((db) =>
      db.queryJson(
        `select m.email, m.profile_id from c360_plan_list_members p
         join c360.sync_list_members m on m.segment = p.segment and m.email = p.email
         where p.segment = $1 and p.action = 'remove' order by m.email limit ${BATCH_LIMITS.idsPerListCall}`,
        [plan.target],
      ),
    );
    if (!rows.length) return;
    const missing = rows.filter((r) => r.profile_id === null).map((r) => String(r.email));
    const looked = missing.length ? await ctx.client.profileIdsByEmail(missing) : new Map<string, string>();
    const ids = rows
      .map((r) => (r.profile_id === null ? looked.get(String(r.email)) : String(r.profile_id)))
      .filter((id): id is string => Boolean(id));
    // A profile Klaviyo no longer has (deleted there) is off the list already.
    await sendCounted(ctx, rows.length, async () => {
      if (ids.length) await ctx.client.removeFromList(listId, ids);
    });
    await ctx.q.write((db) =>
      db.run(
        `delete from c360.sync_list_members where segment = $1 and list_contains($2::varchar[], email)`,
        [plan.target, listValue(rows.map((r) => String(r.email)))],
      ),
    );
    counts.succeeded += rows.length;
    ctx.progress({
      sync: 'lists',
      target: plan.target,
      done: counts.succeeded + counts.failed,
      total: plan.add + plan.remove,
    });
  }
}

export async function applyList(
  ctx: ApplyContext,
  plan: ListPlan,
  options: ListApplyOptions,
): Promise<ApplyCounts> {
  const counts = ctx.tally;
  if (plan.refused) return counts;
  const listId = await ensureList(ctx, plan);
  for (const job of await pendingJobs(ctx, 'lists', plan.target)) {
    try {
      await finishAddJob(ctx, plan.target, await awaitJob(ctx, job.jobId, job.rows, true), counts);
    } catch (error) {
      if (!isGone(error)) throw error;
      await forgetJob(ctx, job.jobId);
    }
  }
  const total = plan.add + plan.remove;
  await runPool(Math.min(3, ctx.config.klaviyo.concurrency), addReader(ctx, plan.target), async (rows) => {
    const jobId = await sendCounted(ctx, rows.length, () =>
      submitJob(ctx, 'lists', rows, { segment: plan.target, listId }),
    );
    await finishAddJob(ctx, plan.target, await awaitJob(ctx, jobId, rows, true), counts);
    ctx.progress({ sync: 'lists', target: plan.target, done: counts.succeeded + counts.failed, total });
  });
  await removeMembers(ctx, plan, listId, counts);
  if (counts.failed === 0 && options.publish !== false) {
    await ctx.q.write(async (db) => {
      await db.run(`update c360.sync_lists set published_definition_hash = $2 where segment = $1`, [
        plan.target,
        plan.definitionHash,
      ]);
      // A build may have published between the plan and now (the sync gives the writer up between batches):
      // the engine would then snapshot the new build's membership, not what Klaviyo received. Holding the
      // writer, no build can publish between this check and the snapshot. The next sync publishes the change
      // and records the snapshot then.
      if ((await latestBuild(db)).runId !== ctx.buildRunId) return;
      await options.engine.snapshot(plan.target, {
        note: `published to Klaviyo list ${plan.listName} (${listId}) by sync run ${ctx.runId}`,
      });
    });
  }
  return counts;
}
