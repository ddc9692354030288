import { quoteIdent, quoteText, type Database } from '../db/duckdb.ts';
import { loadProject } from '../models/index.ts';
import { consentFor, healthTagsOf, NO_HEALTH_TAGS, type HealthTags } from '../segments/index.ts';
import type { ProfilesConfig } from './config.ts';
import { BATCH_LIMITS } from './klaviyo/rateLimits.ts';
import { inRetryScope, RETRY_TABLE } from './retryScope.ts';
import {
  EMAIL_PATTERN_SQL,
  jsonValueSql,
  modelColumns,
  RELAY_PATTERN_SQL,
  requireColumns,
  SyncConfigError,
  type ModelColumn,
} from './sourceModel.ts';

/**
 * The profile diff (SPEC §7 "upsert of changed rows only"): every source row becomes the JSON payload Klaviyo
 * would receive, its md5 is compared with the payload Klaviyo last confirmed. All in one DuckDB pass, so a
 * million profiles plan in seconds. The result stays in `temp.c360_plan_profiles` for the apply step.
 */

export const SKIP_REASONS = {
  missing_email: 'no email address',
  invalid_email: 'invalid email address',
  relay_address: 'Amazon relay address (not marketable)',
  not_marketable: 'not marketable (no email consent, or suppressed)',
  duplicate_email: 'another customer row has the same email',
  profile_too_large: 'profile larger than Klaviyo’s 100 KB per profile',
} as const;
export type SkipReason = keyof typeof SKIP_REASONS;

export interface PropertyChange {
  key: string;
  from: unknown;
  to: unknown;
}

export interface ProfilesPlan {
  sync: 'profiles';
  target: string;
  sourceRows: number;
  create: number;
  update: number;
  unchanged: number;
  /** Profiles with a property that became empty: sent one by one, since bulk import cannot clear. */
  clears: number;
  /** Rows that failed before and are retried (create/update counts include them). */
  retrying: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** Profiles Klaviyo confirmed before (the base of the "changing" guardrail). */
  previouslySynced: number;
  /** Synced before but no longer in the source: left alone (deletion is an explicit request). */
  goneFromSource: number;
  payloadBytes: number;
  samples: {
    create: string[];
    update: { email: string; changes: PropertyChange[] }[];
    skipped: { key: string; reason: SkipReason }[];
  };
  digest: string;
}

function payloadSql(config: ProfilesConfig, columns: Map<string, ModelColumn>): string {
  const attributes: string[] = [];
  const location: string[] = [];
  for (const [attribute, column] of Object.entries(config.attributes)) {
    if (!column) continue;
    const value = jsonValueSql(column, columns.get(column));
    if (attribute.startsWith('location.')) location.push(`${quoteText(attribute.slice(9))}, ${value}`);
    else attributes.push(`${quoteText(attribute)}, ${value}`);
  }
  const properties = Object.entries(config.properties).map(
    ([name, column]) => `${quoteText(name)}, ${jsonValueSql(column, columns.get(column))}`,
  );
  return `json_object('email', email_norm${attributes.length ? `, ${attributes.join(', ')}` : ''}${
    location.length ? `, 'location', json_object(${location.join(', ')})` : ''
  }, 'properties', json_object(${properties.join(', ')}))`;
}

/** The health tags of the profile model's docs; a project that cannot be read stops the sync (fail closed). */
export async function readModelHealthTags(projectDir: string, model: string): Promise<HealthTags> {
  try {
    return healthTagsOf((await loadProject(projectDir)).nodes.get(model));
  } catch (error) {
    throw new SyncConfigError(
      `The model docs could not be read, so it is unknown which columns of ${model} hold health data; fix them ` +
        `before syncing profiles:\n${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Health data only with consent (sql/DEFINITIONS.md "Health data"): for a profile whose consent column is not
 * true, a tagged column is sent empty and tagged values are dropped from a list (a tagged text becomes empty).
 * Returns `* replace (…)` items for the mapped columns that hold tagged data.
 */
export function consentMaskSql(
  mapped: string[],
  columns: Map<string, ModelColumn>,
  health: HealthTags,
  model: string,
): string[] {
  const consentSql = (tags: string[]): string => {
    const { consentColumns, missing } = consentFor([{ what: '', tags }], health);
    if (missing.length)
      throw new SyncConfigError(
        `${model} has data tagged ${missing.join(', ')} in its docs but no consent column for it: add ` +
          `consent_columns: { ${missing[0]}: <opt-in column> } to the model's YAML.`,
      );
    const absent = consentColumns.filter((c) => columns.get(c)?.kind !== 'boolean');
    if (absent.length)
      throw new SyncConfigError(
        `${model} has no true/false column ${absent.join(', ')}, the consent column its docs name for health data; ` +
          'add it to the model or fix consent_columns in its YAML.',
      );
    return consentColumns.map((c) => `coalesce(${quoteIdent(c)}, false)`).join(' and ');
  };
  const items: string[] = [];
  for (const name of [...new Set(mapped)]) {
    const c = quoteIdent(name);
    const columnTags = health.columns.get(name);
    const values = [...(health.values.get(name) ?? [])];
    if (columnTags) items.push(`case when ${consentSql(columnTags)} then ${c} end as ${c}`);
    else if (values.length) {
      const allowed = (x: string) =>
        values
          .map(
            ([v, tags]) => `(coalesce(lower(${x}::varchar) <> ${quoteText(v)}, true) or ${consentSql(tags)})`,
          )
          .join(' and ');
      items.push(
        columns.get(name)?.kind === 'list'
          ? `list_filter(${c}, x -> ${allowed('x')}) as ${c}`
          : `case when ${allowed(c)} then ${c} end as ${c}`,
      );
    }
  }
  return items;
}

