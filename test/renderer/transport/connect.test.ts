import { createServer, type Server } from 'node:http';
import { MessageChannel } from 'node:worker_threads';
import { os } from '@orpc/server';
import { RPCHandler as PortHandler } from '@orpc/server/message-port';
import { RPCHandler as HttpHandler } from '@orpc/server/node';
import { afterAll, describe, expect, it } from 'vitest';
import type { CustomerSearchInput } from '../../../core/insights/schemas.ts';
import { connect, ORPC_PORT_MESSAGE, type ConnectWindow } from '../../../renderer/src/api/connect.ts';
import { fakeClient, workspaceInfo } from '../fixtures.ts';

/** An oRPC router answering from a fake client, named so tests can tell two workspaces apart. */
function routerFor(name: string) {
  const fake = fakeClient({ info: async () => ({ ...workspaceInfo, name }) });
  return {
    workspace: { info: os.handler(() => fake.workspace.info()) },
    overview: { get: os.handler(() => fake.overview.get({})) },
    customers: {
      search: os.handler(({ input }) => fake.customers.search(input as CustomerSearchInput)),
      profile: os.handler(({ input }) => fake.customers.profile(input as { customerId: string })),
    },
    // Calls of later pages: a plain one and a streaming one (progress events, then the outcome).
    segments: { columns: os.handler(() => ({ columns: [{ name: `${name} column` }] })) },
    sync: {
      run: os.handler(async function* () {
        yield { done: 1, total: 2 };
        return { status: 'succeeded' };
      }),
    },
  };
}

/** A stand-in for the renderer's window as the Electron preload leaves it: window.c360 and window messages. */
function desktopWindow(connectApi: () => Promise<{ status: string; code?: string; message?: string }>) {
  const listeners: ((event: {
    data: unknown;
    ports: readonly unknown[];
    source: unknown;
    origin: string;
  }) => void)[] = [];
  const win: ConnectWindow & {
    postPort(port: unknown, overrides?: { origin?: string; source?: unknown }): void;
  } = {
    location: { origin: 'app://c360' },
    c360: { kind: 'electron', connectApi },
    addEventListener: (_type, listener) => listeners.push(listener),
    postPort: (port, overrides = {}) => {
      for (const listener of listeners)
        listener({
          data: { type: ORPC_PORT_MESSAGE },
          ports: [port],
          source: overrides.source ?? win,
          origin: overrides.origin ?? 'app://c360',
        });
    },
  };
  return win;
}

/** A port to a service answering as workspace `name` (the main process would hand one to the preload). */
function servicePort(name: string) {
  const channel = new MessageChannel();
  new PortHandler(routerFor(name)).upgrade(channel.port1, { context: {} });
  channel.port1.start();
  return channel;
}

const channels: MessageChannel[] = [];
let server: Server | undefined;
afterAll(async () => {
  for (const channel of channels) {
    channel.port1.close();
    channel.port2.close();
  }
  if (server) await new Promise((resolve) => server!.close(resolve));
});

describe('connect()', () => {
  it('in Electron, calls the API over the port the preload posts, and follows a workspace switch', async () => {
    let reconnects = 0;
    const win = desktopWindow(async () => ({ status: 'open' }));
    const client = connect(win, { onReconnect: () => (reconnects += 1) });
    const first = servicePort('Shop A');
    channels.push(first);
    // A message from another origin is not the preload's: ignored.
    const intruder = servicePort('Intruder');
    channels.push(intruder);
    win.postPort(intruder.port2, { origin: 'https://evil.example' });
    win.postPort(first.port2);
    expect((await client.workspace.info()).name).toBe('Shop A');
    const hits = await client.customers.search({ query: 'schmidt', limit: 5 });
    expect(hits.hits.map((hit) => hit.customerId)).toEqual(['c_000123']);

    const second = servicePort('Shop B');
    channels.push(second);
    win.postPort(second.port2);
    expect(reconnects).toBe(1);
    expect((await client.workspace.info()).name).toBe('Shop B');
  });

  it('in Electron, every call of the contract goes over the port, streaming ones too', async () => {
    const win = desktopWindow(async () => ({ status: 'open' }));
    const client = connect(win) as unknown as {
      segments: { columns(): Promise<{ columns: { name: string }[] }> };
      sync: { run(input: object): Promise<AsyncIterator<unknown, unknown>> };
    };
    const port = servicePort('Shop C');
    channels.push(port);
    win.postPort(port.port2);
    expect((await client.segments.columns()).columns[0]?.name).toBe('Shop C column');
    const events = await client.sync.run({});
    expect(await events.next()).toEqual({ done: false, value: { done: 1, total: 2 } });
    expect(await events.next()).toEqual({ done: true, value: { status: 'succeeded' } });
    // Awaiting the client itself must not treat it as a promise.
    expect(await Promise.resolve(client)).toBe(client);
  });

  it('in Electron with no workspace open, calls fail with a code and a message that says what to do', async () => {
    const client = connect(desktopWindow(async () => ({ status: 'none' })));
    await expect(client.overview.get({})).rejects.toMatchObject({
      code: 'WORKSPACE_NOT_OPEN',
      message: expect.stringMatching(/Open or create a workspace/),
    });
  });

  it('in web mode, calls the same-origin /api over HTTP', async () => {
    const handler = new HttpHandler(routerFor('Web shop'));
    server = createServer((request, response) => {
      void handler.handle(request, response, { prefix: '/api', context: {} }).then(({ matched }) => {
        if (!matched) response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const client = connect({ location: { origin }, addEventListener: () => {} });
    expect((await client.workspace.info()).name).toBe('Web shop');
    expect((await client.overview.get({})).kpis.customers).toBe(12_345);
  });
});
