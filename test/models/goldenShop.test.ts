/**
 * Golden test: the full model build over a tiny hand-written shop (test/fixtures/goldenShop) must produce
 * the Customer 360 values computed by hand from sql/DEFINITIONS.md (test/fixtures/goldenShop/expected.ts).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type JsonRow } from '../../core/db/duckdb.ts';
import { runBuild } from '../../core/models/index.ts';
import { listTemplates, segmentTables } from '../../core/segments/index.ts';
import {
  AS_OF_VAR,
  EXPECTED_BUYER_COUNT,
  EXPECTED_CUSTOMERS,
  EXPECTED_CUSTOMER_COUNT,
  EXPECTED_DATA_QUALITY_REASONS,
  EXPECTED_SEGMENTS,
  EXPECTED_SHIPMENT_EVENTS,
  RELAY_TRACKING_NUMBERS,
  type ExpectedCustomer,
  type OneOf,
} from '../fixtures/goldenShop/expected.ts';
import { loadGoldenShop } from '../fixtures/goldenShop/loadGoldenShop.ts';

const projectDir = fileURLToPath(new URL('../../sql', import.meta.url));

const customerIdOf = (identityKey: string): string =>
  `c_${createHash('md5').update(identityKey).digest('hex').slice(0, 16)}`;

const pad = (n: number): string => String(n).padStart(2, '0');

/** DuckDB JS values → plain comparable values: bigint → number, Date → 'YYYY-MM-DD HH:MM:SS' (UTC). */
function normalise(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) {
    return (
      `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())} ` +
      `${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}`
    );
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    return value.replace('T', ' ').replace(/(\.\d+)?Z?$/, '');
  }
  if (Array.isArray(value)) return value.map(normalise);
  return value;
}

const isOneOf = (value: unknown): value is OneOf =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'oneOf' in value;

/** Asserts one field softly, so that every mismatch of a person is reported, not only the first. */
function checkField(label: string, field: string, expected: unknown, row: JsonRow): void {
  const message = `${label}.${field}`;
  if (!(field in row)) {
    expect.soft(Object.keys(row), `${message}: column missing in dim_customers`).toContain(field);
    return;
  }
  let actual = normalise(row[field]);
  if (actual === undefined) actual = null;
  if (isOneOf(expected)) {
    expect.soft(expected.oneOf, message).toContain(actual);
  } else if (typeof expected === 'number') {
    expect.soft(typeof actual, `${message} (type of ${String(actual)})`).toBe('number');
    if (typeof actual === 'number') expect.soft(actual, message).toBeCloseTo(expected, 4);
  } else if (typeof expected === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(expected)) {
    // a DATE column: also accept a midnight timestamp
    const asText = typeof actual === 'string' ? actual.replace(/ 00:00:00$/, '') : actual;
    expect.soft(asText, message).toBe(expected);
  } else if (field === 'source_ids' && Array.isArray(expected)) {
    expect
      .soft(Array.isArray(actual) ? [...(actual as string[])].sort() : actual, message)
      .toEqual([...(expected as string[])].sort());
  } else {
    expect.soft(actual, message).toEqual(expected);
  }
}

let dir = '';
let db: Database;
let build: Awaited<ReturnType<typeof runBuild>> | undefined;
let buildError: unknown;
let customers: JsonRow[] | undefined;
let customersError: unknown;

function dimCustomers(): JsonRow[] {
  if (!customers) throw new Error(`dim_customers could not be read: ${String(customersError ?? buildError)}`);
  return customers;
}

function rowOf(person: ExpectedCustomer): JsonRow {
  const sourceId = person.sourceIds[0]!;
  const matches = dimCustomers().filter((row) => {
    const ids = normalise(row.source_ids);
    return Array.isArray(ids) && ids.includes(sourceId);
  });
  expect(matches, `exactly one dim_customers row holds ${sourceId} (${person.handle})`).toHaveLength(1);
  return matches[0]!;
}

const byHandle = new Map(EXPECTED_CUSTOMERS.map((person) => [person.handle, person]));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c360-golden-shop-'));
  db = await openDatabase(join(dir, 'golden.duckdb'));
  await loadGoldenShop(db);
  try {
    // The built-in segment templates are the saved segments: the build makes their seg_<name> tables.
    build = await runBuild(db, {
      projectDir,
      vars: { as_of: AS_OF_VAR },
      derived: segmentTables({ segments: await listTemplates(), projectDir }),
    });
  } catch (error) {
    buildError = error;
  }
  try {
    customers = await db.queryJs('select * from dim_customers');
  } catch (error) {
    customersError = error;
  }
});

