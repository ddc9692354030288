import { randomBytes } from 'node:crypto';
import { ORPCError, ValidationError } from '@orpc/server';
import { C360Error, ERROR_CODES, isErrorCode, redactSecrets, type ErrorCode } from '../../errors.ts';

/**
 * What the client of a failed call finds in the error's `data`: the stable code (also the oRPC error's `code`),
 * the hint and details of a C360Error. toC360Error (core/errors.ts) reads `data.hint` back on the calling side.
 */
export interface ApiErrorData {
  code: string;
  hint?: string;
  details?: Record<string, unknown>;
}

export type ErrorLogger = (line: string) => void;

const defaultLogger: ErrorLogger = (line) => process.stderr.write(`${line}\n`);

function apiError(
  code: ErrorCode,
  message: string,
  extra: Omit<ApiErrorData, 'code'> = {},
  cause?: unknown,
): ORPCError<string, ApiErrorData> {
  return new ORPCError(code, {
    status: ERROR_CODES[code].http,
    // C360Error messages are written for users; a value quoted from the data must still not leak an email.
    message: redactSecrets(message),
    data: {
      code,
      ...(extra.hint === undefined ? {} : { hint: redactSecrets(extra.hint) }),
      ...(extra.details === undefined ? {} : { details: extra.details }),
    },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Ours: a C360Error, or an error of another shape that carries one of our codes. Node's system errors also
 * have a `code` (ENOENT, EACCES) that is not one of ours, so they stay internal.
 */
function codedError(error: unknown): C360Error | undefined {
  if (error instanceof C360Error) return error;
  if (!(error instanceof Error)) return undefined;
  const { code, hint } = error as Error & { code?: unknown; hint?: unknown };
  if (!isErrorCode(code)) return undefined;
  return new C360Error(code, error.message, typeof hint === 'string' ? { hint } : {});
}

function invalidInput(procedure: string, error: ValidationError): ORPCError<string, ApiErrorData> {
  const lines = error.issues.map((issue) => {
    const path = (issue.path ?? [])
      .map((part) => (typeof part === 'object' && part !== null ? String(part.key) : String(part)))
      .join('.');
    return `${path || '(input)'}: ${issue.message}`;
  });
  return apiError(
    'INVALID_INPUT',
    `Invalid input for ${procedure}: ${lines.join('; ')}. Correct the input and call again.`,
  );
}

/**
 * Turns whatever a handler threw into the error the transports send: our coded errors keep their code, message,
 * hint and details, with the HTTP status of ERROR_CODES; input validation becomes INVALID_INPUT; anything else
 * becomes INTERNAL with a generic message, and its detail goes to the server log only (redacted), under a
 * reference the client's message names.
 */
export function toApiError(
  error: unknown,
  procedure: string,
  log: ErrorLogger = defaultLogger,
): ORPCError<string, ApiErrorData> {
  const coded = codedError(error);
  if (coded) {
    return apiError(
      coded.code,
      coded.message,
      {
        ...(coded.hint === undefined ? {} : { hint: coded.hint }),
        ...(coded.details ? { details: coded.details } : {}),
      },
      error,
    );
  }
  if (error instanceof ORPCError) {
    if (error.code === 'BAD_REQUEST' && error.cause instanceof ValidationError)
      return invalidInput(procedure, error.cause);
    // Errors oRPC or a handler raised on purpose below 500 (e.g. NOT_FOUND for an unknown procedure) are
    // already safe; a failed output validation is our bug and stays internal.
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
  log(`[api] internal error ${ref} in ${procedure}: ${redactSecrets(detail)}`);
  return apiError(
    'INTERNAL',
    `Internal error in ${procedure} (reference ${ref}); the details are in the server's log. Try again, and report it if it persists.`,
  );
}
