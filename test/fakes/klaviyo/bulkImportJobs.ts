/**
 * Bulk profile import jobs: POST creates a `queued` job and answers 202; the job is `processing` after a
 * third of `jobDelayMs` and applies its profiles when it completes. Whole-request problems (too many profiles,
 * unknown list) are 400s; per-profile problems (bad email or phone, no identifier, > 100 KB, identifier owned
 * by another profile, injected transient faults) become import errors and the rest of the job goes through.
 */
import { randomUUID } from 'node:crypto';
import type { HandlerResult, Route, RouteContext } from './context.ts';
import { KB, MB } from './context.ts';
import { invalid, notFound } from './errors.ts';
import { conditionValues, parseAllowedFilter } from './filterSyntax.ts';
import { collectionLinks, paginateByOffset } from './pagination.ts';
import { renderProfiles } from './profiles.ts';
import { upsertProfile, type PatchPropertiesInput, type ProfileAttributesInput } from './profileUpsert.ts';
import { Fieldset, importErrorResource, importJobResource, listResource } from './resources.ts';
import type { FakeStore } from './store.ts';
import { klaviyoTimestamp } from './time.ts';
import type { ImportErrorRecord, ImportJobRecord } from './types.ts';

export const MAX_PROFILES_PER_JOB = 10_000;
const MAX_PROFILE_BYTES = 100 * KB;
const JOB_RETENTION_MS = 7 * 24 * 3600 * 1000;

interface ProfileEntry {
  type: 'profile';
  id?: string | null;
  attributes: ProfileAttributesInput;
  meta?: { patch_properties?: PatchPropertiesInput };
}

interface BulkImportBody {
  data: {
    type: 'profile-bulk-import-job';
    attributes: { profiles: { data: ProfileEntry[] } };
    relationships?: { lists?: { data?: { type: 'list'; id: string }[] } };
  };
}

/** Moves a job from `queued` to `processing` once its start time has passed (completion is a task). */
export function refreshJob(job: ImportJobRecord, nowMs: number): ImportJobRecord {
  if (job.status === 'queued' && nowMs >= job.startsAtMs) {
    job.status = 'processing';
    job.started_at = klaviyoTimestamp(job.startsAtMs);
  }
  return job;
}

function importError(
  index: number,
  pointer: string,
  code: string,
  title: string,
  detail: string,
  entry: ProfileEntry,
): ImportErrorRecord {
  return {
    id: randomUUID(),
    code,
    title,
    detail,
    source: { pointer: `/data/attributes/profiles/data/${index}${pointer}` },
    original_payload: entry.attributes as Record<string, unknown>,
  };
}

function completeJob(
  store: FakeStore,
  job: ImportJobRecord,
  entries: ProfileEntry[],
  injected: boolean[] | null,
  checkSizes: boolean,
  nowMs: number,
): void {
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    if (checkSizes && Buffer.byteLength(JSON.stringify(entry)) > MAX_PROFILE_BYTES) {
      job.errors.push(
        importError(
          index,
          '',
          'invalid',
          'Invalid input.',
          'The profile exceeds the maximum allowed payload size of 100KB.',
          entry,
        ),
      );
      return;
    }
    if (injected?.[index]) {
      store.state.counters.injectedProfileErrors += 1;
      job.errors.push(
        importError(
          index,
          '',
          'temporarily_unavailable',
          'Temporarily unavailable.',
          'The profile could not be processed at this time. Please try again later.',
          entry,
        ),
      );
      return;
    }
    const outcome = upsertProfile(
      store,
      { id: entry.id, attributes: entry.attributes, patchProperties: entry.meta?.patch_properties },
      'ignore',
      nowMs,
    );
    if (!outcome.ok) {
      const f = outcome.failure;
      job.errors.push(importError(index, f.pointer, f.code, f.title, f.detail, entry));
      return;
    }
    if (!seen.has(outcome.profile.id)) {
      seen.add(outcome.profile.id);
      job.profile_ids.push(outcome.profile.id);
    }
  });
  job.failed_count = job.errors.length;
  job.completed_count = job.total_count - job.failed_count;
  const list = job.list_id === null ? undefined : store.state.lists.get(job.list_id);
  if (list) store.addMembers(list, job.profile_ids);
  job.started_at ??= klaviyoTimestamp(job.startsAtMs);
  job.status = 'complete';
  job.completed_at = klaviyoTimestamp(nowMs);
}

