/**
 * POST /api/data-privacy-deletion-jobs: exactly one identifier (email, phone_number or profile id), 202 with
 * no body, and the deletion happens asynchronously — when the job completes after `jobDelayMs`, like an
 * import job. Deleting removes the profile, its list memberships and its events.
 */
import type { HandlerResult, Route, RouteContext } from './context.ts';
import { invalid } from './errors.ts';
import type { FakeStore } from './store.ts';
import { klaviyoTimestamp } from './time.ts';
import type { DeletionJobRecord } from './types.ts';

interface DeletionBody {
  data: {
    type: 'data-privacy-deletion-job';
    attributes: {
      profile: {
        data: {
          type: 'profile';
          id?: string | null;
          attributes: { email?: string | null; phone_number?: string | null };
        };
      };
    };
  };
}

function identifierOf(body: DeletionBody): DeletionJobRecord['identifier'] {
  const { data } = body.data.attributes.profile;
  const present: DeletionJobRecord['identifier'][] = [];
  if (data.id) present.push({ id: data.id });
  if (data.attributes.email) present.push({ email: data.attributes.email });
  if (data.attributes.phone_number) present.push({ phone_number: data.attributes.phone_number });
  const [only] = present;
  if (present.length !== 1 || !only) {
    throw invalid(`Exactly one of email, phone_number or id must be provided; got ${present.length}.`, {
      pointer: '/data/attributes/profile/data',
    });
  }
  return only;
}

function matchingProfileIds(store: FakeStore, identifier: DeletionJobRecord['identifier']): string[] {
  if ('id' in identifier) return store.state.profiles.has(identifier.id) ? [identifier.id] : [];
  const id =
    'email' in identifier
      ? store.profileIdBy('email', identifier.email)
      : store.profileIdBy('phone_number', identifier.phone_number);
  return id === undefined ? [] : [id];
}

function requestDeletion(ctx: RouteContext): HandlerResult {
  const identifier = identifierOf(ctx.body as DeletionBody);
  const { store, nowMs } = ctx;
  const job: DeletionJobRecord = {
    id: store.ids.ulid(nowMs),
    identifier,
    status: 'queued',
    created_at: klaviyoTimestamp(nowMs),
    completed_at: null,
    deleted_profile_ids: [],
    completesAtMs: nowMs + ctx.jobDelayMs,
  };
  store.state.deletionJobs.set(job.id, job);
  store.schedule(job.completesAtMs, (at) => {
    // Resolved at completion, so a profile imported between request and completion is deleted too.
    for (const id of matchingProfileIds(store, identifier)) {
      if (store.deleteProfile(id)) job.deleted_profile_ids.push(id);
    }
    job.status = 'complete';
    job.completed_at = klaviyoTimestamp(at);
  });
  return { status: 202 };
}

export const dataPrivacyRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/api/data-privacy-deletion-jobs',
    operationId: 'request_profile_deletion',
    handler: requestDeletion,
  },
];
