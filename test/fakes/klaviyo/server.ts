/**
 * The request pipeline, in the order a client would notice it: arrival hooks → body read → due jobs run →
 * auth → revision → route → scopes → injected faults → rate limit → query and body validation → handler → answer.
 * Faults come before the limiter so that an injected 429 does not use quota, and after routing so that
 * `faults.paths` and the log can name the endpoint.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RouteContext } from './context.ts';
import { MB } from './context.ts';
import {
  authenticationFailed,
  errorDocument,
  invalid,
  KlaviyoApiError,
  methodNotAllowed,
  notFound,
  permissionDenied,
  serverError,
  serviceUnavailable,
  throttled,
  unsupportedMediaType,
} from './errors.ts';
import { FaultInjector } from './faults.ts';
import { readBody, sendJson, sleep, type ReceivedBody } from './httpIo.ts';
import type { OperationId } from './operationIds.ts';
import { QueryReader } from './queryParameters.ts';
import { RateLimiter } from './rateLimiter.ts';
import { Router } from './router.ts';
import { BodyValidators, subsetOperation } from './specSubset.ts';
import type { FakeStore } from './store.ts';
import type { KlaviyoFakeOptions, RequestArrival, RequestLogEntry } from './types.ts';

/** Oldest stable revision (the first GA date) and the one the SDK and the extract target. */
const OLDEST_REVISION = '2022-10-17';
export const CURRENT_REVISION = '2026-07-15';
const DEFAULT_MAX_BODY = 5 * MB;

/** Receives `{ index, method, path }`: `index` is 1-based (the Nth request gets N), known before the body is read. */
export type ArrivalHook = (arrival: RequestArrival) => void;

function normalisePath(pathname: string): string {
  const trimmed = pathname.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

function isAcceptedRevision(value: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2})$/.exec(value);
  const date = match?.[1];
  if (!date || Number.isNaN(Date.parse(date))) return false;
  return date >= OLDEST_REVISION && date <= CURRENT_REVISION;
}

function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || type === 'application/vnd.api+json';
}

export class FakeHttpServer {
  readonly server: Server;
  readonly faults: FaultInjector;
  readonly limiter: RateLimiter;
  private readonly router = new Router();
  private readonly validators = new BodyValidators();
  private readonly hooks = new Set<ArrivalHook>();
  private readonly apiKeys: Set<string>;
  private readonly keyScopes: Record<string, string[]>;
  private readonly jobDelayMs: number;
  private arrivals = 0;

