import {
  AccountsApi,
  ApiKeySession,
  DataPrivacyApi,
  EventsApi,
  ListsApi,
  ObjectSerializer,
  ProfilesApi,
  RetryWithExponentialBackoff,
} from 'klaviyo-api';
import {
  CallCancelledError,
  KlaviyoApiError,
  KlaviyoUnreachableError,
  rateLimitHeaders,
  redact,
  REQUIRED_SCOPES,
  toKlaviyoError,
  wasNotSent,
} from './errors.ts';
import { pause } from './pause.ts';
import { ENDPOINTS, type Endpoint } from './rateLimits.ts';
import { RequestPacer } from './tokenBucket.ts';

/**
 * The Klaviyo calls the sync makes, on the official SDK. The SDK's own retry loop is switched off (it
 * retries neither 500s nor dropped connections, and hides how often it was throttled): this client paces
 * every endpoint within its burst/steady limits, honours Retry-After and RateLimit-*, bounds the requests in
 * flight, retries transient failures with backoff, and counts everything for the run record.
 *
 * Cancellation (the `signal` option): every wait (pacing, Retry-After, backoff) ends at once and no new request
 * starts (CallCancelledError), but a request already sent is not aborted — the signal never reaches the SDK or
 * axios. Its answer still arrives and is recorded: aborting it would leave exactly the unknown outcomes that the
 * next run would have to resend.
 */

export const DEFAULT_BASE_URL = 'https://a.klaviyo.com';

/** A profile as the API names its fields; `properties` keys are Klaviyo property names. */
export interface ProfilePayload {
  email: string;
  first_name?: string | null;
  last_name?: string | null;
  external_id?: string | null;
  phone_number?: string | null;
  organization?: string | null;
  title?: string | null;
  locale?: string | null;
  location?: Record<string, string | number | null>;
  properties: Record<string, unknown>;
}

/**
 * The profile an event is recorded on: the email and, for transactional mails, the name to greet with. Only
 * these attributes, never marketing properties: an event may create a profile for someone outside the
 * marketing audience. A missing name is left as it is in Klaviyo.
 */
export interface EventProfile {
  email: string;
  firstName?: string;
  lastName?: string;
}

export interface EventPayload {
  uniqueId: string;
  metric: string;
  time: Date;
  properties: Record<string, unknown>;
  backfill: boolean;
}

/** The Klaviyo account a private key belongs to: its id and organisation name (null when Klaviyo gives none). */
export interface KlaviyoAccount {
  id: string;
  name: string | null;
}

export interface ImportJobStatus {
  id: string;
  status: 'queued' | 'processing' | 'complete' | 'cancelled';
  totalCount: number;
  completedCount: number;
  failedCount: number;
}

export interface ImportError {
  /** Position of the profile in the submitted batch, when Klaviyo's pointer names it. */
  index?: number;
  email?: string;
  code: string;
  detail: string;
}

export interface CallStats {
  calls: Partial<Record<Endpoint, number>>;
  writeCalls: number;
  throttled: number;
  retries: number;
  /** Per endpoint, the answers of the requests sent (for the run record's request summary; no payloads). */
  requests: Partial<Record<Endpoint, RequestTally>>;
}

/** What the requests to one endpoint got back: answers by HTTP status ("none": no answer), bytes and time. */
export interface RequestTally {
  statuses: Record<string, number>;
  sentBytes: number;
  receivedBytes: number;
  /** Time from sending to the answer, summed over the requests, and the slowest one. */
  totalMs: number;
  slowestMs: number;
}

interface AnswerLike {
  status?: unknown;
  headers?: unknown;
  config?: { data?: unknown };
}

function byteSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value instanceof Uint8Array) return value.byteLength;
  return 0;
}

function contentLength(headers: unknown): number {
  if (!headers || typeof headers !== 'object') return 0;
  const value = Number((headers as Record<string, unknown>)['content-length']);
  return Number.isFinite(value) ? value : 0;
}

export interface KlaviyoClientOptions {
  apiKey: string;
  baseUrl?: string;
  concurrency?: number;
  timeoutMs?: number;
  maxAttempts?: number;
  rateLimitScale?: number;
  /** Waits between retries; resolves false when the signal aborted the wait (default: a timer). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<boolean>;
  /** Cancels the sync: no new request is started, waits end at once, requests in flight finish. */
  signal?: AbortSignal;
}

