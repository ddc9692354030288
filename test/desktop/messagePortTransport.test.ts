import { MessageChannel, threadId, Worker, type MessagePort } from 'node:worker_threads';
import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/message-port';
import type { RouterClient } from '@orpc/server';
import { afterEach, describe, expect, it } from 'vitest';
import { serveRouterOnPort, type HostEvent } from '../../core/desktop/serviceHost.ts';
import { tinyRouter } from './fixtures/tinyRouter.ts';

type TinyClient = RouterClient<typeof tinyRouter>;

function clientOn(port: MessagePort): TinyClient {
  return createORPCClient(new RPCLink({ port }));
}

const openPorts: MessagePort[] = [];
const workers: Worker[] = [];
afterEach(async () => {
  for (const port of openPorts.splice(0)) port.close();
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
});

function channel(): MessageChannel {
  const pair = new MessageChannel();
  openPorts.push(pair.port1, pair.port2);
  return pair;
}

describe('oRPC over a MessagePort (in one thread)', () => {
  it('answers a call and streams events over a worker_threads MessageChannel', async () => {
    const { port1, port2 } = channel();
    serveRouterOnPort(port1, tinyRouter, { dir: '/ws/one' });
    const client = clientOn(port2);
    await expect(client.hello({ name: 'Ada' })).resolves.toMatchObject({
      greeting: 'hello Ada',
      dir: '/ws/one',
    });
    const seen: number[] = [];
    for await (const event of await client.count({ to: 4 })) seen.push(event.n);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('rejects input the procedure schema refuses', async () => {
    const { port1, port2 } = channel();
    serveRouterOnPort(port1, tinyRouter, { dir: '/ws' });
    const client = clientOn(port2);
    await expect(client.count({ to: 0 } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('the service host in a worker thread', () => {
  async function startHost(): Promise<{
    worker: Worker;
    events: (HostEvent | { test: string })[];
    next: (type: string) => Promise<unknown>;
  }> {
    const worker = new Worker(new URL('./fixtures/hostWorker.mjs', import.meta.url));
    workers.push(worker);
    let crashed: Error | undefined;
    worker.on('error', (error) => {
      crashed = error;
    });
    const events: (HostEvent | { test: string })[] = [];
    const waiting: Array<{ type: string; resolve: (event: unknown) => void }> = [];
    worker.on('message', (event: HostEvent | { test: string }) => {
      events.push(event);
      const type = 'type' in event ? event.type : event.test;
      const index = waiting.findIndex((w) => w.type === type);
      if (index >= 0) waiting.splice(index, 1)[0]!.resolve(event);
    });
    const next = (type: string) =>
      new Promise<unknown>((resolve, reject) => {
        const already = events.find((e) => ('type' in e ? e.type : e.test) === type);
        if (already) {
          events.splice(events.indexOf(already), 1);
          resolve(already);
          return;
        }
        const timer = setTimeout(
          () => reject(crashed ?? new Error(`the host sent no "${type}" within 10 s`)),
          10_000,
        );
        waiting.push({
          type,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
      });
    await next('ready');
    return { worker, events, next };
  }

  function send(worker: Worker, data: unknown, port?: MessagePort): void {
    worker.postMessage({ data, ports: port ? [port] : [] }, port ? [port] : []);
  }

  it('opens a workspace, serves each connection on its own port off the calling thread, and streams', async () => {
    const { worker, next } = await startHost();
    send(worker, { type: 'open', dir: '/ws/shop', create: false });
    await expect(next('opened')).resolves.toEqual({ type: 'opened', dir: '/ws/shop' });

    const first = channel();
    send(worker, { type: 'connect' }, first.port1);
    const client = clientOn(first.port2);
    const answer = await client.hello({ name: 'Grace' });
    expect(answer).toMatchObject({ greeting: 'hello Grace', dir: '/ws/shop' });
    expect(answer.threadId).not.toBe(threadId);

    const second = channel();
    send(worker, { type: 'connect' }, second.port1);
    const seen: number[] = [];
    for await (const event of await clientOn(second.port2).count({ to: 3 })) seen.push(event.n);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('ends the connections when the workspace closes, so pending calls fail instead of hanging', async () => {
    const { worker, next } = await startHost();
    send(worker, { type: 'open', dir: '/ws/shop', create: false });
    await next('opened');
    const { port1, port2 } = channel();
    send(worker, { type: 'connect' }, port1);
    const client = clientOn(port2);
    const stream = await client.count({ to: 100, delayMs: 50 });
    const reading = (async () => {
      const seen: number[] = [];
      for await (const event of stream) seen.push(event.n);
      return seen;
    })();
    send(worker, { type: 'close' });
    await expect(next('closed-workspace')).resolves.toEqual({ test: 'closed-workspace', closes: 1 });
    await expect(next('closed')).resolves.toEqual({ type: 'closed' });
    const outcome = await reading.then(
      (seen) => ({ seen, failed: false }),
      () => ({ seen: [], failed: true }),
    );
    // Either the stream errors or it ends early; it never runs to 100 and never hangs.
    expect(outcome.failed || outcome.seen.length < 100).toBe(true);
  });

  it('refuses a connection before a workspace is open and reports a failed open with its code', async () => {
    const { worker, next } = await startHost();
    const { port1 } = channel();
    send(worker, { type: 'connect' }, port1);
    await expect(next('connect-refused')).resolves.toMatchObject({ type: 'connect-refused' });
    send(worker, { type: 'open', dir: '/ws/broken', create: false });
    await expect(next('open-failed')).resolves.toEqual({
      type: 'open-failed',
      dir: '/ws/broken',
      code: 'NOT_FOUND',
      message: '/ws/broken is not a workspace (no c360.config.yaml)',
    });
  });

  it('rejects messages that do not match the host protocol', async () => {
    const { worker, next } = await startHost();
    send(worker, { type: 'open', dir: '/ws/shop', create: false, extra: 'x' });
    await expect(next('rejected')).resolves.toMatchObject({ type: 'rejected' });
    send(worker, { type: 'exec', command: 'rm -rf /' });
    await expect(next('rejected')).resolves.toMatchObject({ type: 'rejected' });
  });
});