function createJob(ctx: RouteContext): HandlerResult {
  const { data } = ctx.body as BulkImportBody;
  const entries = data.attributes.profiles.data;
  const pointer = { pointer: '/data/attributes/profiles/data' };
  if (entries.length === 0) throw invalid('At least one profile is required.', pointer);
  if (entries.length > MAX_PROFILES_PER_JOB) {
    throw invalid(
      `A maximum of ${MAX_PROFILES_PER_JOB} profiles can be imported per request; got ${entries.length}.`,
      pointer,
    );
  }
  const lists = data.relationships?.lists?.data ?? [];
  if (lists.length > 1) {
    throw invalid('Only one list can be given per import job.', {
      pointer: '/data/relationships/lists/data',
    });
  }
  const listId = lists[0]?.id ?? null;
  if (listId !== null && !ctx.store.state.lists.has(listId)) {
    throw invalid(`List ${listId} does not exist.`, { pointer: '/data/relationships/lists/data/0/id' });
  }
  const { store, nowMs } = ctx;
  const job: ImportJobRecord = {
    id: store.ids.ulid(nowMs),
    status: 'queued',
    created_at: klaviyoTimestamp(nowMs),
    started_at: null,
    completed_at: null,
    expires_at: klaviyoTimestamp(nowMs + JOB_RETENTION_MS),
    total_count: entries.length,
    completed_count: 0,
    failed_count: 0,
    list_id: listId,
    profile_ids: [],
    errors: [],
    startsAtMs: nowMs + Math.floor(ctx.jobDelayMs / 3),
    completesAtMs: nowMs + ctx.jobDelayMs,
  };
  store.state.importJobs.set(job.id, job);
  // A body under 100 KB cannot hold an oversized profile; skipping the per-profile stringify keeps small jobs cheap.
  const checkSizes = ctx.bodyBytes > MAX_PROFILE_BYTES;
  // Drawn now, for every profile, so the faults in force when the job was sent decide, and the failures
  // depend only on the seed and the order of jobs and profiles.
  const injected = ctx.faults.current.jobProfileErrors ? entries.map(() => ctx.faults.profileFails()) : null;
  store.schedule(job.completesAtMs, (at) => completeJob(store, job, entries, injected, checkSizes, at));
  const snapshot = importJobResource(
    job,
    ctx.linkOrigin,
    new Fieldset(ctx.query.list('fields[profile-bulk-import-job]')),
  );
  return {
    status: 202,
    body: { data: snapshot, links: { self: `${ctx.linkOrigin}/api/profile-bulk-import-jobs/` } },
  };
}

function jobOr404(ctx: RouteContext, name: 'id' | 'job_id'): ImportJobRecord {
  const job = ctx.store.state.importJobs.get(ctx.params[name] ?? '');
  if (!job)
    throw notFound(`Profile bulk import job ${ctx.params[name]} does not exist.`, { parameter: name });
  return refreshJob(job, ctx.nowMs);
}

const JOB_FILTERS = new Set(['equals:status', 'any:status']);

function listJobs(ctx: RouteContext): HandlerResult {
  const { query } = ctx;
  const conditions = parseAllowedFilter(query.string('filter'), query.allowedFilters(), JOB_FILTERS);
  let jobs = [...ctx.store.state.importJobs.values()].map((job) => refreshJob(job, ctx.nowMs));
  for (const c of conditions) {
    const values = conditionValues(c);
    jobs = jobs.filter((job) => values.includes(job.status));
  }
  if (query.string('sort') === '-created_at') jobs.reverse();
  const page = paginateByOffset(
    jobs,
    query.string('page[cursor]'),
    query.integer('page[size]'),
    `jobs:${query.string('filter') ?? ''}:${query.string('sort') ?? ''}`,
  );
  const fields = new Fieldset(query.list('fields[profile-bulk-import-job]'));
  return {
    status: 200,
    body: {
      data: page.items.map((job) => importJobResource(job, ctx.linkOrigin, fields)),
      links: collectionLinks(ctx.linkOrigin, '/api/profile-bulk-import-jobs', query.params, page.nextCursor),
    },
  };
}

function getJob(ctx: RouteContext): HandlerResult {
  const job = jobOr404(ctx, 'job_id');
  const body: Record<string, unknown> = {
    data: importJobResource(
      job,
      ctx.linkOrigin,
      new Fieldset(ctx.query.list('fields[profile-bulk-import-job]')),
    ),
    links: { self: `${ctx.linkOrigin}/api/profile-bulk-import-jobs/${job.id}/` },
  };
  if (ctx.query.list('include')?.includes('lists')) {
    const list = job.list_id === null ? undefined : ctx.store.state.lists.get(job.list_id);
    body['included'] = list
      ? [listResource(list, ctx.linkOrigin, new Fieldset(ctx.query.list('fields[list]')))]
      : [];
  }
  return { status: 200, body };
}