  constructor(
    private readonly store: FakeStore,
    options: KlaviyoFakeOptions,
    apiKeys: string[],
  ) {
    this.apiKeys = new Set(apiKeys);
    this.keyScopes = options.keyScopes ?? {};
    this.jobDelayMs = options.jobDelayMs ?? 30;
    this.faults = new FaultInjector(options.faults);
    this.limiter = new RateLimiter(options.rateLimits ?? 'klaviyo');
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        console.error('klaviyo fake: unhandled error', error);
        if (!res.headersSent && !res.destroyed) sendJson(res, 500, errorDocument(serverError()), {});
      });
    });
    // Bulk bodies of 5 MB over a slow CI runner must not hit Node's default request timeouts.
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 5_000;
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.store.cancelTimers();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  onRequest(hook: ArrivalHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  resetArrivals(): void {
    this.arrivals = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const entry: RequestLogEntry = {
      index: ++this.arrivals,
      method,
      path: normalisePath(url.pathname),
      query: url.search.replace(/^\?/, ''),
      endpoint: null,
      status: null,
      fault: null,
      processed: false,
      requestBytes: 0,
      responseBytes: 0,
      durationMs: 0,
      receivedAtMs: Date.now(),
    };
    const { state } = this.store;
    state.requests.push(entry);
    state.counters.requests += 1;
    for (const hook of this.hooks) {
      try {
        hook({ index: entry.index, method, path: entry.path });
      } catch (error) {
        console.error('klaviyo fake: onRequest hook failed', error);
      }
    }
    const body = await readBody(req);
    entry.requestBytes = body.bytes;
    if (body.aborted) {
      entry.durationMs = performance.now() - started;
      return;
    }
    this.store.runDue(Date.now());

    const finish = (status: number | null, payload: unknown, headers: Record<string, string> = {}): void => {
      entry.durationMs = performance.now() - started;
      if (status === null) {
        req.socket.destroy();
        return;
      }
      entry.status = status;
      state.counters.statuses[status] = (state.counters.statuses[status] ?? 0) + 1;
      if (status === 429) state.counters.throttled += 1;
      entry.responseBytes = sendJson(res, status, payload, headers);
    };
    const fail = (error: KlaviyoApiError, headers: Record<string, string> = {}): void =>
      finish(error.status, errorDocument(error), { ...headers, ...error.headers });

    const auth = /^Klaviyo-API-Key (\S+)$/.exec(req.headers.authorization ?? '');
    if (!auth)
      return fail(
        authenticationFailed('Missing or invalid authorization scheme. Please use Klaviyo-API-Key.'),
      );
    const key = auth[1] ?? '';
    if (!this.apiKeys.has(key)) return fail(authenticationFailed('Incorrect authentication credentials.'));
    const revision = req.headers['revision'];
    if (revision === undefined || revision === '') {
      return fail(
        invalid(
          `Missing required 'revision' header. Send the API revision as a date, e.g. revision: ${CURRENT_REVISION}.`,
          {
            parameter: 'revision',
          },
        ),
      );
    }
    if (typeof revision !== 'string' || !isAcceptedRevision(revision)) {
      return fail(notFound('No valid revisions found for method', { parameter: 'revision' }));
    }

    const match = this.router.match(method, entry.path);
    if (match.kind === 'not-found') return fail(notFound(`The path ${entry.path} could not be found.`));
    if (match.kind === 'method-not-allowed') return fail(methodNotAllowed(method));
    const { route, params } = match;
    entry.endpoint = route.operationId;
    const missing = this.missingScopes(key, route.operationId);
    if (missing.length > 0)
      return fail(permissionDenied(`This API key is missing required scopes: ${missing.join(', ')}.`));

    const decision = this.faults.decide(entry.path);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    if (!decision.kind && this.faults.dropsAnswer(method, entry.path)) decision.kind = 'dropAfterProcessing';
    if (decision.kind) {
      entry.fault = decision.kind;
      state.counters.faults[decision.kind] += 1;
    }
    if (decision.kind === 'drop') return finish(null, undefined);
    if (decision.kind === 'throttle429') return fail(throttled(1));
    if (decision.kind === 'error500') return fail(serverError());
    if (decision.kind === 'error503') return fail(serviceUnavailable());

    const op = subsetOperation(route.operationId);
    const bucket = route.rateLimitBucket?.({ query: url.searchParams }) ?? null;
    const rate = bucket
      ? this.limiter.check(`${route.operationId}:${bucket.key}`, bucket.limits, Date.now())
      : this.limiter.check(route.operationId, op.rateLimit, Date.now());
    if (!rate.allowed) {
      state.counters.rateLimited += 1;
      return fail(throttled(rate.retryAfterSeconds));
    }

    let answer: { status: number; body: unknown; headers: Record<string, string> };
    try {
      const query = new QueryReader(url.searchParams, op);
      const parsed = this.parseBody(route.operationId, req, body, route.maxBodyBytes ?? DEFAULT_MAX_BODY);
      const ctx: RouteContext = {
        store: this.store,
        method,
        path: entry.path,
        params,
        query,
        body: parsed,
        bodyBytes: body.bytes,
        linkOrigin: `https://${req.headers.host ?? '127.0.0.1'}`,
        nowMs: Date.now(),
        faults: this.faults,
        jobDelayMs: this.jobDelayMs,
      };
      const result = route.handler(ctx);
      entry.processed = true;
      answer = { status: result.status, body: result.body, headers: rate.headers };
    } catch (error) {
      if (!(error instanceof KlaviyoApiError)) throw error;
      answer = {
        status: error.status,
        body: errorDocument(error),
        headers: { ...rate.headers, ...error.headers },
      };
    }
    // The nasty case for idempotency: the work is done (or rejected), but the client only sees a reset.
    if (decision.kind === 'dropAfterProcessing') return finish(null, undefined);
    finish(answer.status, answer.body, answer.headers);
  }

  /** Scopes the operation needs that a restricted key (`options.keyScopes`) does not hold. */
  private missingScopes(key: string, operationId: OperationId): string[] {
    const held = this.keyScopes[key];
    if (held === undefined) return [];
    return subsetOperation(operationId).scopes.filter((scope) => !held.includes(scope));
  }

  private parseBody(
    operationId: OperationId,
    req: IncomingMessage,
    body: ReceivedBody,
    maxBytes: number,
  ): unknown {
    if (!this.validators.hasBody(operationId)) return undefined;
    const { buffer, bytes } = body;
    if (!isJsonContentType(req.headers['content-type']))
      throw unsupportedMediaType(req.headers['content-type'] ?? '');
    if (bytes > maxBytes || buffer === null) {
      const limit = maxBytes >= MB ? `${maxBytes / MB}MB` : `${maxBytes / 1024}KB`;
      throw invalid(`The payload is ${bytes} bytes; the maximum allowed payload size is ${limit}.`, {
        pointer: '/data',
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(buffer.toString('utf8'));
    } catch {
      throw invalid('The request body is not valid JSON.', { pointer: '/data' });
    }
    const violation = this.validators.validate(operationId, parsed);
    if (violation) throw invalid(violation.message, { pointer: violation.pointer });
    return parsed;
  }
}
