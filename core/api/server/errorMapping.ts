import { randomBytes } from 'node:crypto';
import { ORPCError, ValidationError } from '@orpc/server';

/**
 * HTTP status of each stable error code: a copy of the `http` column of ERROR_CODES in core/errorCodes.ts on
 * branch wt-errors (not merged here yet). After that merge, read `ERROR_CODES[code].http` and `isErrorCode`
 * instead of this table; C360Error already has the `code` and `hint` the duck-typed check below reads.
 */
export const API_ERROR_STATUS: Readonly<Record<string, number>> = {
  INVALID_INPUT: 400,
  CONFIG_INVALID: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  NOT_BUILT: 409,
  WORKSPACE_LOCKED: 409,
  QUERY_CANCELLED: 409,
  CANCELLED: 409,
  SYNC_BLOCKED: 409,
  FILE_ACCESS_DENIED: 500,
  BUILD_FAILED: 500,
  INTERNAL: 500,
  UPSTREAM_FAILED: 502,
  WORKSPACE_UNREACHABLE: 503,
  QUERY_TIMEOUT: 504,
};

/** What the client of a failed call sees: the code, a message safe to show, and the error's hint if any. */
export interface ApiErrorData {
  code: string;
  hint?: string;
}

export type ErrorLogger = (line: string) => void;

const defaultLogger: ErrorLogger = (line) => process.stderr.write(`${line}\n`);

/** Database errors can quote values: keep customer emails and Klaviyo private keys out of the log. */
function redact(text: string): string {
  return text
    .replace(/[^\s@'"<>()]+@[^\s@'"<>()]+\.[A-Za-z]{2,}/g, '<email>')
    .replace(/\bpk_[A-Za-z0-9]{8,}/g, '<klaviyo key>');
}

/**
 * An error of ours carries a known stable code. Node's system errors also have a `code` (ENOENT, EACCES) and
 * their messages name server paths, so only codes of the table count; everything else is internal.
 */
function codedError(error: unknown): { code: string; message: string; hint?: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, hint } = error as Error & { code?: unknown; hint?: unknown };
  if (typeof code !== 'string' || !Object.hasOwn(API_ERROR_STATUS, code)) return undefined;
  return { code, message: error.message, hint: typeof hint === 'string' ? hint : undefined };
}

function invalidInput(procedure: string, error: ValidationError): ORPCError<string, ApiErrorData> {
  const lines = error.issues.map((issue) => {
    const path = (issue.path ?? [])
      .map((part) => (typeof part === 'object' && part !== null ? String(part.key) : String(part)))
      .join('.');
    return `${path || '(input)'}: ${issue.message}`;
  });
  return new ORPCError('INVALID_INPUT', {
    status: API_ERROR_STATUS.INVALID_INPUT,
    message: `Invalid input for ${procedure}: ${lines.join('; ')}. Correct the input and call again.`,
    data: { code: 'INVALID_INPUT' },
  });
}

/**
 * Turns whatever a handler threw into the error the transports send: our coded errors keep their code, message
 * and hint; input validation becomes INVALID_INPUT; anything else becomes INTERNAL with a generic message, and
 * its detail goes to the server log only, under a reference the client's message names.
 */
export function toApiError(
  error: unknown,
  procedure: string,
  log: ErrorLogger = defaultLogger,
): ORPCError<string, ApiErrorData> {
  const coded = codedError(error);
  if (coded) {
    return new ORPCError(coded.code, {
      status: API_ERROR_STATUS[coded.code],
      message: coded.message,
      data: coded.hint ? { code: coded.code, hint: coded.hint } : { code: coded.code },
      cause: error,
    });
  }
  if (error instanceof ORPCError) {
    if (error.code === 'BAD_REQUEST' && error.cause instanceof ValidationError)
      return invalidInput(procedure, error.cause);
    // Errors oRPC or a handler raised on purpose (e.g. NOT_FOUND for an unknown procedure) are already safe,
    // except a failed output validation, which is our bug and stays internal.
    if (!(error.cause instanceof ValidationError) && error.status < 500) {
      const data = (error.data ?? {}) as Partial<ApiErrorData>;
      return new ORPCError(error.code, {
        status: error.status,
        message: error.message,
        data: { ...data, code: error.code },
        cause: error,
      });
    }
  }
  const ref = randomBytes(4).toString('hex');
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  log(`[api] internal error ${ref} in ${procedure}: ${redact(detail)}`);
  return new ORPCError('INTERNAL', {
    status: API_ERROR_STATUS.INTERNAL,
    message: `Internal error in ${procedure} (reference ${ref}); the details are in the server's log. Try again, and report it if it persists.`,
    data: { code: 'INTERNAL' },
  });
}
