import { listValue } from '@duckdb/node-api';
import { quoteText } from '../db/duckdb.ts';
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
  payloadOf,
  pendingJobs,
  recordedRows,
  recordJobFrom,
  requestJson,
  requestTextSql,
  type JobOutcome,
} from './importJobs.ts';
import { PROFILE_RESOURCE_HEAD } from './klaviyo/client.ts';
import { BATCH_LIMITS } from './klaviyo/rateLimits.ts';
import { isRowRejection } from './klaviyo/errors.ts';
import type { ProfilesPlan } from './profilePlan.ts';
import { recordFailures, SQL_NOW, type FailureRow } from './state.ts';

/**
 * Applies a profile plan: bulk import jobs at 10,000 profiles (and under 5 MB), one single upsert per profile
 * that needs a property cleared. State advances per job, only for the profiles Klaviyo did not reject.
 */

/** Requests are JSON:API envelopes around the payloads; keep clear of the 5 MB limit. */
const JOB_BYTES = Math.floor(BATCH_LIMITS.jobBytes * 0.97);
const ENVELOPE_BYTES = 512;
/** What a profile adds to a request besides its attributes: its resource envelope and a comma, rounded up. */
const RESOURCE_BYTES = 40;

/**
 * One job's worth of the worklist, its request text made by DuckDB: rows `first`..`last` (worklist numbers) as
 * the comma-joined profile resources of a bulk request.
 */
interface PreparedBatch {
  first: number;
  last: number;
  count: number;
  resources: string;
}

/** Confirms the rows of a finished job that Klaviyo did not reject; records the rejected ones. */
async function finishProfileJob(ctx: ApplyContext, outcome: JobOutcome, counts: ApplyCounts): Promise<void> {
  const failures: FailureRow[] = [];
  for (const [i, e] of outcome.failed)
    failures.push({
      sync: 'profiles',
      target: '',
      key: outcome.rows[i]!.email,
      code: e.code,
      error: e.detail,
    });
  const failedPositions = [...outcome.failed.keys()];
  await ctx.q.transaction(async (db) => {
    await db.run(
      `insert or replace into c360.sync_profile_state
       select email, payload_hash, payload, ${SQL_NOW}, $2 from c360.sync_job_rows
       where job_id = $1 and not list_contains($3::json::integer[], position)`,
      [outcome.jobId, ctx.runId, JSON.stringify(failedPositions)],
    );
    await db.run(
      `delete from c360.sync_failures where sync = 'profiles' and item_key in
         (select email from c360.sync_job_rows where job_id = $1 and not list_contains($2::json::integer[], position))`,
      [outcome.jobId, JSON.stringify(failedPositions)],
    );
    await recordFailures(db, ctx.runId, failures);
    await deleteJob(db, outcome.jobId);
  });
  counts.succeeded += outcome.count - outcome.failed.size;
  counts.failed += outcome.failed.size;
}

/** Jobs an interrupted run left behind: finish them first, so their rows are not sent again. */
async function resumePendingJobs(ctx: ApplyContext, counts: ApplyCounts): Promise<void> {
  for (const job of await pendingJobs(ctx, 'profiles')) {
    try {
      await finishProfileJob(ctx, await awaitJob(ctx, job.jobId, job.rows, false), counts);
    } catch (error) {
      if (!isGone(error)) throw error;
      await forgetJob(ctx, job.jobId);
    }
  }
}

/**
 * The rows to send, numbered in email order, made once after the resumed jobs finished (they may have
 * confirmed some rows since planning): batches then read ranges instead of re-checking the state each time.
 * The few payloads whose request text needs the exact path (`needsExactRequest`) get it from `requestJson`
 * here; the rest get theirs from DuckDB batch by batch (`batchReader`).
 */
async function prepareWorklist(ctx: ApplyContext): Promise<void> {
  await ctx.q.read(async (db) => {
    await db.run(`create or replace temp table c360_apply_profiles as
      select row_number() over (order by p.email) as n, p.email, p.payload_hash, p.payload,
        null::varchar as exact_request
      from c360_plan_profiles p
      where p.action in ('create', 'update')
        and not exists (select 1 from c360_plan_clears c where c.email = p.email)
        and not exists (select 1 from c360.sync_profile_state s where s.email = p.email and s.payload_hash = p.payload_hash)`);
    const exact = await db.queryJson(
      `select n, email, payload from c360_apply_profiles where payload is null or contains(payload, '[{') order by n`,
    );
    if (exact.length)
      await db.run(
        `update c360_apply_profiles w set exact_request = x.request
         from (select unnest($1::bigint[]) as n, unnest($2::varchar[]) as request) x where w.n = x.n`,
        [
          listValue(exact.map((r) => BigInt(String(r.n)))),
          listValue(
            exact.map((r) =>
              requestJson({
                email: String(r.email),
                payloadHash: null,
                payload: r.payload === null ? null : String(r.payload),
              }),
            ),
          ),
        ],
      );
  });
}

