import type { Database } from '../db/duckdb.ts';
import { hasC360Table } from '../workspace/schema.ts';
import type { GuardrailConfig } from './config.ts';
import type { TargetPlan } from './guardrails.ts';
import { BATCH_LIMITS } from './klaviyo/rateLimits.ts';

/**
 * What a plan checks before anything is sent, beyond the diff (issue 16 "Klaviyo preflight", "Stale data"):
 * how fresh the published data is, who of a segment is eligible at all, how much of Klaviyo's daily budget of
 * list creations is left as far as this tool's own creates show, and rows over Klaviyo's size limits.
 */

// ---- data freshness (the stale_data guardrail) ------------------------------------------------------------

export interface DataFreshness {
  /** The last build that ended (a build still running is left out). */
  lastBuild: {
    runId: string;
    /** build_runs.status (core/models/buildHistory.ts); `failed` for an old row without a status. */
    status: string;
    startedAt: string | null;
    finishedAt: string | null;
  } | null;
  /** The build whose tables a sync reads now: the last one that published. */
  published: { runId: string; finishedAt: string; ageHours: number } | null;
}

const FAILED_BUILD = new Set(['failed', 'interrupted']);

/** Null when the workspace has no build history (tables made by hand): nothing to judge the data by. */
export async function readDataFreshness(db: Database): Promise<DataFreshness | null> {
  if (!(await hasC360Table(db, 'build_runs'))) return null;
  const stamp = (column: string) => `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`;
  const [last] = await db.queryJson(
    `select run_id, coalesce(status, case when ok then 'succeeded' else 'failed' end) as status,
       ${stamp('started_at')} as started_at, ${stamp('finished_at')} as finished_at
     from c360.build_runs where coalesce(status, '') <> 'running'
     order by coalesce(started_at, finished_at) desc nulls last limit 1`,
  );
  if (!last) return null;
  // Ages in SQL: build times are stored as current_timestamp::timestamp, so "now" must be read the same way.
  const [published] = await db.queryJson(
    `select run_id, ${stamp('finished_at')} as finished_at,
       (epoch(current_timestamp::timestamp) - epoch(finished_at)) / 3600.0 as age_hours
     from c360.build_runs where ok and published and finished_at is not null
     order by finished_at desc limit 1`,
  );
  return {
    lastBuild: {
      runId: String(last.run_id),
      status: String(last.status),
      startedAt: last.started_at === null ? null : String(last.started_at),
      finishedAt: last.finished_at === null ? null : String(last.finished_at),
    },
    published: published
      ? {
          runId: String(published.run_id),
          finishedAt: String(published.finished_at),
          ageHours: Number(published.age_hours),
        }
      : null,
  };
}

const REBUILD =
  'Rebuild with `c360 build` and plan again, or approve to publish the data as it is (the approval is recorded).';

/**
 * Why publishing now would send stale data, or null: the last build failed (or was interrupted), or the data
 * the sync reads is older than `max_data_age_hours` (0 turns the age check off).
 */
export function staleDataReason(freshness: DataFreshness | null, config: GuardrailConfig): string | null {
  if (!freshness) return null;
  const { lastBuild, published } = freshness;
  const hours = (h: number) => `${h < 10 ? h.toFixed(1) : Math.round(h)} h`;
  const data = published
    ? `the published data is from build ${published.runId} (finished ${published.finishedAt}, ${hours(published.ageHours)} ago)`
    : 'no build has published data yet';
  if (config.block_after_failed_build && lastBuild && FAILED_BUILD.has(lastBuild.status)) {
    const when = lastBuild.finishedAt ?? lastBuild.startedAt;
    return (
      `the last build ${lastBuild.runId} ${lastBuild.status === 'interrupted' ? 'was interrupted' : 'failed'}` +
      `${when ? ` (${lastBuild.finishedAt ? 'ended' : 'started'} ${when})` : ''}, so ${data}. ` +
      '(The Runs page lists the builds and what failed.) ' +
      REBUILD
    );
  }
  if (published && config.max_data_age_hours > 0 && published.ageHours > config.max_data_age_hours)
    return (
      `${data}: older than ${config.max_data_age_hours} h (sync.guardrails.max_data_age_hours). ` + REBUILD
    );
  return null;
}