function jobErrors(ctx: RouteContext): HandlerResult {
  const job = jobOr404(ctx, 'id');
  const page = paginateByOffset(
    job.errors,
    ctx.query.string('page[cursor]'),
    ctx.query.integer('page[size]'),
    `errors:${job.id}`,
  );
  const fields = new Fieldset(ctx.query.list('fields[import-error]'));
  return {
    status: 200,
    body: {
      data: page.items.map((error) => importErrorResource(error, fields)),
      links: collectionLinks(ctx.linkOrigin, ctx.path, ctx.query.params, page.nextCursor),
    },
  };
}

function jobProfilePage(ctx: RouteContext) {
  const job = jobOr404(ctx, 'id');
  // Profiles deleted since the import (data-privacy deletion) drop out of the page instead of erroring.
  return paginateByOffset(
    job.profile_ids,
    ctx.query.string('page[cursor]'),
    ctx.query.integer('page[size]'),
    `job-profiles:${job.id}`,
  );
}

function jobProfiles(ctx: RouteContext): HandlerResult {
  const page = jobProfilePage(ctx);
  return {
    status: 200,
    body: {
      data: renderProfiles(ctx, page.items),
      links: collectionLinks(ctx.linkOrigin, ctx.path, ctx.query.params, page.nextCursor),
    },
  };
}

function jobProfileIds(ctx: RouteContext): HandlerResult {
  const page = jobProfilePage(ctx);
  const data = page.items
    .filter((id) => ctx.store.state.profiles.has(id))
    .map((id) => ({ type: 'profile', id }));
  return {
    status: 200,
    body: { data, links: collectionLinks(ctx.linkOrigin, ctx.path, ctx.query.params, page.nextCursor) },
  };
}

function jobLists(ctx: RouteContext): HandlerResult {
  const job = jobOr404(ctx, 'id');
  const list = job.list_id === null ? undefined : ctx.store.state.lists.get(job.list_id);
  const fields = new Fieldset(ctx.query.list('fields[list]'));
  return {
    status: 200,
    body: {
      data: list ? [listResource(list, ctx.linkOrigin, fields)] : [],
      links: collectionLinks(ctx.linkOrigin, ctx.path, ctx.query.params, null),
    },
  };
}

function jobListIds(ctx: RouteContext): HandlerResult {
  const job = jobOr404(ctx, 'id');
  const data = job.list_id === null ? [] : [{ type: 'list', id: job.list_id }];
  return {
    status: 200,
    body: { data, links: collectionLinks(ctx.linkOrigin, ctx.path, ctx.query.params, null) },
  };
}

const BASE = '/api/profile-bulk-import-jobs';

export const bulkImportRoutes: Route[] = [
  {
    method: 'POST',
    pattern: BASE,
    operationId: 'bulk_import_profiles',
    handler: createJob,
    maxBodyBytes: 5 * MB,
  },
  { method: 'GET', pattern: BASE, operationId: 'get_bulk_import_profiles_jobs', handler: listJobs },
  {
    method: 'GET',
    pattern: `${BASE}/{job_id}`,
    operationId: 'get_bulk_import_profiles_job',
    handler: getJob,
  },
  {
    method: 'GET',
    pattern: `${BASE}/{id}/import-errors`,
    operationId: 'get_errors_for_bulk_import_profiles_job',
    handler: jobErrors,
  },
  {
    method: 'GET',
    pattern: `${BASE}/{id}/profiles`,
    operationId: 'get_profiles_for_bulk_import_profiles_job',
    handler: jobProfiles,
  },
  {
    method: 'GET',
    pattern: `${BASE}/{id}/relationships/profiles`,
    operationId: 'get_profile_ids_for_bulk_import_profiles_job',
    handler: jobProfileIds,
  },
  {
    method: 'GET',
    pattern: `${BASE}/{id}/lists`,
    operationId: 'get_list_for_bulk_import_profiles_job',
    handler: jobLists,
  },
  {
    method: 'GET',
    pattern: `${BASE}/{id}/relationships/lists`,
    operationId: 'get_list_ids_for_bulk_import_profiles_job',
    handler: jobListIds,
  },
];