afterAll(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('golden shop build', () => {
  it('builds every model and passes every data test', () => {
    expect(buildError, String(buildError)).toBeUndefined();
    const failedModels = (build?.models ?? [])
      .filter((model) => model.status !== 'success')
      .map((model) => `${model.name}: ${model.status}${model.error ? ` (${model.error})` : ''}`);
    const failedTests = (build?.tests ?? [])
      .filter((test) => test.status !== 'pass')
      .map((test) => `${test.model}.${test.name}: ${test.failures ?? '?'} failures ${test.message ?? ''}`);
    expect(failedModels).toEqual([]);
    expect(failedTests).toEqual([]);
    expect(build?.ok).toBe(true);
  });

  it(`has one dim_customers row per person (${EXPECTED_CUSTOMER_COUNT}) and ${EXPECTED_BUYER_COUNT} buyers`, () => {
    const rows = dimCustomers();
    expect(rows).toHaveLength(EXPECTED_CUSTOMER_COUNT);
    expect(rows.filter((row) => Number(normalise(row.total_orders)) >= 1)).toHaveLength(EXPECTED_BUYER_COUNT);
  });

  it("derives customer_id as 'c_' || first 16 hex of md5(identity key)", () => {
    const expected = EXPECTED_CUSTOMERS.map((person) => ({
      handle: person.handle,
      id: customerIdOf(person.identityKey),
    }));
    const actual = EXPECTED_CUSTOMERS.map((person) => ({
      handle: person.handle,
      id: rowOf(person).customer_id,
    }));
    expect(actual).toEqual(expected);
  });

  it('merges exactly the expected source ids per person', () => {
    for (const person of EXPECTED_CUSTOMERS)
      checkField(person.handle, 'source_ids', person.sourceIds, rowOf(person));
  });
});

describe('golden shop: dim_customers per person', () => {
  for (const person of EXPECTED_CUSTOMERS) {
    it(`${person.handle}: ${person.behaviour}`, () => {
      const row = rowOf(person);
      for (const [field, expected] of Object.entries(person.values))
        checkField(person.handle, field, expected, row);
    });
  }
});

describe('golden shop: segments contain only marketable customers', () => {
  for (const [segment, spec] of Object.entries(EXPECTED_SEGMENTS)) {
    it(`${segment} holds exactly ${Object.keys(spec.members).join(', ')}`, async () => {
      const rows = await db.queryJs(`select * from ${segment}`);
      const handleOf = new Map(EXPECTED_CUSTOMERS.map((p) => [customerIdOf(p.identityKey), p.handle]));
      const members = rows.map(
        (row) => handleOf.get(String(row.customer_id)) ?? `unknown:${String(row.customer_id)}`,
      );
      expect([...members].sort()).toEqual(Object.keys(spec.members).sort());
      for (const row of rows) {
        const handle = handleOf.get(String(row.customer_id));
        const person = handle ? byHandle.get(handle) : undefined;
        if (!person) continue; // already reported above
        checkField(`${segment}.${handle}`, 'email', person.values.email, row);
        if (spec.column) checkField(`${segment}.${handle}`, spec.column, spec.members[person.handle], row);
      }
    });
  }
});

describe('golden shop: events_shipments', () => {
  it('has deterministic, unique event ids', async () => {
    const rows = await db.queryJs(
      'select event_id, count(*) as n from events_shipments group by event_id having n > 1',
    );
    expect(rows).toEqual([]);
  });

  for (const [tracking, spec] of Object.entries(EXPECTED_SHIPMENT_EVENTS)) {
    it(`${tracking} produces ${spec.events.join(' → ')} for ${spec.email}`, async () => {
      const rows = await db.queryJs(
        'select * from events_shipments where tracking_number = $1 order by event_timestamp',
        [tracking],
      );
      expect(rows.map((row) => row.event_name)).toEqual(spec.events);
      if (spec.idTexts)
        expect(rows.map((row) => row.event_id)).toEqual(
          spec.idTexts.map((text) => createHash('md5').update(text).digest('hex')),
        );
      for (const row of rows) {
        expect.soft(row.email, `${tracking}.email`).toBe(spec.email);
        expect.soft(String(row.order_id), `${tracking}.order_id`).toBe(spec.order_id);
        expect.soft(row.channel, `${tracking}.channel`).toBe(spec.channel);
        expect.soft(row.carrier, `${tracking}.carrier`).toBe(spec.carrier);
      }
    });
  }

  it('produces no events for relay-address customers', async () => {
    const byTracking = await db.queryJs(
      `select tracking_number from events_shipments where tracking_number in (${RELAY_TRACKING_NUMBERS.map((_, i) => `$${i + 1}`).join(', ')})`,
      RELAY_TRACKING_NUMBERS,
    );
    expect(byTracking).toEqual([]);
    const byEmail = await db.queryJs(
      "select email from events_shipments where email is null or lower(email) like '%@marketplace.amazon.%'",
    );
    expect(byEmail).toEqual([]);
  });
});

describe('golden shop: data quality', () => {
  it(`reports ${EXPECTED_DATA_QUALITY_REASONS.join(', ')} in data_quality_issues`, async () => {
    const rows = await db.queryJs('select distinct reason from data_quality_issues');
    const reasons = rows.map((row) => String(row.reason));
    for (const reason of EXPECTED_DATA_QUALITY_REASONS) expect.soft(reasons, reason).toContain(reason);
  });
});