/** Passes a timeout to axios and lets this client, not the SDK, decide about retries. */
class TimedSession extends ApiKeySession {
  constructor(
    apiKey: string,
    private readonly timeoutMs: number,
  ) {
    super(apiKey, new RetryWithExponentialBackoff({ numRetries: 1 }));
  }
  override requestWithRetry(config: Parameters<ApiKeySession['requestWithRetry']>[0]) {
    return super.requestWithRetry({ ...config, timeout: this.timeoutMs });
  }
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Failures after which the request may have been processed: resending a non-idempotent call could double it. */
export function isAmbiguousFailure(error: KlaviyoApiError): boolean {
  if (wasNotSent(error)) return false;
  return error.status === 0 || error.status === 500 || error.status === 502 || error.status === 504;
}

/**
 * Policy for a host that cannot be reached (DNS failure, connection refused, no route): 3 attempts, 0.5 s and
 * 1 s apart, then KlaviyoUnreachableError — a wrong base URL or a missing network is reported within about two
 * seconds instead of after minutes of backoff. Such a call never left, so retrying it is always safe.
 */
const UNREACHABLE_ATTEMPTS = 3;
const UNREACHABLE_BACKOFF_MS = 500;

interface RequestOptions {
  /** Retry failures that may have been processed server-side (default true; the calls are idempotent). */
  retryAmbiguous?: boolean;
}

function cursorOf(next: unknown): string | undefined {
  return typeof next === 'string' && next.length ? next : undefined;
}

export class KlaviyoClient {
  readonly stats: CallStats = { calls: {}, writeCalls: 0, throttled: 0, retries: 0, requests: {} };
  private readonly profiles: ProfilesApi;
  private readonly lists: ListsApi;
  private readonly events: EventsApi;
  private readonly privacy: DataPrivacyApi;
  private readonly accounts: AccountsApi;
  private readonly session: TimedSession;
  private readonly baseUrl: string;
  private readonly pacers = new Map<Endpoint, RequestPacer>();
  private readonly semaphore: Semaphore;
  private readonly maxAttempts: number;
  private readonly scale: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<boolean>;
  private readonly signal: AbortSignal | undefined;
  private readonly secrets: string[];
  private readonly host: string;

  constructor(options: KlaviyoClientOptions) {
    const session = new TimedSession(options.apiKey, options.timeoutMs ?? 60_000);
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.session = session;
    this.baseUrl = baseUrl;
    this.profiles = new ProfilesApi(session);
    this.lists = new ListsApi(session);
    this.events = new EventsApi(session);
    this.privacy = new DataPrivacyApi(session);
    this.accounts = new AccountsApi(session);
    for (const api of [this.profiles, this.lists, this.events, this.privacy, this.accounts])
      api.basePath = baseUrl;
    this.semaphore = new Semaphore(options.concurrency ?? 4);
    this.maxAttempts = options.maxAttempts ?? 8;
    this.scale = options.rateLimitScale ?? 1;
    this.sleep = options.sleep ?? pause;
    this.signal = options.signal;
    this.secrets = [options.apiKey];
    this.host = hostOf(baseUrl);
  }

  private pacer(endpoint: Endpoint): RequestPacer {
    let pacer = this.pacers.get(endpoint);
    if (!pacer) {
      const { burst, steady } = ENDPOINTS[endpoint];
      pacer = new RequestPacer(
        Math.max(1, Math.floor(burst * this.scale)),
        Math.max(1, Math.floor(steady * this.scale)),
      );
      this.pacers.set(endpoint, pacer);
    }
    return pacer;
  }

