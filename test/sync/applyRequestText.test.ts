import { listValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { needsExactRequest, requestJson, requestTextSql } from '../../core/sync/importJobs.ts';

/**
 * A profile apply has DuckDB cut the null members out of each payload (applyProfiles.ts batchReader); the
 * request Klaviyo gets must be the same text `requestJson` makes, and the same object as the payload without
 * its nulls, for every payload shape DuckDB's json_object can produce.
 */

let db: Database;
beforeAll(async () => {
  db = await openDatabase(':memory:');
});
afterAll(() => db.close());

/** Payloads as the plan makes them (json_object of profile, location, properties), built by DuckDB itself. */
async function payloads(): Promise<string[]> {
  const rows = await db.queryJson(`select json_object(
      'email', email, 'first_name', first_name, 'last_name', null,
      'location', json_object('city', city, 'zip', null, 'country', 'DE'),
      'properties', json_object(${"'Note'"}, note, 'Orders', orders, 'Tags', tags, 'Empty', null, 'Quote "x"', q)
    )::varchar as payload
    from (values
      ('a@example.com', null, null, 'plain', 1, ['vip'], null),
      ('b@example.com', 'Bea', 'Köln', null, null, null, 'v'),
      ('c@example.com', 'Comma, "quoted": null', 'x,"y":null', 'ends with \\', 0, [], '{"k":null}'),
      ('d@example.com', '', 'Zürich 🏔', ',"n":null', -2, ['a', null], '')
    ) t(email, first_name, city, note, orders, tags, q)`);
  const extra =
    await db.queryJson(`select json_object('email', 'e@example.com', 'properties', json_object('A', null, 'B', null))::varchar as payload
    union all select json_object('email', null, 'first_name', null, 'properties', json_object())::varchar
    union all select json_object('email', null, 'location', json_object('city', null, 'zip', '1'),
      'properties', json_object('A', null, 'B', 1))::varchar`);
  return [...rows, ...extra].map((r) => String(r.payload));
}

function withoutNullMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullMembers);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, withoutNullMembers(v)]),
    );
  return value;
}

describe('the request text DuckDB makes', () => {
  it('is requestJson’s text and the payload without its null members', async () => {
    const all = await payloads();
    expect(all.some((p) => p.includes(':null'))).toBe(true);
    const rows = await db.queryJson(
      `select p, ${requestTextSql('p')} as request from (select unnest($1::varchar[]) as p)`,
      [listValue(all)],
    );
    expect(rows).toHaveLength(all.length);
    for (const row of rows) {
      const payload = String(row.p);
      expect(needsExactRequest(payload)).toBe(false);
      const request = String(row.request);
      expect(request).toBe(requestJson({ email: '', payloadHash: null, payload }));
      expect(JSON.parse(request)).toEqual(withoutNullMembers(JSON.parse(payload)));
    }
  });
});
