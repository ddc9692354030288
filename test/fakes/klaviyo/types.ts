/**
 * Public types of the Klaviyo contract server: options, fault settings and the inspectable state. State keys
 * use Klaviyo's snake_case wire names so that a test can compare them with request payloads directly.
 * Timestamps are strings in Klaviyo's format (`2026-08-01T12:00:00+00:00`) unless a name ends in `Ms`.
 */

export type RateLimitMode = 'klaviyo' | 'off' | { scale: number };

export interface FaultOptions {
  /** Seed of the PRNG that decides which requests get a fault; the same seed gives the same sequence. */
  seed?: number;
  /** Share (0..1) of requests answered 429 `throttled` with `Retry-After: 1`. */
  throttle429?: number;
  /** Share of requests answered 500. */
  error500?: number;
  /** Share of requests answered 503. */
  error503?: number;
  /** Share of requests delayed by `slowMs` before they are processed (independent of the other faults). */
  slow?: number;
  /** Delay for `slow`, default 200 ms. */
  slowMs?: number;
  /** Share of requests whose socket is destroyed before processing: nothing changes on the server. */
  drop?: number;
  /** Share of requests processed completely, then the socket is destroyed instead of answering. */
  dropAfterProcessing?: number;
  /** Share of profiles in each bulk import job that fail with `temporarily_unavailable`. */
  jobProfileErrors?: number;
  /** Restrict request faults to paths matching this pattern (tested against the path without query). */
  paths?: RegExp | string;
  /**
   * Deterministic lost answers: the first `count` requests with this method whose path matches `path` are
   * processed completely, then the socket is destroyed instead of answering (logged as `dropAfterProcessing`).
   * Independent of the shares above and of `paths`; draws nothing from the PRNG.
   */
  dropAnswers?: { method: string; path: RegExp | string; count: number };
}

export type RequestFaultKind = 'throttle429' | 'error500' | 'error503' | 'drop' | 'dropAfterProcessing';

export interface KlaviyoFakeOptions {
  /** Port to listen on; 0 (default) picks a free port. */
  port?: number;
  /** Interface to bind, default `127.0.0.1`. */
  host?: string;
  /** Accepted private keys, default `['pk_test_c360_0123456789abcdef']`; the first is `fake.apiKey`. */
  apiKeys?: string[];
  /** `'klaviyo'` (default): the spec's per-endpoint limits; `'off'`; `{ scale }` multiplies every limit. */
  rateLimits?: RateLimitMode;
  /**
   * Total time from job creation to completion for bulk import and deletion jobs, default 30 ms. A job is
   * `queued` for the first third and `processing` for the rest; its effects are applied when it completes.
   */
  jobDelayMs?: number;
  faults?: FaultOptions;
  /** The account every accepted key belongs to, as `GET /api/accounts` answers it (default `DEFAULT_ACCOUNT`). */
  account?: Partial<AccountRecord>;
  /**
   * Keys that hold only these scopes (e.g. `{ pk_x: ['profiles:read'] }`): an operation whose spec scopes
   * (`x-klaviyo-scopes`) are not all held is 403 `permission_denied`. Keys not named here hold every scope.
   */
  keyScopes?: Record<string, string[]>;
}

/** The Klaviyo account behind the keys: its public id and the organisation name of its contact information. */
export interface AccountRecord {
  id: string;
  organization_name: string;
  timezone: string;
  preferred_currency: string;
  locale: string;
  test_account: boolean;
}

export interface ProfileLocation {
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  country?: string | null;
  latitude?: string | number | null;
  longitude?: string | number | null;
  region?: string | null;
  zip?: string | null;
  timezone?: string | null;
  ip?: string | null;
}

export interface ProfileRecord {
  id: string;
  /** Stored lower-case; matching is case-insensitive. */
  email: string | null;
  phone_number: string | null;
  external_id: string | null;
  first_name: string | null;
  last_name: string | null;
  organization: string | null;
  locale: string | null;
  title: string | null;
  image: string | null;
  location: ProfileLocation;
  properties: Record<string, unknown>;
  created: string;
  updated: string;
  last_event_date: string | null;
}

