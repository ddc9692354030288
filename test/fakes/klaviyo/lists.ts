/**
 * Lists: create (daily quota enforced by the rate limiter from the spec's `150/d`), look up by name or id,
 * and membership changes by profile id only (≤ 1000 per call, 204). Duplicate list names are allowed, as
 * the spec states no uniqueness rule; `listByName` returns the oldest.
 */
import type { HandlerResult, Route, RouteContext } from './context.ts';
import { invalid, notFound } from './errors.ts';
import { conditionValues, parseAllowedFilter, type FilterCondition } from './filterSyntax.ts';
import { collectionLinks, paginateByOffset } from './pagination.ts';
import { predictiveBucket, renderProfiles } from './profiles.ts';
import { Fieldset, listResource } from './resources.ts';
import { FakeStore } from './store.ts';
import { parseDateTime } from './time.ts';
import type { ListRecord, ProfileRecord } from './types.ts';

export const MAX_MEMBERS_PER_CALL = 1000;

interface ListCreateBody {
  data: { type: 'list'; attributes: { name: string; opt_in_process?: ListRecord['opt_in_process'] | null } };
}

interface MembersBody {
  data: { type: 'profile'; id: string }[];
}

function createList(ctx: RouteContext): HandlerResult {
  const { attributes } = (ctx.body as ListCreateBody).data;
  if (attributes.name.trim() === '')
    throw invalid('The list name must not be empty.', { pointer: '/data/attributes/name' });
  const list = ctx.store.createList(attributes.name, attributes.opt_in_process ?? 'single_opt_in', ctx.nowMs);
  return {
    status: 201,
    body: {
      data: listResource(list, ctx.linkOrigin, new Fieldset(ctx.query.list('fields[list]'))),
      links: { self: `${ctx.linkOrigin}/api/lists/` },
    },
  };
}

const LIST_FILTERS = new Set([
  'equals:name',
  'any:name',
  'equals:id',
  'any:id',
  'greater-than:created',
  'greater-than:updated',
]);

function listMatches(list: ListRecord, c: FilterCondition): boolean {
  if (c.operator === 'greater-than') {
    const bound = parseDateTime(String(c.value));
    return Date.parse(c.field === 'created' ? list.created : list.updated) > bound;
  }
  const own = c.field === 'name' ? list.name : list.id;
  return conditionValues(c).includes(own);
}

function sortLists(lists: ListRecord[], sort: string | null): ListRecord[] {
  if (sort === null) return lists;
  const field = sort.replace(/^-/, '') as 'created' | 'id' | 'name' | 'updated';
  const sorted = [...lists].sort((a, b) => a[field].localeCompare(b[field]));
  return sort.startsWith('-') ? sorted.reverse() : sorted;
}

function getLists(ctx: RouteContext): HandlerResult {
  const { query } = ctx;
  const conditions = parseAllowedFilter(query.string('filter'), query.allowedFilters(), LIST_FILTERS);
  const lists = [...ctx.store.state.lists.values()].filter((list) =>
    conditions.every((c) => listMatches(list, c)),
  );
  const kind = `lists:${query.string('filter') ?? ''}:${query.string('sort') ?? ''}`;
  const page = paginateByOffset(
    sortLists(lists, query.string('sort')),
    query.string('page[cursor]'),
    query.integer('page[size]'),
    kind,
  );
  const fields = new Fieldset(query.list('fields[list]'));
  const body: Record<string, unknown> = {
    data: page.items.map((list) => listResource(list, ctx.linkOrigin, fields)),
    links: collectionLinks(ctx.linkOrigin, '/api/lists', query.params, page.nextCursor),
  };
  if (query.list('include')) body['included'] = [];
  return { status: 200, body };
}

function listOr404(ctx: RouteContext): ListRecord {
  const list = ctx.store.state.lists.get(ctx.params['id'] ?? '');
  if (!list) throw notFound(`A list with id ${ctx.params['id']} does not exist.`, { parameter: 'id' });
  return list;
}

function getList(ctx: RouteContext): HandlerResult {
  const list = listOr404(ctx);
  const withCount = ctx.query.list('additional-fields[list]')?.includes('profile_count') ?? false;
  const body: Record<string, unknown> = {
    data: listResource(list, ctx.linkOrigin, new Fieldset(ctx.query.list('fields[list]')), withCount),
    links: { self: `${ctx.linkOrigin}/api/lists/${list.id}/` },
  };
  if (ctx.query.list('include')) body['included'] = [];
  return { status: 200, body };
}

