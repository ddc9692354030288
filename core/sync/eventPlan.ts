import { quoteIdent, quoteText, type Database } from '../db/duckdb.ts';
import type { EventsConfig } from './config.ts';
import { BATCH_LIMITS } from './klaviyo/rateLimits.ts';
import {
  EMAIL_PATTERN_SQL,
  jsonValueSql,
  modelColumns,
  RELAY_PATTERN_SQL,
  requireColumns,
} from './sourceModel.ts';
import { inRetryScope } from './retryScope.ts';

/**
 * The event diff (SPEC §7 "insert once"): source events whose event_id Klaviyo has not acknowledged yet.
 * Events a bulk request would reject as a whole (time out of range, oversize strings, long metric names) are
 * filtered out here with a reason, so one bad row cannot fail a thousand good ones.
 */

export const EVENT_SKIP_REASONS = {
  missing_id: 'no event id',
  duplicate_id: 'another event has the same event id',
  missing_email: 'no email address',
  invalid_email: 'invalid email address',
  relay_address: 'Amazon relay address (not marketable)',
  not_marketable: 'customer outside the marketing audience (sync.events.include_non_marketable is false)',
  missing_metric: 'no event name',
  metric_too_long: 'event name longer than 127 characters',
  time_out_of_range: 'event time before 1990 or more than a year ahead',
  property_too_large: 'a property value is larger than 100 KB',
} as const;
export type EventSkipReason = keyof typeof EVENT_SKIP_REASONS;

export interface EventsPlan {
  sync: 'events';
  target: string;
  sourceRows: number;
  send: number;
  alreadySent: number;
  /** Sent by an interrupted run without acknowledgement: resent through the deduplicating endpoint. */
  inflight: number;
  backfill: number;
  retrying: number;
  /** Events to send to customers outside the marketing audience (transactional shipping mails). */
  nonMarketable: number;
  /**
   * Klaviyo profiles the events create: recipients this tool has not synced as a profile, list member or
   * earlier event. Such profiles may count toward the shop's Klaviyo bill.
   */
  newProfiles: number;
  byMetric: Record<string, number>;
  skipped: Partial<Record<EventSkipReason, number>>;
  samples: { send: string[]; skipped: { key: string; reason: EventSkipReason }[] };
  digest: string;
}

