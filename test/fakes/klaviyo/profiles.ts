/**
 * GET /api/profiles (lookup by identifier filters, cursor pages) and POST /api/profile-import (single
 * create-or-update, where null clears a field). Identifier filters are answered from the store's indexes;
 * only unfiltered or date-filtered requests scan.
 */
import type { HandlerResult, Route, RouteContext } from './context.ts';
import { KB } from './context.ts';
import { duplicateProfile, invalidParameter, KlaviyoApiError, notFound } from './errors.ts';
import { conditionValues, parseAllowedFilter, type FilterCondition } from './filterSyntax.ts';
import { collectionLinks, paginateAfterId, paginateByOffset } from './pagination.ts';
import { upsertProfile, type PatchPropertiesInput, type ProfileAttributesInput } from './profileUpsert.ts';
import { Fieldset, profileResource } from './resources.ts';
import { FakeStore, type IdentifierField } from './store.ts';
import { parseDateTime } from './time.ts';
import type { ProfileRecord } from './types.ts';

const IMPLEMENTED_FILTERS = new Set([
  'equals:id',
  'any:id',
  'equals:email',
  'any:email',
  'equals:phone_number',
  'any:phone_number',
  'equals:external_id',
  'any:external_id',
  'greater-than:created',
  'less-than:created',
  'greater-than:updated',
  'less-than:updated',
]);

const SORTABLE = new Set(['id', 'created', 'updated', 'email']);

function isIdentityCondition(c: FilterCondition): boolean {
  return (
    (c.operator === 'equals' || c.operator === 'any') &&
    ['id', 'email', 'phone_number', 'external_id'].includes(c.field)
  );
}

function matches(profile: ProfileRecord, c: FilterCondition): boolean {
  if (isIdentityCondition(c)) {
    const values = conditionValues(c);
    if (c.field === 'id') return values.includes(profile.id);
    const field = c.field as IdentifierField;
    const own = profile[field];
    return own !== null && values.some((v) => FakeStore.normalise(field, v) === own);
  }
  const bound = parseDateTime(String(c.value));
  if (Number.isNaN(bound)) throw invalidParameter('filter', `'${String(c.value)}' is not a valid datetime.`);
  const own = Date.parse(c.field === 'created' ? profile.created : profile.updated);
  return c.operator === 'greater-than' ? own > bound : own < bound;
}

function candidateIds(store: FakeStore, c: FilterCondition): string[] {
  const ids = new Set<string>();
  for (const value of conditionValues(c)) {
    const id =
      c.field === 'id'
        ? store.state.profiles.has(value)
          ? value
          : undefined
        : store.profileIdBy(c.field as IdentifierField, value);
    if (id !== undefined) ids.add(id);
  }
  return [...ids].sort();
}

function sortKey(profile: ProfileRecord, field: string): string {
  if (field === 'created') return profile.created;
  if (field === 'updated') return profile.updated;
  if (field === 'email') return profile.email ?? '';
  return profile.id;
}