export interface ListRecord {
  id: string;
  name: string;
  opt_in_process: 'single_opt_in' | 'double_opt_in';
  /** Profile ids in the order they joined. */
  members: Set<string>;
  created: string;
  updated: string;
}

export interface EventRecord {
  id: string;
  /** Metric name. */
  metric: string;
  profile_id: string;
  /** The sent `unique_id`, or the event time truncated to the second when none was sent (Klaviyo's rule). */
  unique_id: string;
  time: string;
  value: number | null;
  value_currency: string | null;
  properties: Record<string, unknown>;
  backfill: boolean;
  /** `'single'` for POST /api/events, `'bulk'` for POST /api/event-bulk-create-jobs. */
  source: 'single' | 'bulk';
  received_at: string;
}

export type ImportJobStatus = 'queued' | 'processing' | 'complete' | 'cancelled';

export interface ImportErrorRecord {
  id: string;
  code: string;
  title: string;
  detail: string;
  source: { pointer: string };
  /** The `attributes` object of the profile as sent. */
  original_payload: Record<string, unknown>;
}

export interface ImportJobRecord {
  id: string;
  status: ImportJobStatus;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  expires_at: string;
  total_count: number;
  completed_count: number;
  failed_count: number;
  /** The list from `relationships.lists`, or null. */
  list_id: string | null;
  /** Successfully imported profiles, in input order (duplicates inside one job appear once). */
  profile_ids: string[];
  errors: ImportErrorRecord[];
  /** Epoch ms at which the job leaves `queued` and at which it completes. */
  startsAtMs: number;
  completesAtMs: number;
}

export interface DeletionJobRecord {
  id: string;
  /** The one identifier the request carried. */
  identifier: { email: string } | { phone_number: string } | { id: string };
  status: 'queued' | 'complete';
  created_at: string;
  completed_at: string | null;
  deleted_profile_ids: string[];
  completesAtMs: number;
}

export interface RequestLogEntry {
  /** 1-based arrival index, the same number `onRequest` callbacks receive. */
  index: number;
  method: string;
  /** Path without query and without trailing slash. */
  path: string;
  /** Raw query string without the leading `?` (may be empty). */
  query: string;
  /** Klaviyo operationId of the matched route, or null for unknown routes and auth/revision failures. */
  endpoint: string | null;
  /** HTTP status sent; null when the socket was destroyed instead. */
  status: number | null;
  /** Set when an injected fault decided the outcome. */
  fault: RequestFaultKind | null;
  /**
   * True when the handler succeeded, i.e. its state changes were applied — also when `fault` is
   * `dropAfterProcessing` and the client saw only a connection reset.
   */
  processed: boolean;
  requestBytes: number;
  responseBytes: number;
  durationMs: number;
  /** Epoch ms of arrival. */
  receivedAtMs: number;
}

export interface FakeCounters {
  requests: number;
  /** Every 429 sent, from the rate limiter and from `throttle429` faults. */
  throttled: number;
  /** 429s from the rate limiter only. */
  rateLimited: number;
  /** Injected request faults by kind. */
  faults: Record<RequestFaultKind, number>;
  /** Profiles failed by the `jobProfileErrors` fault. */
  injectedProfileErrors: number;
  /** Events skipped because their (profile, metric, unique_id) was already stored. */
  eventsDeduplicated: number;
  /** Responses by status code. */
  statuses: Record<number, number>;
}

export interface KlaviyoFakeState {
  profiles: Map<string, ProfileRecord>;
  lists: Map<string, ListRecord>;
  events: EventRecord[];
  importJobs: Map<string, ImportJobRecord>;
  deletionJobs: Map<string, DeletionJobRecord>;
  requests: RequestLogEntry[];
  counters: FakeCounters;
}

export interface RequestArrival {
  index: number;
  method: string;
  path: string;
}
