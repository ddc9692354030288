/**
 * Errors from Klaviyo, reduced to what is safe to show and store. The SDK throws AxiosErrors whose `config`
 * holds the request headers, API key included (notes §11): they are never logged, serialised or rethrown.
 */

import { C360Error } from '../../errors.ts';

/**
 * The scopes a private key needs for a sync: naming the account, reading lists and import jobs, writing
 * profiles, lists and events (the union of ENDPOINT_SCOPES below, without the deletion endpoint).
 */
export const REQUIRED_SCOPES =
  'accounts:read profiles:read profiles:write lists:read lists:write events:write';

/**
 * The scopes each endpoint c360 calls needs, by the label the client gives its calls (rateLimits.ts ENDPOINTS):
 * the OpenAPI spec's `x-klaviyo-scopes`, revision 2026-07-15 (shared/reference/klaviyo/api-contract-notes.md
 * §1). A 403 names the missing scope from here: Klaviyo's own 403 detail is not documented to name it.
 */
export const ENDPOINT_SCOPES: Readonly<Record<string, string>> = {
  'GET /api/accounts': 'accounts:read',
  'POST /api/profile-bulk-import-jobs': 'profiles:write lists:write',
  'GET /api/profile-bulk-import-jobs/…': 'profiles:read lists:read',
  'POST /api/profile-import': 'profiles:write',
  'GET /api/profiles': 'profiles:read',
  'GET /api/lists': 'lists:read',
  'POST /api/lists': 'lists:write',
  'POST|DELETE /api/lists/{id}/relationships/profiles': 'profiles:write lists:write',
  'POST /api/events': 'events:write',
  'POST /api/event-bulk-create-jobs': 'events:write',
  'POST /api/data-privacy-deletion-jobs': 'data-privacy:write',
};

/** A Klaviyo call that failed; `code` is c360's UPSTREAM_FAILED, `klaviyoCode` Klaviyo's own. */
export class KlaviyoApiError extends C360Error {
  override name = 'KlaviyoApiError';
  constructor(
    message: string,
    readonly endpoint: string,
    /** HTTP status; 0 when no response arrived (timeout, dropped connection). */
    readonly status: number,
    /** Klaviyo's error code (`invalid`, `throttled`, …) or a transport code (`ECONNRESET`, `timeout`). */
    readonly klaviyoCode: string,
    readonly retryable: boolean,
    readonly retryAfterSeconds?: number,
    /** The next step for the user; credentials problems get a default one. */
    hint?: string,
  ) {
    const credentials = status === 401 || status === 403;
    super(
      'UPSTREAM_FAILED',
      message,
      hint !== undefined
        ? { hint }
        : credentials
          ? {
              hint: `Check that KLAVIYO_API_KEY is a private key of this Klaviyo account with the scopes ${REQUIRED_SCOPES}.`,
            }
          : {},
    );
  }
}

/**
 * A 403 from Klaviyo itself (a JSON error, not an HTML page of its CDN): the key lacks a scope of this endpoint.
 * The message names the scopes the endpoint needs, so the first refused call says what to fix.
 */
function missingScopeError(endpoint: string, status: number, code: string): KlaviyoApiError | null {
  const scopes = ENDPOINT_SCOPES[endpoint];
  if (!scopes) return null;
  return new KlaviyoApiError(
    `Klaviyo refused ${endpoint} (403 ${code}): the API key lacks a scope this call needs. ${endpoint} needs ` +
      `${scopes.split(' ').join(' and ')}. In Klaviyo (Settings → API keys) give the private key ${scopes} ` +
      `(a sync needs ${REQUIRED_SCOPES}), then run the sync again.`,
    endpoint,
    status,
    code,
    false,
    undefined,
    `Give the private key the scopes ${REQUIRED_SCOPES} in Klaviyo (Settings → API keys).`,
  );
}

/**
 * A call this client did not send because the sync was cancelled while the call waited for its turn (rate
 * limits, Retry-After, backoff). Code CANCELLED: the request never left, so nothing about it is unknown.
 */
export class CallCancelledError extends C360Error {
  override name = 'CallCancelledError';
  constructor(readonly endpoint: string) {
    super('CANCELLED', `The sync was cancelled, so ${endpoint} was not called.`);
  }
}

/**
 * Transport failures before any byte of the request left: the host name did not resolve, or the connection was
 * refused or could not be routed. Such a call is known not to have been sent, so it is never ambiguous, and
 * retrying it many times only hides a wrong base URL or a missing network.
 */
const NOT_SENT_CODES: Readonly<Record<string, string>> = {
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS lookup failed)',
  EAI_FAIL: 'the host name could not be resolved (DNS lookup failed)',
  ECONNREFUSED: 'the connection was refused',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
};

/** Whether the call failed before the request was sent (see NOT_SENT_CODES), in every attempt. */
export function wasNotSent(error: KlaviyoApiError): boolean {
  if (error instanceof KlaviyoUnreachableError) return !error.earlierAttemptMayHaveArrived;
  return error.status === 0 && error.klaviyoCode in NOT_SENT_CODES;
}