  private async request<T>(
    endpoint: Endpoint,
    send: () => Promise<{ response: { headers?: unknown }; body?: T }>,
    options: RequestOptions = {},
  ): Promise<T> {
    const label = ENDPOINTS[endpoint].label;
    let failures = 0;
    let throttles = 0;
    let unreachable = 0;
    let mayHaveArrived = false;
    const started = Date.now();
    for (;;) {
      const pacer = this.pacer(endpoint);
      try {
        const result = await this.semaphore.use(async () => {
          // Checked after the wait for a free slot too: a cancelled sync sends nothing new.
          if (!(await pacer.acquire(this.signal)) || this.signal?.aborted)
            throw new CallCancelledError(label);
          this.stats.calls[endpoint] = (this.stats.calls[endpoint] ?? 0) + 1;
          if (ENDPOINTS[endpoint].write) this.stats.writeCalls++;
          const sentAt = Date.now();
          try {
            const answer = await send();
            this.tallyAnswer(endpoint, answer.response as AnswerLike, Date.now() - sentAt);
            return answer;
          } catch (error) {
            // A call that never left (wasNotSent) is not counted, like in `calls`.
            if (!wasNotSent(toKlaviyoError(error, label))) {
              const failed = error as { response?: AnswerLike; config?: { data?: unknown } };
              this.tallyAnswer(
                endpoint,
                failed.response ?? { status: 'none', config: failed.config ?? {} },
                Date.now() - sentAt,
              );
            }
            throw error;
          }
        });
        const { remaining, resetSeconds } = rateLimitHeaders(result.response.headers);
        if (remaining === 0 && resetSeconds !== undefined) pacer.pauseFor(resetSeconds * 1000);
        return result.body as T;
      } catch (raw) {
        if (raw instanceof CallCancelledError) throw raw;
        const error = toKlaviyoError(raw, label);
        error.message = redact(error.message, this.secrets);
        if (error.status === 429) {
          this.stats.throttled++;
          throttles++;
          pacer.pauseFor(Math.max(1, error.retryAfterSeconds ?? 1) * 1000);
          // The server says when to come back, so throttling does not use up the attempts quickly.
          if (throttles < this.maxAttempts * 4) {
            this.stats.retries++;
            continue;
          }
          throw error;
        }
        if (wasNotSent(error)) {
          // Not an API call: nothing reached Klaviyo. The run record counts only requests that were sent.
          this.stats.calls[endpoint] = (this.stats.calls[endpoint] ?? 1) - 1;
          if (ENDPOINTS[endpoint].write) this.stats.writeCalls--;
          unreachable++;
          if (unreachable >= Math.min(UNREACHABLE_ATTEMPTS, this.maxAttempts))
            throw new KlaviyoUnreachableError(
              this.host,
              label,
              error.klaviyoCode,
              unreachable,
              (Date.now() - started) / 1000,
              mayHaveArrived,
            );
          this.stats.retries++;
          if (!(await this.sleep(UNREACHABLE_BACKOFF_MS * unreachable, this.signal)))
            throw new CallCancelledError(label);
          continue;
        }
        if (isAmbiguousFailure(error)) mayHaveArrived = true;
        failures++;
        const ambiguousStop = options.retryAmbiguous === false && isAmbiguousFailure(error);
        if (!error.retryable || ambiguousStop || failures >= this.maxAttempts) throw error;
        this.stats.retries++;
        const backoff = Math.min(30_000, 250 * 2 ** (failures - 1));
        if (!(await this.sleep(backoff / 2 + Math.random() * (backoff / 2), this.signal)))
          throw new CallCancelledError(label);
      }
    }
  }

  /** Counts one answer of `endpoint` (status, body sizes, time) for the run record; never its content. */
  private tallyAnswer(endpoint: Endpoint, answer: AnswerLike, ms: number): void {
    const tally = (this.stats.requests[endpoint] ??= {
      statuses: {},
      sentBytes: 0,
      receivedBytes: 0,
      totalMs: 0,
      slowestMs: 0,
    });
    const status = typeof answer.status === 'number' ? String(answer.status) : 'none';
    tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
    tally.sentBytes += byteSize(answer.config?.data);
    tally.receivedBytes += contentLength(answer.headers);
    tally.totalMs += ms;
    tally.slowestMs = Math.max(tally.slowestMs, ms);
  }

  // ---- account --------------------------------------------------------------------------------------------