// ---- Klaviyo preflight ------------------------------------------------------------------------------------

/**
 * Klaviyo's daily limit of list creations: `POST /api/lists` is limited to 150 per day besides its 10/s and
 * 150/min (the OpenAPI spec's `x-klaviyo-ratelimit` of create_list, revision 2026-07-15; reference notes §2.2,
 * §4.1). Whether "a day" is a calendar day or the last 24 hours is not documented: counted over the last 24 h.
 */
export const LIST_CREATES_PER_DAY = 150;

export interface ListEligibility {
  segment: string;
  /** Matched by the segment's rules alone (the last build's count); null when unknown or since changed. */
  matched: number | null;
  /** On the list: marketable, with the consent a sensitive segment needs, not excluded, not held out. */
  members: number;
  heldOut: number;
  /** matched − members − held out: no marketing consent, suppressed, excluded or claimed by a higher priority. */
  notEligible: number | null;
}

export interface PlanPreflight {
  /** The build history the stale_data guardrail judged (null without one). */
  build: DataFreshness | null;
  eligible: {
    profiles: {
      sourceRows: number;
      /** Sent or already in Klaviyo as they are. */
      eligible: number;
      /** Without email consent or suppressed (is_marketable false), or a relay address. */
      notMarketable: number;
    } | null;
    lists: ListEligibility[];
    events: { send: number; nonMarketable: number } | null;
  };
  listCreations: {
    /** Lists this plan would create (segments without a linked list). */
    planned: number;
    /** Creates this tool sent in the last 24 h (lists created elsewhere in the account count too but are unknown). */
    usedLast24h: number;
    dailyLimit: number;
    left: number;
    source: string;
  };
  overLimits: {
    /** Profiles over 100 KB (skipped as profile_too_large). */
    profilesTooLarge: number;
    /** Events with a property value over 100 KB (skipped as property_too_large). */
    eventPropertiesTooLarge: number;
    profileLimitBytes: number;
    source: string;
  };
  /** What to act on before publishing (a create budget overrun, rows over a limit), in plain words. */
  warnings: string[];
}

async function listCreatesLast24h(db: Database): Promise<number> {
  if (!(await hasC360Table(db, 'sync_runs'))) return 0;
  // Every POST /api/lists a run sent (its summary's call counts, lost answers included), and the lists this tool
  // recorded as its own creates: a run killed before its summary still left its lists in sync_lists.
  const [row] = await db.queryJson(
    `select
       (select coalesce(sum(try_cast(json_extract_string(summary, '$.apiCalls.listCreate') as bigint)), 0)
          from c360.sync_runs where started_at > current_timestamp::timestamp - interval 24 hour) as calls,
       (select count(*) from c360.sync_lists
          where created_by_c360 and linked_at > current_timestamp::timestamp - interval 24 hour) as lists`,
  );
  return Math.max(Number(row?.calls ?? 0), Number(row?.lists ?? 0));
}