/**
 * Next batch of the worklist: the longest run of rows after the last batch, up to 10,000 profiles, whose
 * request stays under 5 MB (always at least one row), and its request text. DuckDB makes both in one query on
 * its own threads while the event loop sends the previous job, so the rows never become JavaScript values.
 */
function batchReader(ctx: ApplyContext): () => Promise<PreparedBatch | undefined> {
  let after = 0;
  return async () => {
    if (ctx.isCancelled()) throw new SyncCancelledError();
    const [made] = await ctx.q.read((db) =>
      db.queryJson(
        `with r as (
           select n, coalesce(exact_request, ${requestTextSql('payload')}) as request from c360_apply_profiles where n > $1 and n <= $2),
         sized as (select n, request, sum(strlen(request) + ${RESOURCE_BYTES}) over (order by n) as bytes from r),
         batch as (select * from sized where bytes <= $3 or n = $1 + 1)
         select min(n) as first, max(n) as last, count(*) as count,
           string_agg(${quoteText(PROFILE_RESOURCE_HEAD)} || request || '}', ',' order by n) as resources
         from batch`,
        [after, after + BATCH_LIMITS.profilesPerJob, JOB_BYTES - ENVELOPE_BYTES],
      ),
    );
    if (made?.first === null || made?.first === undefined) return undefined;
    const batch = {
      first: Number(made.first),
      last: Number(made.last),
      count: Number(made.count),
      resources: String(made.resources),
    };
    after = batch.last;
    return batch;
  };
}

/**
 * The bulk jobs, as a pipeline: while a job waits for its turn at the endpoint, the next batch is read and
 * serialised; once Klaviyo accepted a job, recording it, polling it and recording its outcome run on their own,
 * and the next job goes out as soon as the endpoint's limit allows. At most `inFlight` jobs are unfinished at
 * once (Klaviyo processes a few in parallel; an interrupted run resumes them). The first error stops new jobs;
 * the jobs in flight are still recorded (their answers arrive), then the error is rethrown.
 */
async function sendJobs(
  ctx: ApplyContext,
  counts: ApplyCounts,
  inFlight: number,
  report: (message?: string) => void,
): Promise<void> {
  const read = batchReader(ctx);
  const running = new Set<Promise<void>>();
  let failed: unknown;
  let ahead: Promise<PreparedBatch | undefined> | undefined;
  try {
    ahead = read();
    for (;;) {
      const batch = await ahead;
      if (!batch || failed !== undefined) break;
      ahead = read();
      // Settled below in any case; an error of the read ahead surfaces when it is awaited.
      ahead.catch(() => undefined);
      while (running.size >= inFlight && failed === undefined) await Promise.race(running);
      if (failed !== undefined) break;
      if (ctx.isCancelled()) throw new SyncCancelledError();
      const { first, last, count, resources } = batch;
      const jobId = await sendCounted(
        ctx,
        count,
        async () => (await ctx.client.submitImportJobResources(resources)).id,
      );
      report(`job ${jobId} submitted (${count} profiles)`);
      const job: Promise<void> = (async () => {
        await recordJobFrom(ctx, 'profiles', jobId, {
          sql: `select (n - $1)::integer, email, payload_hash, payload from c360_apply_profiles
                where n between $1 and $2 order by n`,
          params: [first, last],
        });
        const outcome = await awaitJob(ctx, jobId, recordedRows(ctx, jobId, count), false, {
          justSubmitted: true,
        });
        await finishProfileJob(ctx, outcome, counts);
        report();
      })()
        .catch((error: unknown) => {
          failed ??= error;
        })
        .finally(() => running.delete(job));
      running.add(job);
    }
  } catch (error) {
    failed ??= error;
  }
  // Nothing of this apply may still touch the connection when it returns.
  await Promise.all(running);
  await ahead?.catch(() => undefined);
  if (failed !== undefined) throw failed;
}

