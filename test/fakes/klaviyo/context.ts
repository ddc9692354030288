/** What a route handler receives and returns; the server does auth, revision, limits and faults before. */
import type { FaultInjector } from './faults.ts';
import type { OperationId } from './operationIds.ts';
import type { QueryReader } from './queryParameters.ts';
import type { FakeStore } from './store.ts';

export interface RouteContext {
  store: FakeStore;
  method: string;
  /** Normalised path: no query, no trailing slash. */
  path: string;
  params: Record<string, string>;
  query: QueryReader;
  /** Parsed and schema-validated JSON body, or undefined for GET. */
  body: unknown;
  bodyBytes: number;
  /** `https://127.0.0.1:PORT`, the origin used in every link (see pagination.ts for why https). */
  linkOrigin: string;
  nowMs: number;
  faults: FaultInjector;
  jobDelayMs: number;
}

export interface HandlerResult {
  status: number;
  /** JSON:API document; omitted for 202/204 answers, which Klaviyo sends without a body. */
  body?: unknown;
}

export type Handler = (ctx: RouteContext) => HandlerResult;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path template with `{name}` segments, as in the spec. */
  pattern: string;
  operationId: OperationId;
  handler: Handler;
  /** Body size above which the whole request is 400 `invalid` (Klaviyo's documented payload caps). */
  maxBodyBytes?: number;
  /** Rate-limit bucket when it is not the operation itself (e.g. predictive-analytics reads). */
  rateLimitBucket?: (ctx: {
    query: URLSearchParams;
  }) => { key: string; limits: Record<string, string> } | null;
}

export const MB = 1024 * 1024;
export const KB = 1024;
