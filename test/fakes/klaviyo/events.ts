/**
 * Event ingestion. Both endpoints answer 202 with no body and are applied immediately (Klaviyo only promises
 * "submitted for processing"). Dedupe key: (profile, metric name, unique_id), where a missing unique_id is
 * the event time to the second. The single endpoint keeps the first event of a repeated key; the bulk
 * endpoint fails the whole request when a key repeats inside it, and silently skips keys stored earlier.
 * Any limit violation (count, size, properties, metric name, time range, profile identifiers) fails the
 * whole request, as the spec describes for bulk and the notes measured (§11).
 */
import type { HandlerResult, Route, RouteContext } from './context.ts';
import { KB, MB } from './context.ts';
import { invalid } from './errors.ts';
import {
  upsertProfile,
  validateProfileInput,
  type PatchPropertiesInput,
  type ProfileAttributesInput,
} from './profileUpsert.ts';
import { eventKey, FakeStore, IDENTIFIER_FIELDS } from './store.ts';
import { klaviyoTimestamp, parseDateTime } from './time.ts';
import type { ProfileRecord } from './types.ts';

export const MAX_EVENTS_PER_BULK_REQUEST = 1000;
const MAX_STRING_BYTES = 100 * KB;
const MAX_PROPERTIES = 400;
const MAX_METRIC_NAME_LENGTH = 127;
const EARLIEST_EVENT_MS = Date.UTC(1990, 0, 1);
const YEAR_MS = 365 * 24 * 3600 * 1000;

interface EventAttributesInput {
  properties: Record<string, unknown>;
  time?: string | null;
  value?: number | null;
  value_currency?: string | null;
  unique_id?: string | null;
  backfill?: boolean | null;
  metric: { data: { type: 'metric'; attributes: { name: string; service?: string | null } } };
}

interface EventProfileData {
  type: 'profile';
  id?: string | null;
  attributes: ProfileAttributesInput & { meta?: { patch_properties?: PatchPropertiesInput } };
  meta?: { patch_properties?: PatchPropertiesInput };
}

interface SingleEventBody {
  data: { type: 'event'; attributes: EventAttributesInput & { profile: { data: EventProfileData } } };
}

interface BulkEntry {
  type: 'event-bulk-create';
  attributes: {
    profile: { data: EventProfileData };
    events: { data: { type: 'event'; attributes: EventAttributesInput }[] };
    backfill?: boolean | null;
  };
}

interface BulkEventsBody {
  data: { type: 'event-bulk-create-job'; attributes: { 'events-bulk-create': { data: BulkEntry[] } } };
}

/** First string longer than 100 KB anywhere in the body, as a JSON pointer. */
function oversizedString(value: unknown, path: string): string | null {
  if (typeof value === 'string') {
    // length * 3 bounds the UTF-8 size, so most strings skip the byte count.
    return value.length * 3 > MAX_STRING_BYTES && Buffer.byteLength(value) > MAX_STRING_BYTES ? path : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = oversizedString(value[i], `${path}/${i}`);
      if (hit) return hit;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const hit = oversizedString(inner, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (hit) return hit;
    }
  }
  return null;
}

/** Checks one event's own limits; returns its time in ms (received time when absent). */
function checkEvent(attrs: EventAttributesInput, pointer: string, nowMs: number): number {
  const name = attrs.metric.data.attributes.name;
  if (name.length > MAX_METRIC_NAME_LENGTH) {
    throw invalid('The metric name must be less than 128 characters.', {
      pointer: `${pointer}/metric/data/attributes/name`,
    });
  }
  if (Object.keys(attrs.properties).length > MAX_PROPERTIES) {
    throw invalid(`An event can have at most ${MAX_PROPERTIES} properties.`, {
      pointer: `${pointer}/properties`,
    });
  }
  if (attrs.time === null || attrs.time === undefined) return nowMs;
  const time = parseDateTime(attrs.time);
  if (Number.isNaN(time))
    throw invalid(`'${attrs.time}' is not a valid datetime.`, { pointer: `${pointer}/time` });
  if (time < EARLIEST_EVENT_MS || time > nowMs + YEAR_MS) {
    throw invalid('The event time must be after 1990 and can be at most 1 year in the future.', {
      pointer: `${pointer}/time`,
    });
  }
  return time;
}

function profileInput(data: EventProfileData) {
  const { meta: innerMeta, ...attributes } = data.attributes;
  return { id: data.id, attributes, patchProperties: (data.meta ?? innerMeta)?.patch_properties ?? null };
}

function checkProfile(store: FakeStore, data: EventProfileData, pointer: string): void {
  const failure = validateProfileInput(profileInput(data));
  if (failure) throw invalid(failure.detail, { pointer: `${pointer}${failure.pointer}` });
  if (data.id && !store.state.profiles.has(data.id)) {
    throw invalid(`No profile with id ${data.id} exists.`, { pointer: `${pointer}/id` });
  }
}

