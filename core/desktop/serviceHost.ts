/**
 * The desktop app's backend: runs in an Electron utility process (electron/serviceHost.ts, forked by main) so
 * DuckDB and every query stay off the main process's event loop, and a crashed or wedged workspace is a process
 * main can kill and replace. One host serves one open workspace.
 *
 * Main talks to the host with the small messages below (validated with zod: they cross a process boundary), and
 * hands it one end of a MessageChannel per renderer connection; the host serves the oRPC router on that port
 * with `@orpc/server/message-port`. The other end goes to the renderer, so API traffic never passes through main.
 *
 * Written against the port shapes oRPC supports (Node's worker_threads MessagePort, Electron's MessagePortMain),
 * so tests run it over worker_threads MessageChannel.
 */
import type { SupportedMessagePort } from '@orpc/client/message-port';
import { RPCHandler } from '@orpc/server/message-port';
import type { AnyRouter } from '@orpc/server';
import { hostRequestSchema, type HostEvent } from './hostProtocol.ts';
import type { OpenedWorkspace, OpenWorkspace } from './serviceAdapter.ts';

export { hostEventSchema, hostRequestSchema, type HostEvent, type HostRequest } from './hostProtocol.ts';

/** A port the host can serve: oRPC's supported shapes, plus start/close where the port has them. */
export type HostPort = SupportedMessagePort & { start?(): void; close?(): void };

/**
 * Serves `router` on one port; returns a function that stops serving (closes the port, which the client sees as
 * the connection ending, failing its pending calls).
 */
export function serveRouterOnPort<C extends Record<string, unknown>>(
  port: HostPort,
  router: AnyRouter,
  context: C,
): () => void {
  const handler = new RPCHandler(router);
  handler.upgrade(port, { context });
  // Electron's MessagePortMain queues messages until started; Node's port starts when a listener is added.
  port.start?.();
  return () => port.close?.();
}

export interface ServiceHostOptions {
  openWorkspace: OpenWorkspace;
  send(event: HostEvent): void;
}

export interface ServiceHost {
  /** Handles one message from main; messages are processed in order. */
  handle(data: unknown, ports: readonly HostPort[]): Promise<void>;
  /** The open workspace's folder, if any. */
  readonly dir: string | undefined;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z_]*$/.test(code) ? code : 'INTERNAL';
}

export function createServiceHost(options: ServiceHostOptions): ServiceHost {
  let opened: OpenedWorkspace | undefined;
  let klaviyoKey: string | undefined;
  const served = new Set<() => void>();
  let queue: Promise<void> = Promise.resolve();

  async function closeWorkspace(): Promise<void> {
    for (const stop of served) stop();
    served.clear();
    const closing = opened;
    opened = undefined;
    await closing?.close();
  }

  async function processMessage(data: unknown, ports: readonly HostPort[]): Promise<void> {
    const parsed = hostRequestSchema.safeParse(data);
    if (!parsed.success) {
      for (const port of ports) port.close?.();
      options.send({
        type: 'rejected',
        message: 'The service host received a message it does not understand.',
      });
      return;
    }
    const request = parsed.data;
    switch (request.type) {
      case 'open': {
        await closeWorkspace();
        try {
          opened = await options.openWorkspace(request.dir, {
            create: request.create,
            klaviyoKey: () => klaviyoKey,
          });
          options.send({ type: 'opened', dir: opened.dir });
        } catch (error) {
          options.send({
            type: 'open-failed',
            dir: request.dir,
            code: errorCode(error),
            message: error instanceof Error ? error.message : String(error),
          });
        }
        return;
      }
      case 'connect': {
        const [port, ...extra] = ports;
        for (const other of extra) other.close?.();
        if (!port) {
          options.send({ type: 'connect-refused', message: 'A connect message came without a port.' });
          return;
        }
        if (!opened) {
          port.close?.();
          options.send({ type: 'connect-refused', message: 'No workspace is open in this service host.' });
          return;
        }
        served.add(serveRouterOnPort(port, opened.router, opened.context));
        return;
      }
      case 'klaviyo-key':
        klaviyoKey = request.key ?? undefined;
        return;
      case 'close':
        await closeWorkspace();
        options.send({ type: 'closed' });
        return;
    }
  }

  return {
    handle(data, ports) {
      const next = queue.then(() => processMessage(data, ports));
      queue = next.catch(() => {});
      return next;
    },
    get dir() {
      return opened?.dir;
    },
  };
}

/** The message shape Electron's `process.parentPort` delivers. */
export interface ParentPortLike {
  on(event: 'message', listener: (message: { data: unknown; ports: HostPort[] }) => void): unknown;
  postMessage(message: unknown): void;
}

/** Runs a host on a parent port (the utility process's `process.parentPort`, or a test's adapter). */
export function runServiceHost(
  parent: ParentPortLike,
  openWorkspace: OpenWorkspace,
  onFatal: (error: unknown) => void,
): ServiceHost {
  const host = createServiceHost({ openWorkspace, send: (event) => parent.postMessage(event) });
  parent.on('message', ({ data, ports }) => {
    host.handle(data, ports).catch(onFatal);
  });
  parent.postMessage({ type: 'ready' } satisfies HostEvent);
  return host;
}
