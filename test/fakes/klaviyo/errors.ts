/**
 * Klaviyo-shaped error documents. Real bodies (see api-contract-notes §1.5, §2.4) carry an integer `status`
 * next to the spec's required `id`, `code`, `title`, `detail`, and a `source` with either a JSON pointer into
 * the body or the name of the offending query parameter.
 */
import { randomUUID } from 'node:crypto';

export type ErrorSource = { pointer: string } | { parameter: string };

export interface KlaviyoErrorObject {
  id: string;
  status: number;
  code: string;
  title: string;
  detail: string;
  source: ErrorSource;
  links?: Record<string, string>;
  meta?: Record<string, unknown>;
}

export class KlaviyoApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly source: ErrorSource = { pointer: '/data/' },
    readonly extra: { links?: Record<string, string>; meta?: Record<string, unknown> } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${code}: ${detail}`);
  }

  toObject(): KlaviyoErrorObject {
    return {
      id: randomUUID(),
      status: this.status,
      code: this.code,
      title: this.title,
      detail: this.detail,
      source: this.source,
      ...this.extra,
    };
  }
}

export function errorDocument(error: KlaviyoApiError): { errors: KlaviyoErrorObject[] } {
  return { errors: [error.toObject()] };
}

export function invalid(detail: string, source: ErrorSource = { pointer: '/data/' }): KlaviyoApiError {
  return new KlaviyoApiError(400, 'invalid', 'Invalid input.', detail, source);
}

export function invalidParameter(parameter: string, detail: string): KlaviyoApiError {
  return invalid(detail, { parameter });
}

export function notFound(detail: string, source: ErrorSource = { pointer: '/data/' }): KlaviyoApiError {
  return new KlaviyoApiError(404, 'not_found', 'Not found.', detail, source);
}

export function authenticationFailed(detail: string): KlaviyoApiError {
  return new KlaviyoApiError(401, 'authentication_failed', 'Incorrect authentication credentials.', detail, {
    pointer: '/data/',
  });
}

export function permissionDenied(detail: string): KlaviyoApiError {
  return new KlaviyoApiError(
    403,
    'permission_denied',
    'You do not have permission to perform this action.',
    detail,
    { pointer: '/data/' },
  );
}

export function throttled(retryAfterSeconds: number): KlaviyoApiError {
  return new KlaviyoApiError(
    429,
    'throttled',
    'Request was throttled.',
    `Request was throttled. Expected available in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
    { pointer: '/data/' },
    {
      links: { type: 'https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling#rate-limits' },
      meta: {},
    },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

export function serverError(): KlaviyoApiError {
  return new KlaviyoApiError(500, 'error', 'A server error occurred.', 'A server error occurred.');
}

export function serviceUnavailable(): KlaviyoApiError {
  return new KlaviyoApiError(
    503,
    'service_unavailable',
    'Service unavailable.',
    'The service is temporarily unavailable. Please try again later.',
  );
}

export function methodNotAllowed(method: string): KlaviyoApiError {
  return new KlaviyoApiError(
    405,
    'method_not_allowed',
    'Method not allowed.',
    `Method "${method}" not allowed.`,
  );
}

export function unsupportedMediaType(contentType: string): KlaviyoApiError {
  return new KlaviyoApiError(
    415,
    'unsupported_media_type',
    'Unsupported media type.',
    `Unsupported media type "${contentType}" in request; use application/json or application/vnd.api+json.`,
  );
}

export function duplicateProfile(existingId: string, pointer: string): KlaviyoApiError {
  return new KlaviyoApiError(
    409,
    'duplicate_profile',
    'Conflict.',
    'A profile already exists with one of these identifiers.',
    { pointer },
    { links: {}, meta: { duplicate_profile_id: existingId } },
  );
}
