/**
 * Errors from Klaviyo, reduced to what is safe to show and store. The SDK throws AxiosErrors whose `config`
 * holds the request headers, API key included (notes §11): they are never logged, serialised or rethrown.
 */

import { C360Error } from '../../errors.ts';

/** The scopes a private key needs for a sync: naming the account, then writing profiles, lists and events. */
export const REQUIRED_SCOPES = 'accounts:read profiles:write lists:write events:write';

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
 * A call this client did not send because the sync was cancelled while the call waited for its turn (rate
 * limits, Retry-After, backoff). Code CANCELLED: the request never left, so nothing about it is unknown.
 */
export class CallCancelledError extends C360Error {
  override name = 'CallCancelledError';
  constructor(readonly endpoint: string) {
    super('CANCELLED', `The sync was cancelled, so ${endpoint} was not called.`);
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