function memberIdsFromBody(ctx: RouteContext): string[] {
  const { data } = ctx.body as MembersBody;
  if (data.length > MAX_MEMBERS_PER_CALL) {
    throw invalid(
      `A maximum of ${MAX_MEMBERS_PER_CALL} profiles can be given per call; got ${data.length}.`,
      { pointer: '/data' },
    );
  }
  return data.map((item) => item.id);
}

function addMembers(ctx: RouteContext): HandlerResult {
  const list = listOr404(ctx);
  const ids = memberIdsFromBody(ctx);
  // UNCONFIRMED how Klaviyo treats unknown ids; rejecting the call surfaces stale ids (e.g. after a deletion).
  const unknown = ids.findIndex((id) => !ctx.store.state.profiles.has(id));
  if (unknown >= 0)
    throw invalid(`Profile ${ids[unknown]} does not exist.`, { pointer: `/data/${unknown}/id` });
  ctx.store.addMembers(list, ids);
  return { status: 204 };
}

function removeMembers(ctx: RouteContext): HandlerResult {
  const list = listOr404(ctx);
  // Removing a non-member or an unknown id is a no-op, which keeps retried removals idempotent.
  ctx.store.removeMembers(list, memberIdsFromBody(ctx));
  return { status: 204 };
}

const MEMBER_FILTERS = new Set(['equals:email', 'any:email', 'equals:phone_number', 'any:phone_number']);

function memberPage(ctx: RouteContext) {
  const list = listOr404(ctx);
  const { query, store } = ctx;
  const conditions = parseAllowedFilter(query.string('filter'), query.allowedFilters(), MEMBER_FILTERS);
  let ids: readonly string[] = store.memberIds(list);
  if (conditions.length > 0) {
    ids = ids.filter((id) => {
      const profile = store.state.profiles.get(id);
      return profile !== undefined && conditions.every((c) => memberMatches(profile, c));
    });
  }
  if (query.string('sort') === '-joined_group_at') ids = [...ids].reverse();
  const kind = `members:${list.id}:${query.string('filter') ?? ''}:${query.string('sort') ?? ''}`;
  return paginateByOffset(ids, query.string('page[cursor]'), query.integer('page[size]'), kind);
}

function memberMatches(profile: ProfileRecord, c: FilterCondition): boolean {
  const field = c.field as 'email' | 'phone_number';
  const own = profile[field];
  return own !== null && conditionValues(c).some((v) => FakeStore.normalise(field, v) === own);
}

function memberIds(ctx: RouteContext): HandlerResult {
  const page = memberPage(ctx);
  return {
    status: 200,
    body: {
      data: page.items.map((id) => ({ type: 'profile', id })),
      links: collectionLinks(ctx.linkOrigin, ctx.path, ctx.query.params, page.nextCursor),
    },
  };
}

function memberProfiles(ctx: RouteContext): HandlerResult {
  const page = memberPage(ctx);
  return {
    status: 200,
    body: {
      data: renderProfiles(ctx, page.items),
      links: collectionLinks(ctx.linkOrigin, ctx.path, ctx.query.params, page.nextCursor),
    },
  };
}

export const listRoutes: Route[] = [
  { method: 'POST', pattern: '/api/lists', operationId: 'create_list', handler: createList },
  { method: 'GET', pattern: '/api/lists', operationId: 'get_lists', handler: getLists },
  { method: 'GET', pattern: '/api/lists/{id}', operationId: 'get_list', handler: getList },
  {
    method: 'POST',
    pattern: '/api/lists/{id}/relationships/profiles',
    operationId: 'add_profiles_to_list',
    handler: addMembers,
  },
  {
    method: 'DELETE',
    pattern: '/api/lists/{id}/relationships/profiles',
    operationId: 'remove_profiles_from_list',
    handler: removeMembers,
  },
  {
    method: 'GET',
    pattern: '/api/lists/{id}/relationships/profiles',
    operationId: 'get_profile_ids_for_list',
    handler: memberIds,
  },
  {
    method: 'GET',
    pattern: '/api/lists/{id}/profiles',
    operationId: 'get_profiles_for_list',
    handler: memberProfiles,
    rateLimitBucket: predictiveBucket,
  },
];
