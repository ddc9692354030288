/**
 * Klaviyo's per-endpoint rate limits for revision 2026-07-15 (the spec's `x-klaviyo-ratelimit`, see
 * shared/reference/klaviyo/api-contract-notes.md §2.2): a burst window of 1 s and a steady window of 60 s.
 * Each endpoint has its own quota, so each gets its own bucket.
 */

export const ENDPOINTS = {
  accountRead: { label: 'GET /api/accounts', burst: 1, steady: 15, write: false },
  bulkImport: { label: 'POST /api/profile-bulk-import-jobs', burst: 10, steady: 150, write: true },
  importJobRead: { label: 'GET /api/profile-bulk-import-jobs/…', burst: 10, steady: 150, write: false },
  profileImport: { label: 'POST /api/profile-import', burst: 75, steady: 750, write: true },
  profilesRead: { label: 'GET /api/profiles', burst: 75, steady: 750, write: false },
  listsRead: { label: 'GET /api/lists', burst: 75, steady: 750, write: false },
  listCreate: { label: 'POST /api/lists', burst: 10, steady: 150, write: true },
  listMembersWrite: {
    label: 'POST|DELETE /api/lists/{id}/relationships/profiles',
    burst: 10,
    steady: 150,
    write: true,
  },
  eventCreate: { label: 'POST /api/events', burst: 350, steady: 3500, write: true },
  eventBulkCreate: { label: 'POST /api/event-bulk-create-jobs', burst: 10, steady: 150, write: true },
  deletion: { label: 'POST /api/data-privacy-deletion-jobs', burst: 3, steady: 60, write: true },
} as const;

export type Endpoint = keyof typeof ENDPOINTS;

export const BATCH_LIMITS = {
  profilesPerJob: 10_000,
  jobBytes: 5 * 1024 * 1024,
  profileBytes: 100 * 1024,
  idsPerListCall: 1000,
  eventsPerBulkJob: 1000,
  eventJobBytes: 5 * 1024 * 1024,
  stringBytes: 100 * 1024,
  propertiesPerEvent: 400,
  metricNameChars: 127,
  pageSize: 100,
} as const;

/**
 * Seconds needed for `calls` requests to one endpoint at its steady limit once the first burst is spent: the
 * expected duration shown in a plan.
 */
export function secondsForCalls(endpoint: Endpoint, calls: number, scale = 1): number {
  if (calls <= 0) return 0;
  const { burst, steady } = ENDPOINTS[endpoint];
  const perMinute = steady * scale;
  if (calls <= burst * scale) return calls / (burst * scale);
  return Math.max(calls / (burst * scale), ((calls - burst * scale) / perMinute) * 60);
}