/**
 * Klaviyo could not be reached at all (after the client's few quick retries): the run stops at once with a
 * message that names the host and what to check. The call that failed was not sent.
 */
export class KlaviyoUnreachableError extends KlaviyoApiError {
  override name = 'KlaviyoUnreachableError';
  constructor(
    readonly host: string,
    endpoint: string,
    klaviyoCode: string,
    attempts: number,
    seconds: number,
    /** An earlier attempt of the same call failed with an unknown outcome (it may have been processed). */
    readonly earlierAttemptMayHaveArrived = false,
  ) {
    super(
      `Klaviyo cannot be reached at ${host}: ${NOT_SENT_CODES[klaviyoCode] ?? 'the connection failed'} (${klaviyoCode}, ` +
        `${attempts} attempt${attempts === 1 ? '' : 's'} in ${seconds.toFixed(1)} s on ${endpoint})` +
        (earlierAttemptMayHaveArrived
          ? '; an earlier attempt of this call may have reached Klaviyo.'
          : '; this call was not sent.') +
        // In the message, not a hint: a run record keeps only the message.
        ' Check the network connection, the proxy settings (HTTPS_PROXY/HTTP_PROXY) and KLAVIYO_BASE_URL ' +
        '(or sync.klaviyo.base_url in c360.config.yaml; unset, c360 uses https://a.klaviyo.com), then run the sync again.',
      endpoint,
      0,
      klaviyoCode,
      false,
    );
  }
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504, 520, 522, 524]);

interface ResponseLike {
  status?: number;
  data?: unknown;
  headers?: Record<string, unknown>;
}

function firstError(data: unknown): { code?: string; title?: string; detail?: string; pointer?: string } {
  if (!data || typeof data !== 'object') return {};
  const errors = (data as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || !errors.length) return {};
  const e = errors[0] as Record<string, unknown>;
  const source = (e.source ?? {}) as Record<string, unknown>;
  return {
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.title === 'string' ? { title: e.title } : {}),
    ...(typeof e.detail === 'string' ? { detail: e.detail } : {}),
    ...(typeof source.pointer === 'string' ? { pointer: source.pointer } : {}),
  };
}

function headerNumber(headers: Record<string, unknown> | undefined, name: string): number | undefined {
  const value = headers?.[name] ?? headers?.[name.toLowerCase()];
  const n = Number(value);
  return value === undefined || value === null || value === '' || !Number.isFinite(n) ? undefined : n;
}

/** Turns whatever the SDK threw into a KlaviyoApiError that carries no request headers. */
export function toKlaviyoError(error: unknown, endpoint: string): KlaviyoApiError {
  if (error instanceof KlaviyoApiError) return error;
  const e = (error ?? {}) as { response?: ResponseLike; code?: unknown; message?: unknown };
  const response = e.response;
  if (response && typeof response.status === 'number') {
    const status = response.status;
    const body = firstError(response.data);
    const detail =
      body.detail ?? body.title ?? (typeof response.data === 'string' ? 'non-JSON error page' : '');
    const retryAfter = headerNumber(response.headers, 'retry-after');
    if (status === 403 && typeof response.data !== 'string') {
      const scoped = missingScopeError(endpoint, status, body.code ?? 'http_403');
      if (scoped) return scoped;
    }
    return new KlaviyoApiError(
      `Klaviyo answered ${status}${body.code ? ` ${body.code}` : ''} on ${endpoint}${detail ? `: ${detail}` : ''}` +
        (body.pointer ? ` (at ${body.pointer})` : ''),
      endpoint,
      status,
      body.code ?? `http_${status}`,
      RETRYABLE_STATUS.has(status),
      retryAfter,
    );
  }
  const code = typeof e.code === 'string' ? e.code : 'network_error';
  const timedOut =
    code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(String(e.message ?? ''));
  return new KlaviyoApiError(
    timedOut
      ? `No answer from Klaviyo on ${endpoint} within the request timeout`
      : `The connection to Klaviyo failed on ${endpoint} (${code})`,
    endpoint,
    0,
    timedOut ? 'timeout' : code,
    true,
  );
}

/**
 * Klaviyo refused this one row (invalid data): record it and go on. Retryable failures (retries exhausted) and
 * bad credentials stop the run instead, since every other row would fail the same way.
 */
export function isRowRejection(error: unknown): error is KlaviyoApiError {
  return error instanceof KlaviyoApiError && !error.retryable && error.status !== 401 && error.status !== 403;
}

/** Rate-limit headers of a successful response (steady window). */
export function rateLimitHeaders(headers: unknown): { remaining?: number; resetSeconds?: number } {
  const h = (headers ?? {}) as Record<string, unknown>;
  const remaining = headerNumber(h, 'ratelimit-remaining');
  const resetSeconds = headerNumber(h, 'ratelimit-reset');
  return {
    ...(remaining !== undefined ? { remaining } : {}),
    ...(resetSeconds !== undefined ? { resetSeconds } : {}),
  };
}

/** Removes a secret from text that leaves the process (errors, logs, run records). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join('[redacted]');
  return out.replace(/pk_[A-Za-z0-9]{6,}/g, 'pk_[redacted]');
}
