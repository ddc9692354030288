/**
 * A new shop needs only its source declaration and its two staging models: this test copies the model
 * project, adds a Kaufland marketplace that way (no other file changes) and builds the golden shop plus a
 * few Kaufland orders.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import {
  buildGraph,
  DEFAULT_PROJECT_DIR,
  loadProject,
  runBuild,
  type BuildResult,
} from '../../core/models/index.ts';
import { segmentTables, TEMPLATES_DIR } from '../../core/segments/index.ts';
import { AS_OF_VAR } from '../fixtures/goldenShop/expected.ts';
import { loadGoldenShop } from '../fixtures/goldenShop/loadGoldenShop.ts';

const KAUFLAND_SOURCES = `version: 2
sources:
  - name: kaufland
    description: Kaufland marketplace (Seller API), added by the shop.
    sales_channel: { orders: stg_kaufland__orders, order_lines: stg_kaufland__order_lines }
    tables:
      - name: orders
        description: Kaufland orders.
        columns:
          - { name: id_order, type: VARCHAR, description: order id }
          - { name: ts_created, type: TIMESTAMP, description: order time (UTC) }
          - { name: status, type: VARCHAR, description: "open | sent | cancelled" }
          - { name: buyer_email, type: VARCHAR, description: buyer email }
          - { name: price_total, type: "DECIMAL(12,2)", description: order total in EUR }
          - { name: refunded, type: "DECIMAL(12,2)", description: refunded amount in EUR }
      - name: order_units
        description: Kaufland order units.
        columns:
          - { name: id_order, type: VARCHAR, description: order id }
          - { name: id_unit, type: VARCHAR, description: unit id }
          - { name: ean_sku, type: VARCHAR, description: seller SKU }
          - { name: quantity, type: INTEGER, description: units }
          - { name: price, type: "DECIMAL(12,2)", description: line price in EUR }
`;

const KAUFLAND_ORDERS = `{% from 'email.sql' import email_identity %}
with
source as (
    select * from {{ source('kaufland', 'orders') }}
),
renamed as (
    select *, nullif(lower(trim(buyer_email)), '') as email_trimmed from source
),
{{ email_identity('renamed') }},
final as (
    select
        id_order as order_id,
        'kaufland' as channel,
        case when email is not null then identity_local_part || '@' || identity_domain end as identity_email,
        ts_created as ordered_at,
        status as order_status,
        status = 'cancelled' as is_cancelled,
        false as is_refunded,
        status = 'open' as is_payment_pending,
        status = 'sent' as is_valid_order,
        1.0 as eur_per_unit,
        price_total as order_total_eur,
        coalesce(refunded, 0) as refunded_eur,
        'kaufland_buyer' as customer_source,
        {{ cast('null', 'varchar') }} as customer_source_record_id
    from email_normalized
)
select * from final
`;

const KAUFLAND_LINES = `with
final as (
    select
        id_order as order_id,
        'kaufland' as channel,
        {{ cast('null', 'bigint') }} as product_id,
        {{ cast('null', 'varchar') }} as asin,
        ean_sku as sku,
        {{ cast('null', 'varchar') }} as product_title,
        {{ cast('null', 'varchar') }} as brand,
        {{ cast('null', 'varchar') }} as category,
        quantity,
        price as line_price
    from {{ source('kaufland', 'order_units') }}
)
select * from final
`;

const KAUFLAND_DOCS = `version: 2
models:
  - name: stg_kaufland__orders
    description: Kaufland orders in the sales channel contract.
    columns:
${['order_id', 'channel', 'identity_email', 'ordered_at', 'order_status', 'is_payment_pending', 'is_valid_order', 'is_cancelled', 'is_refunded', 'eur_per_unit', 'order_total_eur', 'refunded_eur', 'customer_source', 'customer_source_record_id'].map((c) => `      - { name: ${c}, description: ${c} }`).join('\n')}
  - name: stg_kaufland__order_lines
    description: Kaufland order units in the sales channel contract.
    columns:
${['order_id', 'channel', 'product_id', 'asin', 'sku', 'product_title', 'brand', 'category', 'quantity', 'line_price'].map((c) => `      - { name: ${c}, description: ${c} }`).join('\n')}
`;

let dir = '';
let db: Database;
let build: BuildResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c360-channels-'));
  const projectDir = join(dir, 'project');
  cpSync(DEFAULT_PROJECT_DIR, projectDir, { recursive: true });
  writeFileSync(join(projectDir, 'models/staging/_kaufland_sources.yml'), KAUFLAND_SOURCES);
  writeFileSync(join(projectDir, 'models/staging/_kaufland.yml'), KAUFLAND_DOCS);
  writeFileSync(join(projectDir, 'models/staging/stg_kaufland__orders.sql'), KAUFLAND_ORDERS);
  writeFileSync(join(projectDir, 'models/staging/stg_kaufland__order_lines.sql'), KAUFLAND_LINES);

  db = await openDatabase(join(dir, 'workspace.duckdb'));
  await loadGoldenShop(db);
  await db.run(`create schema raw_kaufland`);
  await db.run(`create table raw_kaufland.orders as select * from (values
    ('K-1', timestamp '2026-06-20 12:00:00', 'sent', 'Julia.Becker@posteo.de', 30.00::DECIMAL(12,2), null::DECIMAL(12,2)),
    ('K-2', timestamp '2026-06-01 12:00:00', 'sent', 'sabine.koch@web.de', 50.00, 12.50),
    ('K-3', timestamp '2026-06-29 12:00:00', 'open', 'lena.fischer@gmx.de', 20.00, null)
  ) as t(id_order, ts_created, status, buyer_email, price_total, refunded)`);
  await db.run(`create table raw_kaufland.order_units as select * from (values
    ('K-1', 'U-1', 'TT-SLP-KAP-30', 2, 24.98::DECIMAL(12,2)),
    ('K-2', 'U-2', 'ZK-VIT-D3-90', 1, 8.95)
  ) as t(id_order, id_unit, ean_sku, quantity, price)`);
  // The saved segment is the shipped cross-channel template; the build makes its seg_ table.
  const segmentsDir = join(dir, 'segments');
  mkdirSync(segmentsDir);
  cpSync(
    join(TEMPLATES_DIR, 'cross_channel_customers.yaml'),
    join(segmentsDir, 'cross_channel_customers.yaml'),
  );
  build = await runBuild(db, {
    projectDir,
    vars: { as_of: AS_OF_VAR },
    derived: segmentTables({ segmentsDir, projectDir }),
  });
}, 120_000);

afterAll(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const customerByEmail = async (email: string) => {
  const [row] = await db.queryJs(
    `select channels, channels_count, is_cross_channel, total_orders::INTEGER as total_orders,
       lifetime_revenue::DOUBLE as lifetime_revenue, bought_categories
     from dim_customers where email = $1`,
    [email],
  );
  return row;
};

describe('a third sales channel added as a source declaration and two staging models', () => {
  it('builds with every data test passing', () => {
    const failed = [
      ...build.models.filter((m) => m.status !== 'success').map((m) => `${m.name}: ${m.error}`),
      ...build.tests.filter((t) => t.status !== 'pass').map((t) => `${t.model} ${t.name}: ${t.message}`),
    ];
    expect(failed).toEqual([]);
    expect(build.published).toBe(true);
  });

  it('shows the channel in channels and channels_count: a Shopify + Amazon + Kaufland buyer has 3', async () => {
    expect(await customerByEmail('julia.becker@posteo.de')).toMatchObject({
      channels: ['amazon', 'kaufland', 'shopify'],
      channels_count: 3,
      is_cross_channel: true,
      total_orders: 3,
    });
  });

  it('makes a Shopify-only buyer cross-channel, with the Kaufland order net of its refund', async () => {
    expect(await customerByEmail('sabine.koch@web.de')).toMatchObject({
      channels: ['kaufland', 'shopify'],
      channels_count: 2,
      is_cross_channel: true,
      total_orders: 3,
      lifetime_revenue: 287.5, // 250.00 Shopify + 50.00 − 12.50 Kaufland
    });
  });

  it('does not count a Kaufland order whose payment is still open', async () => {
    expect(await customerByEmail('lena.fischer@gmx.de')).toMatchObject({
      channels: ['shopify'],
      channels_count: 1,
      total_orders: 1,
    });
  });

  it('takes the Kaufland lines into the product metrics (categories from the catalogue by SKU)', async () => {
    const row = await customerByEmail('sabine.koch@web.de');
    expect(row?.bought_categories).toContain('Immun');
  });

  it('puts the new cross-channel buyers into the cross-channel segment with their channel count', async () => {
    const members = await db.queryJs(
      `select d.email, s.channels_count from seg_cross_channel_customers s
       join dim_customers d using (customer_id) order by d.email`,
    );
    expect(members).toEqual(
      expect.arrayContaining([
        { email: 'julia.becker@posteo.de', channels_count: 3 },
        { email: 'sabine.koch@web.de', channels_count: 2 },
      ]),
    );
  });
});

describe('a declared sales channel without its staging models', () => {
  it('is reported with the missing model and the file that unions the channels', async () => {
    const projectDir = mkdtempSync(join(tmpdir(), 'c360-channels-missing-'));
    try {
      cpSync(DEFAULT_PROJECT_DIR, projectDir, { recursive: true });
      writeFileSync(join(projectDir, 'models/staging/_kaufland_sources.yml'), KAUFLAND_SOURCES);
      const project = await loadProject(projectDir);
      expect(() => buildGraph(project)).toThrow(
        /int_orders__attributed\.sql:\d+: ref\('stg_kaufland__orders'\) points to no model/,
      );
    } finally {
      rmSync(projectDir, { recursive: true, force: true });
    }
  });
});