/** Keys (properties and top-level attributes) that were set in Klaviyo and are now empty. */
function clearsSql(config: ProfilesConfig): string {
  const attributes = Object.keys(config.attributes).filter((a) => !a.startsWith('location.'));
  const attrList = attributes.length ? `[${attributes.map(quoteText).join(', ')}]` : `[]::varchar[]`;
  return `case when state_payload is null then []::varchar[] else list_concat(
    list_filter(json_keys(payload::json->'properties'),
      k -> (payload::json->'properties'->>k) is null and (state_payload::json->'properties'->>k) is not null),
    list_filter(${attrList}, k -> (payload::json->>k) is null and (state_payload::json->>k) is not null)) end`;
}

export async function planProfiles(
  db: Database,
  config: ProfilesConfig,
  health: HealthTags = NO_HEALTH_TAGS,
  options: { retry?: boolean } = {},
): Promise<ProfilesPlan> {
  const columns = await modelColumns(db, config.model);
  requireColumns(columns, config.model, [
    { column: config.email_column, setting: 'profiles.email_column' },
    ...Object.entries(config.attributes).map(([a, c]) => ({
      column: c ?? '',
      setting: `profiles.attributes.${a}`,
    })),
    ...Object.entries(config.properties).map(([p, c]) => ({
      column: c,
      setting: `profiles.properties.${p}`,
    })),
  ]);
  if (config.audience === 'marketable' && !columns.has('is_marketable'))
    throw new SyncConfigError(
      `profiles.audience is 'marketable' but ${config.model} has no is_marketable column; add one or use audience: valid_email.`,
    );
  const email = quoteIdent(config.email_column);
  const relay = columns.has('is_relay_email')
    ? `coalesce(is_relay_email, false) or email_norm like ${RELAY_PATTERN_SQL}`
    : `email_norm like ${RELAY_PATTERN_SQL}`;
  const order = columns.has('customer_id') ? 'customer_id' : 'email_norm';
  const key = columns.has('customer_id') ? 'customer_id::varchar' : 'email_norm';
  const masked = consentMaskSql(
    [...Object.values(config.properties), ...Object.values(config.attributes).filter((c) => c !== undefined)],
    columns,
    health,
    config.model,
  );
  // Unchanged rows dominate a rerun: the table keeps their hashes only, not their payloads, and the previous
  // payloads (the state's widest column) are read for the changed rows alone (clears and samples).
  await db.run(`create or replace temp table c360_plan_profiles as
    with source as (
      select *${masked.length ? ` replace (${masked.join(', ')})` : ''},
        nullif(lower(trim(${email}::varchar)), '') as email_norm
      from main.${quoteIdent(config.model)}
    ),
    shaped as (
      select ${key} as row_key, email_norm as email, ${payloadSql(config, columns)}::varchar as payload,
        case
          when email_norm is null then 'missing_email'
          when not regexp_full_match(email_norm, ${EMAIL_PATTERN_SQL}) then 'invalid_email'
          when ${relay} then 'relay_address'
          ${config.audience === 'marketable' ? `when not coalesce(is_marketable, false) then 'not_marketable'` : ''}
        end as reason,
        ${order} as sort_key
      from source
    ),
    ranked as (
      select *, case when reason is null then row_number() over (partition by email, reason is null order by sort_key) end as email_rank
      from shaped
    ),
    checked as (
      select row_key, email, payload, md5(payload) as payload_hash, strlen(payload) as bytes,
        case
          when reason is not null then reason
          when email_rank > 1 then 'duplicate_email'
          when strlen(payload) > ${BATCH_LIMITS.profileBytes} then 'profile_too_large'
        end as reason
      from ranked
    ),
    decided as (
      select c.*, s.payload_hash as state_hash,
        case
          when c.reason is not null then 'skip'
          when s.email is null then 'create'
          when s.payload_hash <> c.payload_hash then 'update'
          else 'unchanged'
        end as action,
        f.item_key is not null as retrying
      from checked c
      left join (select email, payload_hash from c360.sync_profile_state) s on s.email = c.email
      left join c360.sync_failures f on f.sync = 'profiles' and f.target = '' and f.item_key = c.email
    )
    select * exclude (payload), case when action in ('create', 'update') then payload end as payload
    from decided`);
  // A retry (retryScope.ts) plans the rejected rows alone, judged on the whole source (duplicates, consent):
  // the others are dropped here, before the clears, figures and samples are read from the table.
  let retryGone = 0;
  if (options.retry) {
    const [gone] = await db.queryJs(
      `select count(*) as n from ${RETRY_TABLE} r where r.sync = 'profiles'
       and not exists (select 1 from c360_plan_profiles p where p.email = r.item_key)`,
    );
    retryGone = Number(gone?.n ?? 0);
    await db.run(
      `delete from c360_plan_profiles where email is null or not ${inRetryScope('profiles', 'email')}`,
    );
  }
  await db.run(`create or replace temp table c360_plan_clears as
    select email, clears from (
      select p.email, ${clearsSql(config)} as clears
      from c360_plan_profiles p
      join (select email, payload as state_payload from c360.sync_profile_state
            where email in (select email from c360_plan_profiles where action = 'update')) s on s.email = p.email
      where p.action = 'update')
    where len(clears) > 0`);

  const [totals] = await db.queryJs(`select
      count(*) as source_rows,
      count(*) filter (where action = 'create') as creates,
      count(*) filter (where action = 'update') as updates,
      count(*) filter (where action = 'unchanged') as unchanged,
      (select count(*) from c360_plan_clears) as clears,
      count(*) filter (where retrying and action in ('create', 'update')) as retrying,
      coalesce(sum(bytes) filter (where action in ('create', 'update')), 0) as bytes,
      -- Each synced email matches at most one row that is not skipped (duplicates are skipped).
      count(*) filter (where action <> 'skip' and state_hash is not null) as still_in_source,
      coalesce(sum(hash(row_key || '|' || coalesce(email, '') || '|' || action || '|' || payload_hash || '|' || coalesce(reason, ''))::hugeint), 0)::varchar as digest
    from c360_plan_profiles`);
  const skippedRows = await db.queryJs(
    `select reason, count(*) as n from c360_plan_profiles where action = 'skip' group by reason order by reason`,
  );
  const [state] = await db.queryJs(`select count(*) as n from c360.sync_profile_state`);
  const samples = await planSamples(db);
  const skipped: Partial<Record<SkipReason, number>> = {};
  for (const r of skippedRows) skipped[String(r.reason) as SkipReason] = Number(r.n);
  return {
    sync: 'profiles',
    target: config.model,
    sourceRows: Number(totals?.source_rows ?? 0),
    create: Number(totals?.creates ?? 0),
    update: Number(totals?.updates ?? 0),
    unchanged: Number(totals?.unchanged ?? 0),
    clears: Number(totals?.clears ?? 0),
    retrying: Number(totals?.retrying ?? 0),
    skipped,
    previouslySynced: Number(state?.n ?? 0),
    // In a retry: the rejected rows whose email is no longer in the source (nothing to send for them).
    goneFromSource: options.retry ? retryGone : Number(state?.n ?? 0) - Number(totals?.still_in_source ?? 0),
    payloadBytes: Number(totals?.bytes ?? 0),
    samples,
    digest: String(totals?.digest ?? '0'),
  };
}