  /**
   * The account this key writes to (scope `accounts:read`). A plan names it, so that a plan reviewed for one
   * brand is never applied with another brand's key.
   */
  async getAccount(): Promise<KlaviyoAccount> {
    let body: Awaited<ReturnType<AccountsApi['getAccounts']>>['body'];
    try {
      body = await this.request('accountRead', () =>
        this.accounts.getAccounts({ fieldsAccount: ['contact_information.organization_name'] }),
      );
    } catch (error) {
      throw error instanceof KlaviyoApiError ? accountReadError(error) : error;
    }
    const [account] = body.data ?? [];
    if (!account?.id)
      throw new KlaviyoApiError(
        'Klaviyo answered GET /api/accounts without an account, so c360 cannot tell which account this key writes to.',
        ENDPOINTS.accountRead.label,
        200,
        'invalid',
        false,
      );
    const name = account.attributes?.contactInformation?.organizationName;
    return { id: account.id, name: typeof name === 'string' && name.trim() ? name : null };
  }

  // ---- profiles -------------------------------------------------------------------------------------------

  /**
   * A bulk import job (POST /api/profile-bulk-import-jobs) for profiles already serialised: each a JSON object of
   * profile attributes in the API's field names. The body is joined from them rather than built by the SDK's
   * model serialiser, which walks every profile of a 5 MB job on the event loop (time that would not overlap the
   * paced calls of the publish path). It goes out through the SDK's session (key, revision, timeout) and its
   * answer is read with the SDK's own model.
   */
  async submitImportJob(profiles: string[], listId?: string): Promise<ImportJobStatus> {
    return this.submitImportJobResources(profiles.map(profileResource).join(','), listId);
  }

  /**
   * A bulk import job whose profile resources are one text already (`profileResource` of each profile, joined by
   * commas), as a profile apply has DuckDB make it: the 10,000 profiles of a job cross into JavaScript as one
   * string.
   */
  async submitImportJobResources(resources: string, listId?: string): Promise<ImportJobStatus> {
    const lists = listId
      ? `,"relationships":{"lists":{"data":[{"type":"list","id":${JSON.stringify(listId)}}]}}`
      : '';
    const data =
      '{"data":{"type":"profile-bulk-import-job","attributes":{"profiles":{"data":[' +
      resources +
      `]}}${lists}}}`;
    const body = await this.request('bulkImport', async () => {
      const config = {
        method: 'POST',
        url: `${this.baseUrl}/api/profile-bulk-import-jobs`,
        headers: { Accept: 'application/vnd.api+json', 'Content-Type': 'application/vnd.api+json' },
        params: {},
        data,
      };
      await this.session.applyToRequest(config);
      const response = await this.session.requestWithRetry(config);
      return {
        response,
        body: ObjectSerializer.deserialize(response.data, 'PostProfileImportJobResponse') as {
          data: Parameters<typeof jobStatus>[0];
        },
      };
    });
    return jobStatus(body.data);
  }

  async getImportJob(jobId: string): Promise<ImportJobStatus> {
    const body = await this.request('importJobRead', () => this.profiles.getBulkImportProfilesJob(jobId));
    return jobStatus(body.data);
  }

  async importErrors(jobId: string): Promise<ImportError[]> {
    const errors: ImportError[] = [];
    let cursor: string | undefined;
    do {
      const body = await this.request('importJobRead', () =>
        this.profiles.getErrorsForBulkImportProfilesJob(jobId, {
          pageSize: 100,
          ...(cursor ? { pageCursor: cursor } : {}),
        }),
      );
      for (const item of body.data ?? []) {
        const a = item.attributes as unknown as {
          code?: string;
          title?: string;
          detail?: string;
          source?: { pointer?: string | null };
          originalPayload?: Record<string, unknown> | null;
        };
        const match = /\/profiles\/data\/(\d+)/.exec(a.source?.pointer ?? '');
        const email = a.originalPayload?.email;
        errors.push({
          ...(match ? { index: Number(match[1]) } : {}),
          ...(typeof email === 'string' ? { email } : {}),
          code: a.code ?? 'invalid',
          detail: a.detail ?? a.title ?? 'rejected by Klaviyo',
        });
      }
      cursor = cursorOf(body.links?.next);
    } while (cursor);
    return errors;
  }

