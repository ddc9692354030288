import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import {
  bigqueryDialect,
  DEFAULT_PROJECT_DIR,
  duckdbDialect,
  loadProject,
  renderModel,
  runBuild,
  type BuildResult,
} from '../../core/models/index.ts';
import { CODE_MODELS } from '../../core/models/codeModels.ts';
import { loadVarDeclarations, resolveVars } from '../../core/models/vars.ts';
import {
  amazonOrder,
  insertRaw,
  orderLine,
  shipment,
  shopifyCustomer,
  shopifyOrder,
  type RawRow,
} from './tinyShop.ts';

/**
 * events_shipments over a few hand-written orders: which orders get events (sql/DEFINITIONS.md "Shipment
 * events") and how the event id is made.
 */
const AS_OF = '2026-11-30 12:00:00';

let dir: string;
let db: Database;
let build: BuildResult;

// order id → [carrier, tracking number, order overrides]
const ORDERS: Record<number, [string, string, Partial<RawRow>]> = {
  7001: ['DHL', '00340434000000000001', {}],
  7002: ['Hermes', 'H1000000000000000002', { cancelled_at: '2026-11-28 09:00:00' }],
  7003: ['GLS', '10000000003', { financial_status: 'refunded' }],
  7004: ['GLS', '10000000004', { financial_status: 'partially_refunded' }],
  7005: ['Hermes', 'H1000000000000000005', {}],
  7006: ['DPD', '01500000000006', { financial_status: 'voided' }],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-events-'));
  db = await openDatabase(join(dir, 'workspace.duckdb'));
  await insertRaw(db, 'raw_shopify.customers', [shopifyCustomer(1, 'eva@example.de', 'Eva', 'Klein')]);
  for (const [id, [carrier, tracking, extra]] of Object.entries(ORDERS)) {
    const orderId = Number(id);
    await insertRaw(db, 'raw_shopify.orders', [shopifyOrder(orderId, 1, '2026-11-25 10:00:00', extra)]);
    await insertRaw(db, 'raw_shopify.order_lines', [orderLine(orderId)]);
    await insertRaw(db, 'raw_shipments.shipments', [
      shipment(orderId, carrier, tracking, '2026-11-26 08:00:00'),
    ]);
    await insertRaw(db, 'raw_shipments.shipment_events', [
      // fractional seconds: the canonical text keeps milliseconds
      { tracking_number: tracking, event_type: 'shipped', event_at: '2026-11-26 09:15:00.5', detail: null },
      { tracking_number: tracking, event_type: 'delivered', event_at: '2026-11-27 14:02:03', detail: null },
    ]);
  }
  await insertRaw(db, 'raw_amazon.orders', [amazonOrder('302-0000001-0000001', '2025-03-01 10:00:00')]);
  build = await runBuild(db, { vars: { as_of: AS_OF } });
}, 120_000);

afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

async function events(): Promise<Record<string, unknown>[]> {
  return db.queryJson(
    `select order_id, event_name, event_id, tracking_number, tracking_url, first_name, last_name, is_marketable
     from main.events_shipments order by order_id, event_timestamp`,
  );
}

describe('events_shipments', () => {
  it('builds and passes its data tests', () => {
    expect(build.models.filter((m) => m.status !== 'success')).toEqual([]);
    expect(build.tests.filter((t) => t.status !== 'pass')).toEqual([]);
  });

  it('sends no events for cancelled, refunded or voided orders; partial refunds still ship', async () => {
    const byOrder = new Map<string, string[]>();
    for (const e of await events())
      byOrder.set(String(e.order_id), [...(byOrder.get(String(e.order_id)) ?? []), String(e.event_name)]);
    expect(Object.fromEntries(byOrder)).toEqual({
      '7001': ['Package Shipped', 'Package Delivered'],
      '7004': ['Package Shipped', 'Package Delivered'],
      '7005': ['Package Shipped', 'Package Delivered'],
    });
  });

  it('derives event_id from the canonical ISO-8601 UTC text of the event time', async () => {
    const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
    const rows = (await events()).filter((e) => e.order_id === '7001');
    expect(rows.map((e) => e.event_id)).toEqual([
      md5('00340434000000000001|shipped|2026-11-26T09:15:00.500Z'),
      md5('00340434000000000001|delivered|2026-11-27T14:02:03.000Z'),
    ]);
  });

  it('renders the same canonical time text for DuckDB and BigQuery', async () => {
    expect(duckdbDialect.iso_utc_text('t')).toBe("strftime(cast(t as timestamp), '%Y-%m-%dT%H:%M:%S.%gZ')");
    expect(bigqueryDialect.iso_utc_text('t')).toBe("format_timestamp('%Y-%m-%dT%H:%M:%E3SZ', t, 'UTC')");
    const project = await loadProject(DEFAULT_PROJECT_DIR, CODE_MODELS);
    const node = project.nodes.get('events_shipments')!;
    // The declared defaults (sql/vars.yml), as a build passes them.
    const vars = resolveVars(await loadVarDeclarations(DEFAULT_PROJECT_DIR), []);
    const render = (dialect: typeof duckdbDialect): string =>
      renderModel(node.file, node.sql ?? '', {
        dialect,
        vars,
        asOf: AS_OF,
        relationFor: (name) => name,
        macrosDir: project.macrosDir,
      });
    const eventIdOf = (sql: string): string => /\n\s*(.*) as event_id,/.exec(sql)![1]!;
    expect(eventIdOf(render(bigqueryDialect))).toBe(
      "to_hex(md5(customer_events.tracking_number || '|' || customer_events.event_type || '|' || " +
        "format_timestamp('%Y-%m-%dT%H:%M:%E3SZ', customer_events.event_at, 'UTC')))",
    );
    expect(eventIdOf(render(duckdbDialect))).toBe(
      "md5(customer_events.tracking_number || '|' || customer_events.event_type || '|' || " +
        "strftime(cast(customer_events.event_at as timestamp), '%Y-%m-%dT%H:%M:%S.%gZ'))",
    );
  });

  it('carries a tracking URL for every carrier and the name to greet the customer with', async () => {
    const rows = await events();
    expect(rows.filter((e) => !e.tracking_url)).toEqual([]);
    expect(rows.find((e) => e.order_id === '7005')?.tracking_url).toBe(
      'https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation/#H1000000000000000005',
    );
    expect(rows.find((e) => e.order_id === '7004')?.tracking_url).toBe(
      'https://gls-group.com/DE/de/paketverfolgung?match=10000000004',
    );
    expect(rows.every((e) => e.first_name === 'Eva' && e.last_name === 'Klein')).toBe(true);
  });
});