/** Profiles with a cleared value: one upsert each (the only call that can clear), confirmed in groups. */
async function applyClears(ctx: ApplyContext, counts: ApplyCounts, onDone: () => void): Promise<void> {
  const rows = await ctx.q.read((db) =>
    db.queryJson(
      `select p.email, p.payload_hash, p.payload from c360_plan_profiles p
       join c360_plan_clears c on c.email = p.email
       where p.action = 'update'
         and not exists (select 1 from c360.sync_profile_state s where s.email = p.email and s.payload_hash = p.payload_hash)
       order by p.email`,
    ),
  );
  let pending: { email: string; hash: string; payload: string }[] = [];
  const failures: FailureRow[] = [];
  const flush = async () => {
    const confirmed = pending;
    const failed = failures.splice(0);
    pending = [];
    if (!confirmed.length && !failed.length) return;
    await ctx.q.transaction(async (db) => {
      if (confirmed.length)
        await db.run(
          `insert or replace into c360.sync_profile_state
           select unnest($1::varchar[]), unnest($2::varchar[]), unnest($3::varchar[]), ${SQL_NOW}, $4`,
          [
            listValue(confirmed.map((c) => c.email)),
            listValue(confirmed.map((c) => c.hash)),
            listValue(confirmed.map((c) => c.payload)),
            ctx.runId,
          ],
        );
      await recordFailures(db, ctx.runId, failed);
    });
  };
  let i = 0;
  await runPool(
    ctx.config.klaviyo.concurrency,
    async () => {
      if (ctx.isCancelled()) throw new SyncCancelledError();
      if (pending.length >= 100) await flush();
      return rows[i++];
    },
    async (row) => {
      const payload = payloadOf({
        email: String(row.email),
        payloadHash: null,
        payload: String(row.payload),
      });
      try {
        await sendCounted(ctx, 1, () => ctx.client.upsertProfile(payload));
        pending.push({
          email: String(row.email),
          hash: String(row.payload_hash),
          payload: String(row.payload),
        });
        counts.succeeded++;
      } catch (error) {
        if (!isRowRejection(error)) throw error;
        failures.push({
          sync: 'profiles',
          target: '',
          key: String(row.email),
          code: error.klaviyoCode,
          error: error.message,
        });
        counts.failed++;
      }
      onDone();
    },
  ).finally(flush);
}

/**
 * DuckDB checkpoints whenever its WAL passes 16 MB. A job writes about twice its request (its rows, then their
 * state), and at 1M profiles a checkpoint rewrites the state table's index: 3 s, after every second job, which
 * made the apply wait on the database instead of on Klaviyo's limits. While the jobs run the threshold is
 * raised, and the apply checkpoints once at the end. The WAL is still written and synced at every commit, so a
 * killed run loses nothing it recorded (DuckDB replays the WAL when the workspace is opened).
 */
async function withDeferredCheckpoints<T>(ctx: ApplyContext, work: () => Promise<T>): Promise<T> {
  const [row] = await ctx.q.read((db) => db.queryJson(`select current_setting('checkpoint_threshold') as v`));
  const previous = String(row?.v ?? '16.0 MiB');
  await ctx.q.read((db) => db.run(`set checkpoint_threshold = '4GB'`));
  try {
    return await work();
  } finally {
    await ctx.q.read((db) => db.run(`set checkpoint_threshold = ${quoteText(previous)}`));
    // Not a failure of the sync when it cannot run now (another transaction is open): the next commit does it.
    await ctx.q.write((db) => db.run(`checkpoint`)).catch(() => undefined);
  }
}

export async function applyProfiles(ctx: ApplyContext, plan: ProfilesPlan): Promise<ApplyCounts> {
  const counts = ctx.tally;
  const total = plan.create + plan.update;
  const report = (message?: string) =>
    ctx.progress({
      sync: 'profiles',
      target: plan.target,
      done: counts.succeeded + counts.failed,
      total,
      ...(message ? { message } : {}),
    });
  await resumePendingJobs(ctx, counts);
  await prepareWorklist(ctx);
  // Jobs process on Klaviyo's side while the next is sent; a few in flight keeps the endpoint busy.
  await withDeferredCheckpoints(ctx, () =>
    sendJobs(ctx, counts, Math.min(3, ctx.config.klaviyo.concurrency), report),
  );
  await applyClears(ctx, counts, () => report());
  report();
  return counts;
}
