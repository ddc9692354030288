import { ERROR_CODES, isErrorCode, type ErrorCode } from './errorCodes.ts';

export {
  ERROR_CODES,
  ERROR_CODE_NAMES,
  isErrorCode,
  type ErrorCode,
  type ErrorCodeInfo,
} from './errorCodes.ts';

export interface C360ErrorOptions {
  /** A next step beyond the message, e.g. the command to run. */
  hint?: string;
  /** Facts a program may act on (file, segment, owner pid, …). Never secrets or customer emails. */
  details?: Record<string, unknown>;
  /** The error this one explains; kept for debugging, never serialised (it may hold request headers). */
  cause?: unknown;
}

/** What an error looks like on the wire (API answers, `--json` log lines): no stack, no cause. */
export interface C360ErrorJson {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/**
 * The base of every error c360 shows a user. `code` is stable (ERROR_CODES maps it to the CLI exit code and the
 * HTTP status); the message says what went wrong and what to do. Callers decide by `instanceof` or `code`,
 * never by `name` or message text.
 */
export class C360Error extends Error {
  override name = 'C360Error';
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: C360ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.details !== undefined) this.details = options.details;
  }

  toJSON(): C360ErrorJson {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function exitCodeFor(error: unknown): number {
  return ERROR_CODES[toC360Error(error).code].exit;
}

export function httpStatusFor(error: unknown): number {
  return ERROR_CODES[toC360Error(error).code].http;
}

const MAX_FOREIGN_MESSAGE = 4000;

/**
 * Removes what must never reach a log or an error answer from a message c360 did not write: the given secret
 * values, Klaviyo private keys, bearer tokens, `token=` URL parameters (the web mode's session token) and email
 * addresses (customers').
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Short values would blank out ordinary words; real keys and tokens are long.
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join('[redacted]');
  return out
    .replace(/pk_[A-Za-z0-9]{6,}/g, 'pk_[redacted]')
    .replace(/\b(Bearer|Klaviyo-API-Key)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]')
    .replace(/([?&]token=)[^&\s'"]+/gi, '$1[redacted]')
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, '[email]');
}

const FILE_ACCESS_CODES = new Set(['EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EROFS']);

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return 'an unexpected error without a message';
}

function hintOf(error: object): string | undefined {
  const data = (error as { data?: unknown }).data;
  const hint = data && typeof data === 'object' ? (data as { hint?: unknown }).hint : undefined;
  return typeof hint === 'string' ? hint : undefined;
}

/**
 * Any thrown value as a C360Error, for the one place of a process that reports errors (the CLI's main, a
 * transport). A C360Error is returned as it is. An error that carries a c360 code from another process (an
 * oRPC error of a routed call) keeps its code. A file-system permission error becomes FILE_ACCESS_DENIED.
 * Anything else becomes INTERNAL with its message, minus secrets and emails (redactSecrets), and without
 * the original's stack or fields (an HTTP client's error holds the request headers, API key included).
 */
export function toC360Error(error: unknown, options: { secrets?: readonly string[] } = {}): C360Error {
  if (error instanceof C360Error) return error;
  const message = redactSecrets(messageOf(error), options.secrets).slice(0, MAX_FOREIGN_MESSAGE);
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  if (isErrorCode(code) && error && typeof error === 'object') {
    const hint = hintOf(error);
    return new C360Error(
      code,
      message,
      hint === undefined ? {} : { hint: redactSecrets(hint, options.secrets) },
    );
  }
  if (typeof code === 'string' && FILE_ACCESS_CODES.has(code)) {
    const path = (error as { path?: unknown }).path;
    return new C360Error('FILE_ACCESS_DENIED', message, {
      hint: `Check that ${typeof path === 'string' ? path : 'the file'} exists as the kind of entry c360 expects and that your user may read and write it.`,
      ...(typeof path === 'string' ? { details: { path } } : {}),
    });
  }
  return new C360Error('INTERNAL', message);
}

/** "message" plus the hint on its own line, as the CLI prints an error. */
export function describeError(error: C360Error): string {
  return error.hint ? `${error.message}\n${error.hint}` : error.message;
}