export async function planEvents(
  db: Database,
  config: EventsConfig,
  now: Date = new Date(),
  options: { retry?: boolean } = {},
): Promise<EventsPlan> {
  const columns = await modelColumns(db, config.model);
  const names = config.profile_attributes;
  // Without the marketable column every recipient counts as marketable, unless the setting needs it to filter.
  const hasMarketable = columns.has(config.marketable_column) || !config.include_non_marketable;
  requireColumns(columns, config.model, [
    { column: config.id_column, setting: 'events.id_column' },
    { column: config.email_column, setting: 'events.email_column' },
    { column: config.metric_column, setting: 'events.metric_column' },
    { column: config.time_column, setting: 'events.time_column' },
    ...(hasMarketable ? [{ column: config.marketable_column, setting: 'events.marketable_column' }] : []),
    ...Object.entries(names).map(([a, c]) => ({ column: c, setting: `events.profile_attributes.${a}` })),
    ...Object.entries(config.properties).map(([p, c]) => ({ column: c, setting: `events.properties.${p}` })),
  ]);
  const nameSql = (column: string | undefined): string =>
    column ? `nullif(trim(${quoteIdent(column)}::varchar), '')` : 'null::varchar';
  const properties = Object.entries(config.properties).map(
    ([name, column]) => `${quoteText(name)}, ${jsonValueSql(column, columns.get(column))}`,
  );
  const oversize = Object.values(config.properties)
    .filter((c) => columns.get(c)?.kind === 'string')
    .map((c) => `coalesce(strlen(${quoteIdent(c)}::varchar), 0) > ${BATCH_LIMITS.stringBytes}`);
  const nowSql = `cast(${quoteText(now.toISOString().replace('T', ' ').replace('Z', ''))} as timestamp)`;
  await db.run(`create or replace temp table c360_plan_events as
    with source as (
      select nullif(trim(${quoteIdent(config.id_column)}::varchar), '') as event_id,
        nullif(lower(trim(${quoteIdent(config.email_column)}::varchar)), '') as email,
        nullif(trim(${quoteIdent(config.metric_column)}::varchar), '') as metric,
        ${quoteIdent(config.time_column)}::timestamp as event_time,
        ${nameSql(names.first_name)} as first_name,
        ${nameSql(names.last_name)} as last_name,
        ${hasMarketable ? `coalesce(${quoteIdent(config.marketable_column)}::boolean, false)` : 'true'} as is_marketable,
        json_object(${properties.join(', ')})::varchar as properties,
        ${oversize.length ? oversize.join(' or ') : 'false'} as oversize
      from main.${quoteIdent(config.model)}
    ),
    checked as (
      select *, case
          when event_id is null then 'missing_id'
          when row_number() over (partition by event_id order by event_time, email) > 1 then 'duplicate_id'
          when email is null then 'missing_email'
          when not regexp_full_match(email, ${EMAIL_PATTERN_SQL}) then 'invalid_email'
          when email like ${RELAY_PATTERN_SQL} then 'relay_address'
          when not ${config.include_non_marketable} and not is_marketable then 'not_marketable'
          when metric is null then 'missing_metric'
          when length(metric) > ${BATCH_LIMITS.metricNameChars} then 'metric_too_long'
          when event_time is null or event_time < timestamp '1990-01-01'
            or event_time > ${nowSql} + interval 1 year then 'time_out_of_range'
          when oversize then 'property_too_large'
        end as reason
      from source
    )
    select c.* exclude (oversize),
      event_time < ${nowSql} - to_minutes(${Math.round(config.backfill_after_hours * 60)}) as backfill,
      case when c.reason is not null then 'skip' when s.event_id is not null then 'sent' else 'send' end as action,
      i.event_id is not null as inflight,
      f.item_key is not null as retrying
    from checked c
    left join c360.sync_event_state s on s.event_id = c.event_id
    left join c360.sync_event_inflight i on i.event_id = c.event_id
    left join c360.sync_failures f on f.sync = 'events' and f.item_key = c.event_id`);
  // A retry (retryScope.ts) sends the events Klaviyo rejected alone, checked again like any other.
  if (options.retry)
    await db.run(
      `delete from c360_plan_events where event_id is null or not ${inRetryScope('events', 'event_id')}`,
    );
  const [totals] = await db.queryJs(`select count(*) as source_rows,
      count(*) filter (where action = 'send') as send,
      count(*) filter (where action = 'sent') as sent,
      count(*) filter (where action = 'send' and inflight) as inflight,
      count(*) filter (where action = 'send' and backfill) as backfill,
      count(*) filter (where action = 'send' and retrying) as retrying,
      count(*) filter (where action = 'send' and not is_marketable) as non_marketable,
      coalesce(sum(hash(coalesce(event_id, '') || '|' || action || '|' || coalesce(reason, ''))::hugeint), 0)::varchar as digest
    from c360_plan_events`);
  // The profile and list syncs store emails trimmed and lower-cased, as the plan above: plain key joins.
  const [profiles] = await db.queryJs(`select count(distinct e.email) as n from c360_plan_events e
    where e.action = 'send'
      and not exists (select 1 from c360.sync_profile_state p where p.email = e.email)
      and not exists (select 1 from c360.sync_list_members m where m.email = e.email)
      and not exists (select 1 from c360_plan_events s where s.action = 'sent' and s.email = e.email)`);
  const metrics = await db.queryJs(
    `select metric, count(*) as n from c360_plan_events where action = 'send' group by metric order by metric`,
  );
  const skippedRows = await db.queryJs(
    `select reason, count(*) as n from c360_plan_events where action = 'skip' group by reason order by reason`,
  );
  const skipped: Partial<Record<EventSkipReason, number>> = {};
  for (const r of skippedRows) skipped[String(r.reason) as EventSkipReason] = Number(r.n);
  const sendSample = await db.queryJson(
    `select event_id from c360_plan_events where action = 'send' order by event_id limit 5`,
  );
  const skipSample = await db.queryJson(
    `select coalesce(event_id, '(no id)') as event_id, reason from c360_plan_events where action = 'skip'
     qualify row_number() over (partition by reason order by event_id) <= 2 order by reason, event_id`,
  );
  return {
    sync: 'events',
    target: config.model,
    sourceRows: Number(totals?.source_rows ?? 0),
    send: Number(totals?.send ?? 0),
    alreadySent: Number(totals?.sent ?? 0),
    inflight: Number(totals?.inflight ?? 0),
    backfill: Number(totals?.backfill ?? 0),
    retrying: Number(totals?.retrying ?? 0),
    nonMarketable: Number(totals?.non_marketable ?? 0),
    newProfiles: Number(profiles?.n ?? 0),
    byMetric: Object.fromEntries(metrics.map((m) => [String(m.metric), Number(m.n)])),
    skipped,
    samples: {
      send: sendSample.map((r) => String(r.event_id)),
      skipped: skipSample.map((r) => ({
        key: String(r.event_id),
        reason: String(r.reason) as EventSkipReason,
      })),
    },
    digest: String(totals?.digest ?? '0'),
  };
}
