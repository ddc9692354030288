import { listValue } from '@duckdb/node-api';
import {
  neverSent,
  runPool,
  sendCounted,
  splitAtBytes,
  SyncCancelledError,
  type ApplyContext,
  type ApplyCounts,
} from './applyContext.ts';
import type { EventsPlan } from './eventPlan.ts';
import { isAmbiguousFailure, type EventPayload, type EventProfile } from './klaviyo/client.ts';
import { isRowRejection, KlaviyoApiError } from './klaviyo/errors.ts';
import { BATCH_LIMITS } from './klaviyo/rateLimits.ts';
import { recordFailures, SQL_NOW, type FailureRow } from './state.ts';

/**
 * Applies an event plan so that no event is lost or doubled. Each bulk request (≤ 1,000 events, < 5 MB) is
 * written to `c360.sync_event_inflight` before it is sent and moved to `c360.sync_event_state` when Klaviyo
 * accepts it, or removed from it when the request provably never left (the run was cancelled before it, or
 * Klaviyo's host could not be reached: DNS failure, connection refused). Recording before sending is what keeps
 * a process killed mid-request safe. When the outcome is unknown (timeout, dropped connection, 5xx, or a killed process) the events
 * are resent one by one through POST /api/events, whose documented unique_id rule keeps the first event: the
 * bulk endpoint only documents a rejection for ids repeated inside one request. A bulk request rejected as a
 * whole (400) is also retried one by one, so only the bad events fail.
 */

interface EventRow {
  eventId: string;
  profile: EventProfile;
  event: EventPayload;
  bytes: number;
}

const REQUEST_BYTES = Math.floor(BATCH_LIMITS.eventJobBytes * 0.9);

/** The event's profile: email and name only (sql/DEFINITIONS.md "Shipment events"); a null name is not sent. */
function toProfile(r: Record<string, unknown>): EventProfile {
  return {
    email: String(r.email),
    ...(typeof r.first_name === 'string' ? { firstName: r.first_name } : {}),
    ...(typeof r.last_name === 'string' ? { lastName: r.last_name } : {}),
  };
}

function toRow(r: Record<string, unknown>): EventRow {
  const properties = String(r.properties);
  const profile = toProfile(r);
  return {
    eventId: String(r.event_id),
    profile,
    event: {
      uniqueId: String(r.event_id),
      metric: String(r.metric),
      time: new Date(String(r.event_time)),
      properties: JSON.parse(properties) as Record<string, unknown>,
      backfill: r.backfill === true,
    },
    bytes: properties.length + JSON.stringify(profile).length + String(r.metric).length + 200,
  };
}

const EVENT_COLUMNS = `e.event_id, e.email, e.first_name, e.last_name, e.metric,
  strftime(e.event_time, '%Y-%m-%dT%H:%M:%SZ') as event_time, e.properties, e.backfill`;

async function confirm(ctx: ApplyContext, ids: string[], failures: FailureRow[]): Promise<void> {
  await ctx.q.transaction(async (db) => {
    if (ids.length) {
      await db.run(
        `insert or ignore into c360.sync_event_state select unnest($1::varchar[]), ${SQL_NOW}, $2`,
        [listValue(ids), ctx.runId],
      );
      await db.run(
        `delete from c360.sync_failures where sync = 'events' and list_contains($1::varchar[], item_key)`,
        [listValue(ids)],
      );
    }
    const all = [...ids, ...failures.map((f) => f.key)];
    if (all.length)
      await db.run(`delete from c360.sync_event_inflight where list_contains($1::varchar[], event_id)`, [
        listValue(all),
      ]);
    await recordFailures(db, ctx.runId, failures);
  });
}

/**
 * One by one through the deduplicating endpoint; rejected events are recorded, not retried in this run. The
 * tally follows each answer; `countSent` when these rows were not already counted as sent (by a bulk request).
 */
async function sendSingly(
  ctx: ApplyContext,
  rows: EventRow[],
  counts: ApplyCounts,
  countSent: boolean,
): Promise<void> {
  const ok: string[] = [];
  const failures: FailureRow[] = [];
  let i = 0;
  await runPool(
    ctx.config.klaviyo.concurrency,
    async () => rows[i++],
    async (row) => {
      try {
        const send = () => ctx.client.createEvent(row.profile, row.event);
        await (countSent ? sendCounted(ctx, 1, send) : send());
        ok.push(row.eventId);
        counts.succeeded++;
      } catch (error) {
        if (!isRowRejection(error)) throw error;
        counts.failed++;
        failures.push({
          sync: 'events',
          target: '',
          key: row.eventId,
          code: error.klaviyoCode,
          error: error.message,
        });
      }
    },
  ).finally(() => confirm(ctx, ok, failures));
}