  /** The profiles a job created or updated, as email → Klaviyo profile id. */
  async importedProfileIds(jobId: string): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const body = await this.request('importJobRead', () =>
        this.profiles.getProfilesForBulkImportProfilesJob(jobId, {
          fieldsProfile: ['email'],
          pageSize: 100,
          ...(cursor ? { pageCursor: cursor } : {}),
        }),
      );
      for (const p of body.data ?? []) {
        const email = p.attributes?.email;
        if (p.id && email) ids.set(email.toLowerCase(), p.id);
      }
      cursor = cursorOf(body.links?.next);
    } while (cursor);
    return ids;
  }

  /** Looks profiles up by email, 100 per call. */
  async profileIdsByEmail(emails: string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (let i = 0; i < emails.length; i += 100) {
      const chunk = emails.slice(i, i + 100);
      const body = await this.request('profilesRead', () =>
        this.profiles.getProfiles({
          filter: `any(email,${JSON.stringify(chunk)})`,
          fieldsProfile: ['email'],
          pageSize: 100,
        }),
      );
      for (const p of body.data ?? []) {
        const email = p.attributes?.email;
        if (p.id && email) ids.set(email.toLowerCase(), p.id);
      }
    }
    return ids;
  }

  /**
   * Single-profile upsert: the only way to clear a property (bulk import ignores nulls, and the SDK cannot
   * serialise `patch_properties.unset`).
   */
  async upsertProfile(profile: ProfilePayload): Promise<string> {
    const body = await this.request('profileImport', () =>
      this.profiles.createOrUpdateProfile({ data: { type: 'profile', attributes: toSdkProfile(profile) } }),
    );
    return body.data.id ?? '';
  }

  // ---- lists ----------------------------------------------------------------------------------------------

  /** The list named `name`; of several with that name (Klaviyo allows duplicates) the oldest, always the same. */
  async findList(name: string): Promise<{ id: string; name: string } | undefined> {
    const body = await this.request('listsRead', () =>
      this.lists.getLists({
        filter: `equals(name,${JSON.stringify(name)})`,
        fieldsList: ['name'],
        sort: 'created',
      }),
    );
    const found = (body.data ?? []).find((l) => l.attributes?.name === name);
    return found?.id ? { id: found.id, name } : undefined;
  }

  /**
   * Creates a list. Not retried when the outcome is unknown (a dropped answer may hide a created list, and
   * Klaviyo allows duplicate names): the caller looks the list up by name instead (applyLists.ensureList).
   */
  async createList(name: string): Promise<{ id: string; name: string }> {
    const body = await this.request(
      'listCreate',
      () => this.lists.createList({ data: { type: 'list', attributes: { name } } }),
      { retryAmbiguous: false },
    );
    return { id: body.data.id ?? '', name };
  }

  async addToList(listId: string, profileIds: string[]): Promise<void> {
    await this.request('listMembersWrite', () =>
      this.lists.addProfilesToList(listId, {
        data: profileIds.map((id) => ({ type: 'profile' as const, id })),
      }),
    );
  }

  async removeFromList(listId: string, profileIds: string[]): Promise<void> {
    await this.request('listMembersWrite', () =>
      this.lists.removeProfilesFromList(listId, {
        data: profileIds.map((id) => ({ type: 'profile' as const, id })),
      }),
    );
  }

  // ---- events ---------------------------------------------------------------------------------------------

  /** One bulk request: events grouped per profile. Not retried when the outcome is unknown (see applyEvents). */
  async bulkCreateEvents(byProfile: { profile: EventProfile; events: EventPayload[] }[]): Promise<void> {
    const data = byProfile.map(({ profile, events }) => ({
      type: 'event-bulk-create' as const,
      attributes: {
        profile: { data: { type: 'profile' as const, attributes: profile } },
        events: { data: events.map((e) => ({ type: 'event' as const, attributes: toSdkEvent(e) })) },
      },
    }));
    await this.request(
      'eventBulkCreate',
      () =>
        this.events.bulkCreateEvents({
          data: { type: 'event-bulk-create-job', attributes: { eventsBulkCreate: { data } } },
        }),
      { retryAmbiguous: false },
    );
  }

  /** The single-event endpoint keeps the first event for a repeated unique_id: safe to resend. */
  async createEvent(profile: EventProfile, event: EventPayload): Promise<void> {
    await this.request('eventCreate', () =>
      this.events.createEvent({
        data: {
          type: 'event',
          attributes: {
            ...toSdkEvent(event),
            profile: { data: { type: 'profile', attributes: profile } },
          },
        },
      }),
    );
  }

  // ---- privacy --------------------------------------------------------------------------------------------

  async requestDeletion(email: string): Promise<void> {
    await this.request('deletion', () =>
      this.privacy.requestProfileDeletion({
        data: {
          type: 'data-privacy-deletion-job',
          attributes: { profile: { data: { type: 'profile', attributes: { email } } } },
        },
      }),
    );
  }
}

