import { ORPCError } from '@orpc/client';
import { createRouterClient } from '@orpc/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../core/api/client/index.ts';
import { createRouter } from '../../core/api/router.ts';
import { C360Error } from '../../core/errors.ts';
import type { BuildEventData, BuildResultData } from '../../core/api/schemas/build.ts';
import { startWebServer, type WebServer } from '../../core/api/server/webServer.ts';
import { createLocalWorkspace, type LocalWorkspace } from './localService.ts';
import { transportsOf } from './transportClients.ts';

let ws: LocalWorkspace;
let server: WebServer;
const logLines: string[] = [];
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  ws = await createLocalWorkspace();
  server = await startWebServer({
    router: createRouter({ log: (line) => logLines.push(line) }),
    context: ws.context,
    staticDir: ws.dir,
    host: '127.0.0.1',
  });
});

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

afterAll(async () => {
  await server?.close();
  await ws?.close();
});

const transports = transportsOf(
  () => server,
  () => ws.context,
  () => createRouter({ log: (line) => logLines.push(line) }),
  cleanups,
);

/** Reads a build's stream to the end: the events in arrival order and the value it returned. */
async function collectBuild(client: ApiClient, n: number) {
  const iterator = await client.models.build({ vars: { n } });
  const events: BuildEventData[] = [];
  for (;;) {
    const step = await iterator.next();
    if (step.done) return { events, result: step.value as BuildResultData };
    events.push(step.value);
  }
}

describe.each(transports)('over %s', (_name, makeClient) => {
  it('streams a build’s progress events in order and returns its summary', async () => {
    const client = await makeClient();
    const n = 7 + transports.findIndex(([name]) => name === _name);
    const { events, result } = await collectBuild(client, n);
    expect(
      events.map((e) =>
        e.type === 'model_start'
          ? `start ${e.name}`
          : e.type === 'model_done'
            ? `done ${e.result.name}`
            : e.type,
      ),
    ).toEqual([
      'start',
      'start a',
      'done a',
      'start b',
      'done b',
      'start c',
      'done c',
      'tests_done',
      'derived_done',
      'published',
    ]);
    expect(events[0]).toMatchObject({ type: 'start', runId: result.runId, models: 3 });
    expect(result).toMatchObject({ ok: true, published: true });
    expect(result.asOf).toMatch(/^2026-01-31/);
    expect(result.models.map((m) => [m.name, m.rows])).toEqual([
      ['a', n],
      ['b', n],
      ['c', n],
    ]);
    const [row] = await ws.db.queryJs('select count(*)::integer as n from main.c');
    expect(row?.n).toBe(n);
  });

  it('answers workspace.info with the folder name, database size and the last build', async () => {
    const client = await makeClient();
    const { result } = await collectBuild(client, 3);
    const info = await client.workspace.info();
    expect(info.name).toBe(ws.dir.split(/[\\/]/).pop());
    expect(info.databaseBytes).toBeGreaterThan(0);
    expect(info.lastBuild).toMatchObject({ runId: result.runId, ok: true, published: true });
    expect(info.asOf).toBe('2026-01-31');
  });

  it('carries a coded error’s code, message and hint to the client', async () => {
    const client = await makeClient();
    const read = ws.service.read;
    ws.service.read = () =>
      Promise.reject(
        Object.assign(new Error('The workspace is held by another process; close it or use its server.'), {
          code: 'WORKSPACE_LOCKED',
          hint: 'c360 web is running on port 4000',
        }),
      );
    cleanups.push(() => (ws.service.read = read));
    const error = await client.workspace.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ORPCError);
    expect(error).toMatchObject({
      code: 'WORKSPACE_LOCKED',
      status: 409,
      message: 'The workspace is held by another process; close it or use its server.',
      data: { code: 'WORKSPACE_LOCKED', hint: 'c360 web is running on port 4000' },
    });
  });

  it('carries a C360Error’s details and redacts an email its message quotes', async () => {
    const client = await makeClient();
    const read = ws.service.read;
    ws.service.read = () =>
      Promise.reject(
        new C360Error('NOT_BUILT', 'No build yet for ana@example.com: run `c360 build` first.', {
          details: { model: 'dim_customers' },
        }),
      );
    cleanups.push(() => (ws.service.read = read));
    const error = await client.workspace.info().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'NOT_BUILT',
      status: 409,
      data: { code: 'NOT_BUILT', details: { model: 'dim_customers' } },
    });
    expect((error as Error).message).toBe('No build yet for [email]: run `c360 build` first.');
  });

  it('turns an unknown error into INTERNAL with a generic message and logs the detail redacted', async () => {
    const client = await makeClient();
    const read = ws.service.read;
    ws.service.read = () =>
      Promise.reject(
        Object.assign(new Error("open '/home/ana/secret' failed for ana@example.com with pk_abcdef123456"), {
          code: 'ENOENT',
        }),
      );
    cleanups.push(() => (ws.service.read = read));
    logLines.length = 0;
    const error = await client.workspace.info().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTERNAL', status: 500 });
    const message = (error as Error).message;
    expect(message).not.toMatch(/secret|ana@|pk_/);
    const ref = message.match(/reference ([0-9a-f]{8})/)?.[1];
    expect(ref).toBeDefined();
    const logged = logLines.find((line) => line.includes(ref!));
    expect(logged).toContain('/home/ana/secret');
    expect(logged).not.toContain('ana@example.com');
    expect(logged).not.toContain('pk_abcdef123456');
  });

  it('maps invalid input to INVALID_INPUT naming the field', async () => {
    const client = await makeClient();
    const error = await client.models
      .build({ select: [''] } as unknown as Parameters<ApiClient['models']['build']>[0])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', status: 400 });
    expect((error as Error).message).toContain('select.0');
  });

  it('maps an error raised while a stream runs', async () => {
    const client = await makeClient();
    const write = ws.service.write;
    ws.service.write = () =>
      Promise.reject(Object.assign(new Error('A build is already running.'), { code: 'WORKSPACE_LOCKED' }));
    cleanups.push(() => (ws.service.write = write));
    const iterator = await client.models.build({});
    const error = await iterator.next().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WORKSPACE_LOCKED', message: 'A build is already running.' });
  });
});

