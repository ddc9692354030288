import { dirname, join } from 'node:path';
import { createRouterClient } from '@orpc/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpClient, type ApiClient } from '../../core/api/client/index.ts';
import type { ApiContext } from '../../core/api/context.ts';
import { createRouter } from '../../core/api/router.ts';
import { startWebServer, type WebServer } from '../../core/api/server/webServer.ts';
import type { JsonRow } from '../../core/db/duckdb.ts';
import { copyTemplates } from '../../core/segments/templates.ts';
import { WorkspaceService } from '../../core/service/index.ts';
import { buildInsightsShop, INSIGHTS_SHOP_TIMEOUT_MS, type InsightsShop } from '../insights/insightsShop.ts';

/**
 * segments.list / preview / explain over the in-process router client and the HTTP transport, on a built demo
 * shop opened by a real workspace service whose saved segments are the built-in templates (their published
 * `seg_<name>` tables hold the list members, so every count can be checked against SQL the engine did not run).
 */

let shop: InsightsShop;
let service: WorkspaceService;
let server: WebServer;
const logLines: string[] = [];
const clients = {} as Record<'in-process' | 'http', ApiClient>;
let savedNames: string[];

const query = (sql: string, params: unknown[] = []): Promise<JsonRow[]> =>
  service.read((db) => db.queryJson(sql, params as never), { timeoutSeconds: 0 });

beforeAll(async () => {
  shop = await buildInsightsShop(400);
  const dir = dirname(shop.db.path);
  await copyTemplates(join(dir, 'segments'));
  savedNames = shop.segments.segments.map((s) => s.definition.name).sort();
  shop.db.close();
  service = await WorkspaceService.open(dir);
  const context: ApiContext = { service };
  const router = createRouter({ log: (line) => logLines.push(line) });
  server = await startWebServer({ router, context, staticDir: dir, host: '127.0.0.1' });
  clients.http = createHttpClient(server.url, { token: server.token });
  clients['in-process'] = createRouterClient(router, { context }) as unknown as ApiClient;
}, INSIGHTS_SHOP_TIMEOUT_MS);

afterAll(async () => {
  await server?.close();
  await service?.close();
  await shop?.close();
});

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await query(sql, params);
  return Number(Object.values(row ?? {})[0]);
}

describe.each(['in-process', 'http'] as const)('segments calls (%s)', (transport) => {
  it('segments.list gives every saved segment with the member count of its published seg_ table', async () => {
    const list = await clients[transport].segments.list();
    expect(list.problems).toEqual([]);
    expect(list.segments.map((s) => s.name)).toEqual(savedNames);
    for (const segment of list.segments) {
      expect(segment.count, segment.name).toBe(await count(`select count(*) from "seg_${segment.name}"`));
      expect(segment.eligible).toBeGreaterThanOrEqual(segment.count);
    }
  });

  it('segments.preview of a saved segment counts its members, with funnel, breakdowns and overlaps', async () => {
    const name = 'winback_candidates';
    const preview = await clients[transport].segments.preview({ segment: name });
    expect(preview.segment).toBe(name);
    expect(preview.count).toBe(await count(`select count(*) from "seg_${name}"`));
    expect(preview.base).toBe(await count('select count(*) from dim_customers'));
    expect(preview.funnel.at(-1)?.remaining).toBe(preview.count);
    expect(preview.breakdowns.length).toBeGreaterThan(0);
    for (const breakdown of preview.breakdowns)
      expect(breakdown.values.reduce((s, v) => s + v.count, 0) + breakdown.other).toBe(preview.count);
    expect(preview.overlaps.map((o) => o.segment).sort()).toEqual(savedNames.filter((n) => n !== name));
    expect(preview).not.toHaveProperty('sample');
  });

  it('segments.preview of an unsaved definition counts what SQL counts', async () => {
    const preview = await clients[transport].segments.preview({
      definition: {
        name: 'repeat_buyers',
        rules: [{ column: 'total_orders', op: '>=', value: 2 }],
        include_non_marketable: true,
      },
      breakdowns: ['lifecycle_stage'],
    });
    expect(preview.count).toBe(await count('select count(*) from dim_customers where total_orders >= 2'));
    expect(preview.count).toBeGreaterThan(0);
    expect(preview.breakdowns.map((b) => b.column)).toEqual(['lifecycle_stage']);
    const stages = await query(
      'select lifecycle_stage as value, count(*) as n from dim_customers where total_orders >= 2 group by 1',
    );
    for (const { value, n } of stages)
      expect(preview.breakdowns[0]!.values.find((v) => v.value === value)?.count, String(value)).toBe(
        Number(n),
      );
  });

  it('segments.preview rejects an invalid definition as INVALID_INPUT naming the path', async () => {
    const error = await clients[transport].segments
      .preview({ definition: { name: 'bad', rules: [{ column: 'total_orders', op: '~', value: 1 }] } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', status: 400 });
    expect((error as Error).message).toMatch(/rules/);
  });

  it('segments.preview of an unknown name is INVALID_INPUT listing the saved segments', async () => {
    const error = await clients[transport].segments
      .preview({ segment: 'no_such_segment' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', status: 400 });
    expect((error as Error).message).toContain('winback_candidates');
  });

  it('segments.preview refuses both a name and a definition', async () => {
    const error = await clients[transport].segments
      .preview({ segment: 'winback_candidates', definition: { name: 'x', rules: [] } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400 });
  });

  it('segments.explain by id and by email agrees with the seg_ table', async () => {
    const name = 'vip_customers';
    const [member] = await query(
      `select customer_id, email from "seg_${name}" where email is not null order by customer_id limit 1`,
    );
    const [outsider] = await query(
      `select customer_id from dim_customers where customer_id not in (select customer_id from "seg_${name}")
        order by customer_id limit 1`,
    );
    const byId = await clients[transport].segments.explain({
      segment: name,
      customer: String(member!.customer_id),
    });
    expect(byId).toMatchObject({ segment: name, customerId: member!.customer_id, member: true });
    const byEmail = await clients[transport].segments.explain({
      segment: name,
      customer: String(member!.email).toUpperCase(),
    });
    expect(byEmail.customerId).toBe(member!.customer_id);
    const out = await clients[transport].segments.explain({
      segment: name,
      customer: String(outsider!.customer_id),
    });
    expect(out.member).toBe(false);
  });

  it('segments.explain of an unknown customer is NOT_FOUND', async () => {
    const error = await clients[transport].segments
      .explain({ segment: 'vip_customers', customer: 'c_0000000000000000' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });
});

describe('cancellation', () => {
  it("an aborted call's preview stops with QUERY_CANCELLED", async () => {
    const controller = new AbortController();
    controller.abort(new Error('a newer preview replaced it'));
    const client = createRouterClient(createRouter({ log: () => undefined }), { context: { service } });
    const error = await client.segments
      .preview({ segment: 'winback_candidates' }, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'QUERY_CANCELLED' });
  });

  it("the call's signal reaches the engine: aborting the call aborts the preview's queries", async () => {
    const preview = vi.spyOn(service.segments, 'preview');
    try {
      const client = createRouterClient(createRouter({ log: () => undefined }), { context: { service } });
      const controller = new AbortController();
      await client.segments.preview({ segment: 'winback_candidates' }, { signal: controller.signal });
      const signal = preview.mock.calls.at(-1)?.[1]?.signal;
      expect(signal?.aborted).toBe(false);
      controller.abort(new Error('a newer preview replaced it'));
      expect(signal?.aborted).toBe(true);
    } finally {
      preview.mockRestore();
    }
  });
});