/** Creates or updates the event's profile; an identifier owned by another profile leaves both untouched. */
function resolveProfile(store: FakeStore, data: EventProfileData, nowMs: number): ProfileRecord {
  const input = profileInput(data);
  const outcome = upsertProfile(store, input, 'ignore', nowMs);
  if (outcome.ok) return outcome.profile;
  if (outcome.failure.code === 'duplicate_profile') {
    for (const field of IDENTIFIER_FIELDS) {
      const value = input.attributes[field];
      const found = typeof value === 'string' ? store.profileBy(field, value) : undefined;
      if (found) return found;
    }
  }
  throw invalid(outcome.failure.detail, { pointer: '/data/attributes/profile/data' });
}

/** Identity used for duplicate detection before profiles exist: the stored id, else the first identifier. */
function identityKey(store: FakeStore, data: EventProfileData): string {
  if (data.id) return data.id;
  for (const field of IDENTIFIER_FIELDS) {
    const value = data.attributes[field];
    if (typeof value === 'string' && value !== '') {
      return store.profileIdBy(field, value) ?? `${field}:${FakeStore.normalise(field, value)}`;
    }
  }
  return '';
}

function storeEvent(
  store: FakeStore,
  profile: ProfileRecord,
  attrs: EventAttributesInput,
  timeMs: number,
  source: 'single' | 'bulk',
  backfill: boolean,
  nowMs: number,
): void {
  const time = klaviyoTimestamp(timeMs);
  store.addEvent({
    id: store.ids.ulid(nowMs),
    metric: attrs.metric.data.attributes.name,
    profile_id: profile.id,
    unique_id: attrs.unique_id ?? time,
    time,
    value: attrs.value ?? null,
    value_currency: attrs.value_currency ?? null,
    properties: attrs.properties,
    backfill: attrs.backfill ?? backfill,
    source,
    received_at: klaviyoTimestamp(nowMs),
  });
}

function createEvent(ctx: RouteContext): HandlerResult {
  const { attributes } = (ctx.body as SingleEventBody).data;
  const big = oversizedString(ctx.body, '');
  if (big) throw invalid('A single string cannot exceed 100KB.', { pointer: big });
  checkProfile(ctx.store, attributes.profile.data, '/data/attributes/profile/data');
  const timeMs = checkEvent(attributes, '/data/attributes', ctx.nowMs);
  const profile = resolveProfile(ctx.store, attributes.profile.data, ctx.nowMs);
  storeEvent(ctx.store, profile, attributes, timeMs, 'single', false, ctx.nowMs);
  return { status: 202 };
}

function bulkCreateEvents(ctx: RouteContext): HandlerResult {
  const entries = (ctx.body as BulkEventsBody).data.attributes['events-bulk-create'].data;
  const base = '/data/attributes/events-bulk-create/data';
  const total = entries.reduce((sum, entry) => sum + entry.attributes.events.data.length, 0);
  if (total === 0) throw invalid('At least one event is required.', { pointer: base });
  if (total > MAX_EVENTS_PER_BULK_REQUEST) {
    throw invalid(
      `A maximum of ${MAX_EVENTS_PER_BULK_REQUEST} events can be created per request; got ${total}.`,
      { pointer: base },
    );
  }
  const big = oversizedString(ctx.body, '');
  if (big) throw invalid('A single string cannot exceed 100KB.', { pointer: big });
  // Validate everything first: one bad event or one repeated unique_id means no event of the request is kept.
  const seen = new Set<string>();
  const times: number[][] = entries.map((entry, i) => {
    const pointer = `${base}/${i}/attributes`;
    checkProfile(ctx.store, entry.attributes.profile.data, `${pointer}/profile/data`);
    const identity = identityKey(ctx.store, entry.attributes.profile.data);
    return entry.attributes.events.data.map((event, j) => {
      const eventPointer = `${pointer}/events/data/${j}/attributes`;
      const timeMs = checkEvent(event.attributes, eventPointer, ctx.nowMs);
      const uniqueId = event.attributes.unique_id;
      if (typeof uniqueId === 'string') {
        const key = eventKey(identity, event.attributes.metric.data.attributes.name, uniqueId);
        if (seen.has(key)) {
          throw invalid(
            `The unique_id ${JSON.stringify(uniqueId)} is repeated for the same profile and metric; no events were processed.`,
            { pointer: `${eventPointer}/unique_id` },
          );
        }
        seen.add(key);
      }
      return timeMs;
    });
  });
  entries.forEach((entry, i) => {
    const profile = resolveProfile(ctx.store, entry.attributes.profile.data, ctx.nowMs);
    entry.attributes.events.data.forEach((event, j) => {
      const timeMs = times[i]?.[j] ?? ctx.nowMs;
      storeEvent(
        ctx.store,
        profile,
        event.attributes,
        timeMs,
        'bulk',
        entry.attributes.backfill ?? false,
        ctx.nowMs,
      );
    });
  });
  return { status: 202 };
}

export const eventRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/api/events',
    operationId: 'create_event',
    handler: createEvent,
    maxBodyBytes: 5 * MB,
  },
  {
    method: 'POST',
    pattern: '/api/event-bulk-create-jobs',
    operationId: 'bulk_create_events',
    handler: bulkCreateEvents,
    maxBodyBytes: 5 * MB,
  },
];
