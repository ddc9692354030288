/** What the error state shows: the service's message and its stable code (core/errors.ts ERROR_CODES). */
export interface ErrorSummary {
  message: string;
  code: string;
  /** What to do, when the service sent a hint (C360Error.hint, carried in the oRPC error's data). */
  hint?: string;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/**
 * Reads an error thrown by the oRPC client: an ORPCError carries the C360Error code either as its own
 * `code` or in `data.code` (the transports map C360Error → ORPCError); a network failure is a plain
 * TypeError without a code.
 */
export function summarizeError(error: unknown): ErrorSummary {
  const dataCode = field(field(error, 'data'), 'code');
  const ownCode = field(error, 'code');
  const code =
    typeof dataCode === 'string'
      ? dataCode
      : typeof ownCode === 'string'
        ? ownCode
        : error instanceof TypeError
          ? 'NETWORK'
          : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const hint = field(field(error, 'data'), 'hint');
  return typeof hint === 'string' && hint.length > 0 ? { message, code, hint } : { message, code };
}
