/**
 * The stable error codes of c360 and what each means for a CLI exit code and an HTTP status. Browser-safe (no
 * imports): the API contract and the renderer import this file; `core/errors.ts` builds the error class on it.
 *
 * Exit codes of the `c360` command (README "Exit codes"):
 *   0 success · 1 the work failed · 2 invalid usage, input or configuration, or a refused sync ·
 *   3 the workspace is held by another process (desktop app, `c360 web`, another command) or its owner
 *   cannot be reached.
 *
 * HTTP statuses are all IANA-registered so that every client library and proxy understands them; the `code` in
 * the error body tells apart errors that share a status (WORKSPACE_LOCKED and QUERY_CANCELLED are both 409).
 *
 * QUERY_CANCELLED and CANCELLED answer 409 Conflict rather than nginx's unofficial 499 "client closed request":
 * a cancelled call is not the server failing (5xx) nor bad input (400), and when a caller cancelled its own
 * request nobody reads the answer anyway. The case where someone does read it is a call superseded by a newer
 * one (a newer preview of the same editor cancels the older one) or a job cancelled by another request: that is
 * a conflict with the state of the workspace, and the same call made again succeeds.
 */

export interface ErrorCodeInfo {
  /** Exit code of the `c360` command. */
  exit: number;
  /** HTTP status of the web API's answer. */
  http: number;
  /** What the code means, for documentation and for callers that show no message of their own. */
  summary: string;
}

export const ERROR_CODES = {
  INVALID_INPUT: {
    exit: 2,
    http: 400,
    summary: 'the request, a command-line option or a given file is not valid',
  },
  CONFIG_INVALID: {
    exit: 2,
    http: 400,
    summary: 'c360.config.yaml, a model project or a segment file has settings c360 cannot use',
  },
  FILE_ACCESS_DENIED: {
    exit: 2,
    http: 500,
    summary:
      'c360 cannot read or write a file or folder it needs (permissions, or a folder where a file belongs)',
  },
  PAYLOAD_TOO_LARGE: {
    exit: 2,
    http: 413,
    summary: 'the files or data sent with a call are over the size one call may carry',
  },
  NOT_FOUND: { exit: 2, http: 404, summary: 'the named customer, segment, run or model does not exist' },
  NOT_BUILT: {
    exit: 1,
    http: 409,
    summary: 'the workspace has not been built yet: run `c360 build` first',
  },
  WORKSPACE_LOCKED: {
    exit: 3,
    http: 409,
    summary: 'another process (desktop app, `c360 web`, another command) holds the workspace',
  },
  WORKSPACE_UNREACHABLE: {
    exit: 3,
    http: 503,
    summary: 'the process that holds the workspace does not answer',
  },
  WORKSPACE_CLOSED: {
    exit: 1,
    http: 503,
    summary:
      'the workspace was closed (the app switched workspaces, the server is stopping) while the call ran',
  },
  WORKSPACE_READ_ONLY: {
    exit: 1,
    http: 409,
    summary: 'the workspace is open read-only in this process, so it cannot be changed now',
  },
  QUERY_CANCELLED: { exit: 1, http: 409, summary: 'the query was cancelled before it finished' },
  QUERY_TIMEOUT: {
    exit: 1,
    http: 504,
    summary: 'the query ran longer than the limit for interactive queries and was stopped',
  },
  CANCELLED: { exit: 1, http: 409, summary: 'the job was cancelled before it finished' },
  BUILD_FAILED: { exit: 1, http: 500, summary: 'a model failed to build or publish' },
  SYNC_BLOCKED: {
    exit: 2,
    http: 409,
    summary: 'a guardrail or a stale plan stopped the sync before it sent anything',
  },
  SYNC_RUNNING: {
    exit: 2,
    http: 409,
    summary:
      'a sync of this workspace is running already: wait for it to finish (or cancel it), then sync again',
  },
  SEGMENT_CONFLICT: {
    exit: 2,
    http: 409,
    summary:
      'the segment file changed on disk since it was opened (or a file of that name exists): reload it, or merge the changes and save again',
  },
  CONFIG_CONFLICT: {
    exit: 2,
    http: 409,
    summary:
      'c360.config.yaml changed on disk since the settings were read: compare both versions, then save again or reload',
  },
  UPSTREAM_FAILED: { exit: 1, http: 502, summary: 'Klaviyo refused a call or could not be reached' },
  UNAUTHORIZED: { exit: 2, http: 401, summary: 'the request carries no valid session token' },
  INTERNAL: { exit: 1, http: 500, summary: 'an unexpected error; the message says what failed' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Every code, e.g. for `z.enum(ERROR_CODE_NAMES)` in the API contract. */
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