function getProfiles(ctx: RouteContext): HandlerResult {
  const { store, query } = ctx;
  const conditions = parseAllowedFilter(query.string('filter'), query.allowedFilters(), IMPLEMENTED_FILTERS);
  const sort = query.string('sort') ?? 'id';
  const descending = sort.startsWith('-');
  const sortField = descending ? sort.slice(1) : sort;
  if (!SORTABLE.has(sortField))
    throw invalidParameter('sort', `Sorting by '${sort}' is not implemented by this fake.`);
  const size = query.integer('page[size]');
  const cursor = query.string('page[cursor]');
  const fields = new Fieldset(query.list('fields[profile]'));

  const identity = conditions.find(isIdentityCondition);
  const rest = conditions.filter((c) => c !== identity);
  let page: { ids: string[]; nextCursor: string | null };
  if (!identity && rest.length === 0 && sort === 'id') {
    // The common "page through everything" case: binary search in the id-ordered array, no scan.
    const result = paginateAfterId(store.profileIdsInOrder(), cursor, size, 'profiles');
    page = { ids: result.items, nextCursor: result.nextCursor };
  } else {
    const pool = identity ? candidateIds(store, identity) : store.profileIdsInOrder();
    let profiles: ProfileRecord[] = [];
    for (const id of pool) {
      const profile = store.state.profiles.get(id);
      if (profile && rest.every((c) => matches(profile, c))) profiles.push(profile);
    }
    if (sortField !== 'id') {
      profiles = profiles.sort(
        (a, b) => sortKey(a, sortField).localeCompare(sortKey(b, sortField)) || a.id.localeCompare(b.id),
      );
    }
    if (descending) profiles.reverse();
    const result = paginateByOffset(
      profiles,
      cursor,
      size,
      `profiles:${query.string('filter') ?? ''}:${sort}`,
    );
    page = { ids: result.items.map((p) => p.id), nextCursor: result.nextCursor };
  }
  const body: Record<string, unknown> = {
    data: renderProfiles(ctx, page.ids, fields),
    links: collectionLinks(ctx.linkOrigin, '/api/profiles', query.params, page.nextCursor),
  };
  // Conversations and push tokens are outside this fake's scope: accepted, answered with nothing included.
  if (query.list('include')) body['included'] = [];
  return { status: 200, body };
}

interface ProfileUpsertBody {
  data: {
    type: 'profile';
    id?: string | null;
    attributes: ProfileAttributesInput;
    meta?: { patch_properties?: PatchPropertiesInput };
  };
}

function createOrUpdateProfile(ctx: RouteContext): HandlerResult {
  const { data } = ctx.body as ProfileUpsertBody;
  const outcome = upsertProfile(
    ctx.store,
    { id: data.id, attributes: data.attributes, patchProperties: data.meta?.patch_properties },
    'clear',
    ctx.nowMs,
  );
  if (!outcome.ok) {
    const { failure } = outcome;
    if (failure.code === 'duplicate_profile')
      throw duplicateProfile(failure.conflictingProfileId ?? '', '/data/attributes');
    if (failure.code === 'not_found') throw notFound(failure.detail, { pointer: '/data/id' });
    throw new KlaviyoApiError(400, failure.code, failure.title, failure.detail, {
      pointer: `/data${failure.pointer}`,
    });
  }
  const fields = new Fieldset(ctx.query.list('fields[profile]'));
  return {
    status: outcome.created ? 201 : 200,
    body: {
      data: profileResource(outcome.profile, ctx.linkOrigin, fields),
      links: { self: `${ctx.linkOrigin}/api/profile-import/` },
    },
  };
}

/** Reads asking for predictive analytics have their own, lower limits (spec: 10/s, 150/m). */
export function predictiveBucket({ query }: { query: URLSearchParams }) {
  const extra = query.get('additional-fields[profile]') ?? '';
  return extra.split(',').includes('predictive_analytics')
    ? { key: 'predictive_analytics', limits: { burst: '10/s', steady: '150/m' } }
    : null;
}

export const profileRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/api/profiles',
    operationId: 'get_profiles',
    handler: getProfiles,
    rateLimitBucket: predictiveBucket,
  },
  {
    method: 'POST',
    pattern: '/api/profile-import',
    operationId: 'create_or_update_profile',
    handler: createOrUpdateProfile,
    maxBodyBytes: 100 * KB,
  },
];

/** Used by the sub-collections (job profiles, list profiles) that render profiles by id. */
export function renderProfiles(
  ctx: RouteContext,
  ids: readonly string[],
  fields: Fieldset = new Fieldset(ctx.query.list('fields[profile]')),
): ReturnType<typeof profileResource>[] {
  return ids.flatMap((id) => {
    const profile = ctx.store.state.profiles.get(id);
    return profile ? [profileResource(profile, ctx.linkOrigin, fields)] : [];
  });
}
