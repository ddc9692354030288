import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExpertSqlError,
  parseSegmentDefinition,
  readCatalogue,
  SegmentEngine,
  validateExpertSql,
  type Catalogue,
} from '../../core/segments/index.ts';
import { QueryTimeoutError } from '../../core/db/interrupt.ts';
import { openFixture, type Fixture } from './fixtureShop.ts';

let fixture: Fixture;
let catalogue: Catalogue;

beforeAll(async () => {
  fixture = await openFixture();
  catalogue = await readCatalogue(fixture.db);
});
afterAll(async () => fixture.close());

async function verdict(sql: string): Promise<string> {
  try {
    await validateExpertSql(fixture.db, sql, catalogue);
  } catch (error) {
    if (error instanceof ExpertSqlError) return error.message;
    throw error;
  }
  return 'accepted';
}

const x = (n: number) => 'x'.repeat(n);
const list = (n: number) => `[${Array.from({ length: n }, () => '1').join(',')}]`;

describe('expert rule caps', () => {
  it("reject the issue's lpad rule before anything runs, within a second", async () => {
    const started = performance.now();
    const message = await verdict("length(lpad(email, 10000000, 'x')) > 0");
    expect(performance.now() - started).toBeLessThan(1000);
    expect(message).toMatch(/length argument of lpad \(argument 2\).*from 0 to 1,000, not 10,000,000/);
  });

  it.each([
    ["lpad(email, 1000, 'x') <> ''", "lpad(email, 1001, 'x') <> ''", /from 0 to 1,000, not 1,001/],
    ["rpad(email, 1000, 'x') <> ''", "rpad(email, age, 'x') <> ''", /not a column or an expression/],
    [
      "concat(lpad(email, 1000, 'x'), lpad(email, 1000, 'x')) <> ''",
      "concat(lpad(email, 1000, 'x'), lpad(email, 1000, 'x'), 'y') <> ''",
      /2,001 characters.*cap is 2,000/,
    ],
    [
      `replace(email, 'a', '${x(100)}') <> ''`,
      `replace(email, 'a', '${x(101)}') <> ''`,
      /101 times.*cap is\s+100/,
    ],
    [
      `replace(replace(email, 'a', 'bb'), 'b', '${x(50)}') <> ''`,
      `replace(replace(email, 'a', 'bb'), 'b', '${x(51)}') <> ''`,
      /102 times/,
    ],
    [
      `list_contains(${list(1000)}, age)`,
      `list_contains(${list(1001)}, age)`,
      /1,001 elements; the cap is 1,000/,
    ],
    ["email ilike '%example%'", "email ilike '%a%b'", /2 % wildcards.*regexp_matches/],
    ["email like 'c0%@%'", 'email like gender', /must be a text constant/],
    [
      `regexp_matches(email, '${x(500)}')`,
      `regexp_matches(email, '${x(501)}')`,
      /501 characters long; the cap is 500/,
    ],
    [
      "regexp_matches(email, '[a-z]{50}[0-9]{50}')",
      "regexp_matches(email, '[a-z]{50}[0-9]{51}')",
      /101 times.*cap is 100/,
    ],
  ])('accept cap case %# at the cap and reject it one over the cap', async (atCap, overCap, reason) => {
    expect(await verdict(atCap)).toBe('accepted');
    expect(await verdict(overCap)).toMatch(reason);
  });

  it('reject GLOB, which backtracks (regexp_matches does the same in linear time)', async () => {
    expect(await verdict("email glob 'c0*'")).toMatch(/function ~~~ is not allowed/);
  });

  it.each([
    ["rpad(customer_id, 5, '-') = 'c01--'", 1],
    ["regexp_matches(email, '^c0[1-3]@')", 3],
    ["email ilike 'C1%'", 1],
    ["replace(email, 'example', 'x') = 'c02@x.com'", 1],
    ['list_contains([30, 45], age)', 2],
  ])('still count %s correctly', async (sql, count) => {
    const engine = await SegmentEngine.open(fixture.db);
    const target = parseSegmentDefinition({ name: 'capped', include_non_marketable: true, rules: [{ sql }] });
    expect((await engine.preview(target)).count).toBe(count);
  });

  it('stop a preview at the deadline and keep the engine usable', async () => {
    // A connection of its own: no working tables yet, so the preview has real work to do.
    const connection = await fixture.db.connect();
    const engine = await SegmentEngine.open(connection, { queryTimeoutSeconds: 0.001 });
    const target = parseSegmentDefinition({
      name: 'slow',
      include_non_marketable: true,
      rules: [{ sql: 'age > 40' }],
    });
    const error = await engine.preview(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect((error as QueryTimeoutError).code).toBe('QUERY_TIMEOUT');
    expect((error as Error).message).toMatch(
      /^preview of segment 'slow': the query ran longer than the 0.001 s limit/,
    );
    const next = await SegmentEngine.open(connection);
    expect((await next.preview(target)).count).toBe(4);
    await connection.run('create table writable as select 1 as v');
    connection.close();
    expect(await fixture.db.queryJson('select count(*) as n from dim_customers')).toEqual([{ n: '10' }]);
  });
});