async function sendBulk(ctx: ApplyContext, rows: EventRow[], counts: ApplyCounts): Promise<void> {
  const ids = rows.map((r) => r.eventId);
  await ctx.q.write((db) =>
    db.run(`insert or ignore into c360.sync_event_inflight select unnest($1::varchar[]), $2, ${SQL_NOW}`, [
      listValue(ids),
      ctx.runId,
    ]),
  );
  // One entry per profile: all of its events in this request, with the profile's attributes once.
  const byEmail = new Map<string, { profile: EventProfile; events: EventPayload[] }>();
  for (const r of rows) {
    const entry = byEmail.get(r.profile.email) ?? { profile: r.profile, events: [] };
    entry.events.push(r.event);
    byEmail.set(r.profile.email, entry);
  }
  try {
    await sendCounted(ctx, rows.length, () => ctx.client.bulkCreateEvents([...byEmail.values()]));
  } catch (error) {
    if (neverSent(error)) {
      // Cancelled before the request left, or Klaviyo's host could not be reached (DNS, connection refused;
      // bulk requests are never retried after an unknown outcome): the events were not sent, so they are not
      // in flight, and the next run sends them in bulk again rather than one by one.
      await ctx.q.write((db) =>
        db.run(`delete from c360.sync_event_inflight where list_contains($1::varchar[], event_id)`, [
          listValue(ids),
        ]),
      );
      throw error;
    }
    if (error instanceof KlaviyoApiError && (error.status === 400 || isAmbiguousFailure(error))) {
      await sendSingly(ctx, rows, counts, false);
      return;
    }
    throw error;
  }
  await confirm(ctx, ids, []);
  counts.succeeded += rows.length;
}

export async function applyEvents(ctx: ApplyContext, plan: EventsPlan): Promise<ApplyCounts> {
  const counts = ctx.tally;
  const report = () =>
    ctx.progress({
      sync: 'events',
      target: plan.target,
      done: counts.succeeded + counts.failed,
      total: plan.send,
    });
  const unconfirmed = `e.action = 'send'
    and not exists (select 1 from c360.sync_event_state s where s.event_id = e.event_id)`;
  // Events an interrupted run sent without an answer: the deduplicating endpoint, before anything new.
  const inflight = await ctx.q.read((db) =>
    db.queryJson(
      `select ${EVENT_COLUMNS} from c360_plan_events e where ${unconfirmed}
         and exists (select 1 from c360.sync_event_inflight i where i.event_id = e.event_id) order by e.event_id`,
    ),
  );
  if (inflight.length) {
    await sendSingly(ctx, inflight.map(toRow), counts, true);
    report();
  }
  // The new events, numbered once: batches read ranges instead of re-checking the state each time.
  await ctx.q.read((db) =>
    db.run(`create or replace temp table c360_apply_events as
      select row_number() over (order by e.event_id) as n, e.* from c360_plan_events e
      where ${unconfirmed} and not exists (select 1 from c360.sync_event_inflight i where i.event_id = e.event_id)`),
  );
  let after = 0;
  let done = false;
  let carry: EventRow[] = [];
  await runPool(
    Math.min(3, ctx.config.klaviyo.concurrency),
    async () => {
      if (ctx.isCancelled()) throw new SyncCancelledError();
      const rows = carry;
      carry = [];
      if (!done && rows.length < BATCH_LIMITS.eventsPerBulkJob) {
        const fetched = await ctx.q.read((db) =>
          db.queryJson(
            `select e.n, ${EVENT_COLUMNS} from c360_apply_events e
             where e.n > $1 order by e.n limit ${BATCH_LIMITS.eventsPerBulkJob - rows.length}`,
            [after],
          ),
        );
        if (fetched.length < BATCH_LIMITS.eventsPerBulkJob - rows.length) done = true;
        if (fetched.length) after = Number(fetched[fetched.length - 1]!.n);
        rows.push(...fetched.map(toRow));
      }
      if (!rows.length) return undefined;
      const [batch, rest] = splitAtBytes(rows, REQUEST_BYTES);
      carry = rest;
      return batch;
    },
    async (rows) => {
      await sendBulk(ctx, rows, counts);
      report();
    },
  );
  return counts;
}