describe.each(transports)('cancelling over %s', (_name, makeClient) => {
  it('a client that stops reading a build aborts the job’s signal, and the build publishes nothing', async () => {
    const client = await makeClient();
    const write = ws.service.write.bind(ws.service);
    let jobSignal: AbortSignal | undefined;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let outcome: Promise<unknown> | undefined;
    // Holds the job in the queue until the client has gone, so the test does not race the build.
    ws.service.write = (kind, work, options) => {
      jobSignal = options?.signal;
      outcome = gate.then(() => write(kind, work, options));
      return outcome as never;
    };
    cleanups.push(() => (ws.service.write = write));
    const [before] = await ws.db
      .queryJs('select count(*)::integer as n from c360.build_runs')
      .catch(() => [{ n: 0 }]);

    const iterator = await client.models.build({ vars: { n: 99 } });
    await iterator.return?.(undefined);
    const deadline = Date.now() + 5000;
    while (!jobSignal?.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(jobSignal?.aborted).toBe(true);
    release();
    // The workspace service never starts a job whose caller has gone: nothing runs, nothing is recorded.
    const error = await (outcome as Promise<BuildResultData>).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CANCELLED' });
    const [after] = await ws.db.queryJs('select count(*)::integer as n from c360.build_runs');
    expect(Number(after?.n)).toBe(Number(before?.n ?? 0));
    const published = await ws.db
      .queryJs('select count(*)::integer as n from main.a where id = 98')
      .catch(() => []);
    expect(published[0]?.n ?? 0).toBe(0);
  });
});

describe('in process', () => {
  it('the CLI calls the same router without a transport', async () => {
    const client = createRouterClient(createRouter(), { context: ws.context });
    const info = await client.workspace.info();
    expect(info.databaseBytes).toBeGreaterThan(0);
  });
});