async function matchedBySegment(
  db: Database,
  buildRunId: string | null,
): Promise<Map<string, { matched: number | null; hash: string }>> {
  const found = new Map<string, { matched: number | null; hash: string }>();
  if (buildRunId === null || !(await hasC360Table(db, 'segment_sizes'))) return found;
  const rows = await db.queryJson(
    `select segment, matched, definition_hash from c360.segment_sizes where build_run_id = $1`,
    [buildRunId],
  );
  for (const r of rows)
    found.set(String(r.segment), {
      matched: r.matched === null ? null : Number(r.matched),
      hash: String(r.definition_hash),
    });
  return found;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export async function planPreflight(
  db: Database,
  targets: TargetPlan[],
  buildRunId: string | null,
  build: DataFreshness | null,
): Promise<PlanPreflight> {
  const warnings: string[] = [];
  const profiles = targets.find((t) => t.sync === 'profiles');
  const events = targets.find((t) => t.sync === 'events');
  const lists = targets.filter(
    (t): t is Extract<TargetPlan, { sync: 'lists' }> => t.sync === 'lists' && !t.broken && !t.refused,
  );
  const sizes = await matchedBySegment(db, buildRunId);
  const listEligibility = lists.map((plan): ListEligibility => {
    const size = sizes.get(plan.target);
    // The build's count holds only while the definition is the one it measured (the plan's hash starts with it).
    const matched =
      size && size.matched !== null && plan.definitionHash.split('+')[0] === size.hash ? size.matched : null;
    return {
      segment: plan.target,
      matched,
      members: plan.members,
      heldOut: plan.heldOut,
      notEligible: matched === null ? null : Math.max(0, matched - plan.members - plan.heldOut),
    };
  });
  const planned = lists.filter((t) => t.listId === null).length;
  const used = await listCreatesLast24h(db);
  const left = Math.max(0, LIST_CREATES_PER_DAY - used);
  if (planned > left)
    warnings.push(
      `This plan creates ${fmt(planned)} Klaviyo list${planned === 1 ? '' : 's'}, but only ${fmt(left)} of Klaviyo's ` +
        `${LIST_CREATES_PER_DAY} list creations a day are left (${fmt(used)} sent by c360 in the last 24 h; lists ` +
        'created in Klaviyo or by other tools count too): the creates past the budget fail until the day is over. ' +
        'Publish fewer segments now (`c360 sync lists --segment …`) and the rest tomorrow.',
    );
  const tooLarge = profiles?.sync === 'profiles' ? (profiles.skipped.profile_too_large ?? 0) : 0;
  const eventTooLarge = events?.sync === 'events' ? (events.skipped.property_too_large ?? 0) : 0;
  if (tooLarge)
    warnings.push(
      `${fmt(tooLarge)} profile${tooLarge === 1 ? ' is' : 's are'} larger than Klaviyo's 100 KB per profile and ` +
        'not sent: map fewer or shorter properties (sync.profiles.properties).',
    );
  if (eventTooLarge)
    warnings.push(
      `${fmt(eventTooLarge)} event${eventTooLarge === 1 ? ' has' : 's have'} a property value over 100 KB and ` +
        'are not sent: check sync.events.properties.',
    );
  return {
    build,
    eligible: {
      profiles:
        profiles?.sync === 'profiles'
          ? {
              sourceRows: profiles.sourceRows,
              eligible: profiles.create + profiles.update + profiles.unchanged,
              notMarketable: (profiles.skipped.not_marketable ?? 0) + (profiles.skipped.relay_address ?? 0),
            }
          : null,
      lists: listEligibility,
      events: events?.sync === 'events' ? { send: events.send, nonMarketable: events.nonMarketable } : null,
    },
    listCreations: {
      planned,
      usedLast24h: used,
      dailyLimit: LIST_CREATES_PER_DAY,
      left,
      source:
        `Klaviyo allows ${LIST_CREATES_PER_DAY} list creations a day (POST /api/lists, OpenAPI x-klaviyo-ratelimit); ` +
        'used = the creates c360 recorded in the last 24 h, so creates made outside c360 are not counted.',
    },
    overLimits: {
      profilesTooLarge: tooLarge,
      eventPropertiesTooLarge: eventTooLarge,
      profileLimitBytes: BATCH_LIMITS.profileBytes,
      source:
        'Klaviyo documents 100 KB per profile and 5 MB per bulk request; limits per property (count, key length) ' +
        'are not documented, so none are checked.',
    },
    warnings,
  };
}