/** The `profile` resource of a bulk import job around a profile's attributes (null-free JSON in API names). */
export function profileResource(attributes: string): string {
  return `${PROFILE_RESOURCE_HEAD}${attributes}}`;
}

/** What `profileResource` puts before the attributes (a profile apply has DuckDB add the same text). */
export const PROFILE_RESOURCE_HEAD = '{"type":"profile","attributes":';

/** The host of the base URL, for messages (never credentials a URL might carry). */
function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host || baseUrl;
  } catch {
    return baseUrl;
  }
}

/** 401/403 on the account read: say which scope is missing; the key itself never appears (it is redacted). */
function accountReadError(error: KlaviyoApiError): KlaviyoApiError {
  if (error.status !== 401 && error.status !== 403) return error;
  const message =
    error.status === 403
      ? `Klaviyo refused to say which account this API key belongs to (403 ${error.klaviyoCode}): the key lacks the scope accounts:read. ` +
        'c360 names the Klaviyo account in every plan before it sends anything, so it needs that scope.'
      : `Klaviyo did not accept the API key (401 ${error.klaviyoCode}) when c360 asked which account it belongs to.`;
  return new KlaviyoApiError(
    message,
    error.endpoint,
    error.status,
    error.klaviyoCode,
    false,
    undefined,
    error.status === 403
      ? `In Klaviyo (Settings → API keys) give the private key the scope accounts:read, or use a key with the scopes ${REQUIRED_SCOPES}.`
      : `Check that KLAVIYO_API_KEY is a private key (pk_…) of the Klaviyo account you mean, with the scopes ${REQUIRED_SCOPES}.`,
  );
}

function toSdkProfile(p: ProfilePayload) {
  return {
    email: p.email,
    ...(p.first_name !== undefined ? { firstName: p.first_name } : {}),
    ...(p.last_name !== undefined ? { lastName: p.last_name } : {}),
    ...(p.external_id !== undefined ? { externalId: p.external_id } : {}),
    ...(p.phone_number !== undefined ? { phoneNumber: p.phone_number } : {}),
    ...(p.organization !== undefined ? { organization: p.organization } : {}),
    ...(p.title !== undefined ? { title: p.title } : {}),
    ...(p.locale !== undefined ? { locale: p.locale } : {}),
    ...(p.location ? { location: p.location } : {}),
    properties: p.properties,
  };
}

function toSdkEvent(e: EventPayload) {
  return {
    properties: e.properties,
    time: e.time,
    uniqueId: e.uniqueId,
    ...(e.backfill ? { backfill: true } : {}),
    metric: { data: { type: 'metric' as const, attributes: { name: e.metric } } },
  };
}

function jobStatus(data: {
  id?: string;
  attributes: {
    status: unknown;
    totalCount: number;
    completedCount?: number | null;
    failedCount?: number | null;
  };
}): ImportJobStatus {
  const status = String(data.attributes.status);
  if (!['queued', 'processing', 'complete', 'cancelled'].includes(status))
    throw new KlaviyoApiError(
      `Unknown import job status '${status}'`,
      'profile-bulk-import-jobs',
      200,
      'invalid',
      false,
    );
  return {
    id: data.id ?? '',
    status: status as ImportJobStatus['status'],
    totalCount: data.attributes.totalCount,
    completedCount: data.attributes.completedCount ?? 0,
    failedCount: data.attributes.failedCount ?? 0,
  };
}
