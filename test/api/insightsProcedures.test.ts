import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createHttpClient,
  createPortClient,
  createWebSocketClient,
  webSocketUrl,
  type ApiClient,
  type ApiMessagePort,
} from '../../core/api/client/index.ts';
import type { ApiContext } from '../../core/api/context.ts';
import { createRouter } from '../../core/api/router.ts';
import { serveMessagePort } from '../../core/api/server/messagePort.ts';
import { startWebServer, type WebServer } from '../../core/api/server/webServer.ts';
import type { Database } from '../../core/db/duckdb.ts';
import { customerProfile, customerSearch, overview } from '../../core/insights/index.ts';
import { copyTemplates } from '../../core/segments/templates.ts';
import { WorkspaceService } from '../../core/service/index.ts';
import { buildInsightsShop, INSIGHTS_SHOP_TIMEOUT_MS, type InsightsShop } from '../insights/insightsShop.ts';

let shop: InsightsShop;
let service: WorkspaceService;
/** What the insight queries answer directly on the workspace's database, to compare the API's answers with. */
const direct = <T>(work: (db: Database) => Promise<T>): Promise<T> =>
  service.read(work, { timeoutSeconds: 0 });
let server: WebServer;
let socket: WebSocket;
let channel: MessageChannel;
const clients: Record<'http' | 'ws' | 'port', ApiClient> = {} as never;

beforeAll(async () => {
  shop = await buildInsightsShop(300);
  // The API's service opens the built demo shop as a workspace, with the templates as its saved segments.
  const dir = dirname(shop.db.path);
  await copyTemplates(join(dir, 'segments'));
  shop.db.close();
  service = await WorkspaceService.open(dir);
  const context: ApiContext = { service };
  server = await startWebServer({
    router: createRouter(),
    context,
    staticDir: service.dir,
    host: '127.0.0.1',
  });
  clients.http = createHttpClient(server.url, { token: server.token });
  socket = new WebSocket(webSocketUrl(server.url), { headers: { authorization: `Bearer ${server.token}` } });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  clients.ws = createWebSocketClient(socket as unknown as Parameters<typeof createWebSocketClient>[0]);
  channel = new MessageChannel();
  serveMessagePort(createRouter(), channel.port1 as unknown as ApiMessagePort, context);
  clients.port = createPortClient(channel.port2 as unknown as ApiMessagePort);
}, INSIGHTS_SHOP_TIMEOUT_MS);

afterAll(async () => {
  socket?.close();
  channel?.port1.close();
  await server?.close();
  await service?.close();
  if (shop) await rm(dirname(shop.db.path), { recursive: true, force: true });
});

/** A customer with orders, found with SQL independent of the insight queries. */
async function someBuyer(): Promise<{ customerId: string; email: string; orders: number }> {
  const [row] = await direct((db) =>
    db.queryJson(
      `select customer_id, email, total_orders from main.dim_customers
      where total_orders > 1 and email is not null order by customer_id limit 1`,
    ),
  );
  return {
    customerId: String(row!.customer_id),
    email: String(row!.email),
    orders: Number(row!.total_orders),
  };
}

describe.each(['http', 'ws', 'port'] as const)('insights over %s', (transport) => {
  it('overview.get returns the Overview the insight query computes', async () => {
    const viaApi = await clients[transport].overview.get();
    expect(viaApi).toEqual(await direct((db) => overview(db, {})));
    const [count] = await direct((db) => db.queryJs('select count(*)::integer as n from main.dim_customers'));
    expect(JSON.stringify(viaApi)).toContain(String(count!.n));
  });

  it('customers.search finds a customer by email', async () => {
    const buyer = await someBuyer();
    const result = await clients[transport].customers.search({ query: buyer.email });
    expect(result.hits[0]).toMatchObject({ customerId: buyer.customerId, matchedOn: 'email' });
    expect(result).toEqual(await direct((db) => customerSearch(db, { query: buyer.email })));
  });

  it('customers.profile returns the 360 profile with its orders and segment memberships', async () => {
    const buyer = await someBuyer();
    const profile = await clients[transport].customers.profile({ customerId: buyer.customerId });
    expect(profile).toEqual(
      await direct((db) =>
        customerProfile(db, { customerId: buyer.customerId }, undefined, {
          segments: { set: service.segments.set, problems: service.segments.problems },
        }),
      ),
    );
    expect(JSON.stringify(profile)).toContain(buyer.customerId);
  });

  it('customers.search rejects an empty query as INVALID_INPUT', async () => {
    const error = await clients[transport].customers.search({ query: '  ' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', status: 400 });
  });

  it('customers.profile of an unknown id is NOT_FOUND and does not echo an email', async () => {
    const error = await clients[transport].customers
      .profile({ customerId: 'someone@example.com' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect((error as Error).message).not.toContain('someone@example.com');
  });
});
