import type { z } from 'zod';
import { C360Error, type C360ErrorOptions } from '../errors.ts';
import type { WorkspaceService } from '../service/workspaceService.ts';

/**
 * One typed call of the API. The CLI calls `handler` directly; the Electron IPC and web transports (later)
 * validate with the same `input` schema on their side of the boundary.
 */
export interface Procedure<I extends z.ZodType, O> {
  name: string;
  summary: string;
  input: I;
  handler(input: z.infer<I>, ctx: ApiContext): Promise<O>;
}

export type ProgressEvent = { procedure: string; message: string; data?: Record<string, unknown> };

export interface ApiContext {
  onProgress?: (event: ProgressEvent) => void;
  /** Polled between steps by work that cannot take a signal yet (the build runner). */
  isCancelled?: () => boolean;
  /**
   * The open workspace the call works on (the app, the web server, a CLI command). Without one, a handler opens
   * the workspace named in its input for the call and closes it after; with one, that input is not used.
   */
  service?: WorkspaceService;
  /** Aborts the call: its queries are interrupted, a queued job never starts, a running job stops. */
  signal?: AbortSignal;
  /**
   * Where a sync of this process gets its Klaviyo key (the desktop app: the key it keeps with safeStorage).
   * Absent: the environment variable the config names (KLAVIYO_API_KEY). A routed call never carries a key.
   */
  klaviyoKey?: () => string | undefined;
}

export function defineProcedure<I extends z.ZodType, O>(procedure: Procedure<I, O>): Procedure<I, O> {
  return procedure;
}

export class ApiInputError extends C360Error {
  override name = 'ApiInputError';
  constructor(message: string, options?: C360ErrorOptions) {
    super('INVALID_INPUT', message, options);
  }
}

/** Validates input at the boundary and runs the call. */
export async function call<I extends z.ZodType, O>(
  procedure: Procedure<I, O>,
  input: unknown,
  ctx: ApiContext = {},
): Promise<O> {
  const parsed = procedure.input.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(input)'}: ${issue.message}`,
    );
    throw new ApiInputError(`Invalid input for ${procedure.name}:\n${lines.join('\n')}`);
  }
  return procedure.handler(parsed.data, ctx);
}