const SAMPLE_SIZE = 5;

async function planSamples(db: Database): Promise<ProfilesPlan['samples']> {
  const creates = await db.queryJs(
    `select email from c360_plan_profiles where action = 'create' order by email limit ${SAMPLE_SIZE}`,
  );
  const updates = await db.queryJs(
    `select p.email, p.payload, s.payload as state_payload
     from (select email, payload from c360_plan_profiles where action = 'update' order by email limit ${SAMPLE_SIZE}) p
     join c360.sync_profile_state s on s.email = p.email order by p.email`,
  );
  const skipped = await db.queryJs(
    `select row_key, reason from c360_plan_profiles where action = 'skip'
     qualify row_number() over (partition by reason order by row_key) <= 2 order by reason, row_key`,
  );
  return {
    create: creates.map((r) => String(r.email)),
    update: updates.map((r) => ({
      email: String(r.email),
      changes: payloadChanges(JSON.parse(String(r.state_payload)), JSON.parse(String(r.payload))),
    })),
    skipped: skipped.map((r) => ({ key: String(r.row_key), reason: String(r.reason) as SkipReason })),
  };
}

/** What differs between two payloads, as flat keys (`properties.LTV`, `location.city`, `first_name`). */
export function payloadChanges(before: unknown, after: unknown, prefix = ''): PropertyChange[] {
  const changes: PropertyChange[] = [];
  const a = (before ?? {}) as Record<string, unknown>;
  const b = (after ?? {}) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const from = a[key] ?? null;
    const to = b[key] ?? null;
    const nested = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (nested(from) || nested(to)) changes.push(...payloadChanges(from, to, `${prefix}${key}.`));
    else if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ key: `${prefix}${key}`, from, to });
  }
  return changes;
}
