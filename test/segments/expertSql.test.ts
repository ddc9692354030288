import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExpertSqlError,
  parseSegmentDefinition,
  readCatalogue,
  SegmentDefinitionError,
  SegmentEngine,
  validateExpertSql,
  type Catalogue,
} from '../../core/segments/index.ts';
import { openFixture, type Fixture } from './fixtureShop.ts';

let fixture: Fixture;
let catalogue: Catalogue;

beforeAll(async () => {
  fixture = await openFixture();
  await fixture.db.run(`create table c360.segment_members as select 'secret' as customer_id`);
  catalogue = await readCatalogue(fixture.db);
});
afterAll(async () => fixture.close());

async function rejection(sql: string): Promise<string> {
  try {
    await validateExpertSql(fixture.db, sql, catalogue);
  } catch (error) {
    if (error instanceof ExpertSqlError) return error.message;
    throw error;
  }
  return 'accepted';
}

describe('expert SQL rules', () => {
  it('accept a boolean expression over dim_customers columns and run what DuckDB rendered from it', async () => {
    const checked = await validateExpertSql(
      fixture.db,
      "age between 30 and 50 and lower(gender) like 'fem%' -- a comment",
      catalogue,
    );
    expect(checked.canonical).toBe("((age BETWEEN 30 AND 50) AND (lower(gender) ~~ 'fem%'))");
    expect(checked.columns.sort()).toEqual(['age', 'gender']);
  });

  it('keep their meaning when they try to close the surrounding parenthesis', async () => {
    const checked = await validateExpertSql(fixture.db, 'total_orders > 5) or (total_orders < 1', catalogue);
    expect(checked.canonical).toBe('((total_orders > 5) OR (total_orders < 1))');
  });

  it.each([
    ['1=1; drop table dim_customers', /not valid SQL|one boolean expression/],
    ['1=1); drop table dim_customers; select (1', /one boolean expression/],
    ['true) union all select (true', /one boolean expression/],
    ['customer_id in (select customer_id from c360.segment_members)', /subqueries and table references/],
    ["exists (select 1 from read_csv('/etc/passwd'))", /subqueries and table references/],
    ['(select count(*) from pragma_database_list()) > 0', /subqueries and table references/],
    ["getenv('HOME') = 'x'", /function getenv is not allowed/],
    ["current_setting('threads') = 2", /function current_setting is not allowed/],
    ["nextval('seq') > 0", /function nextval is not allowed/],
    ['c360.segment_members.customer_id is not null', /without a table or schema prefix/],
    ['dim_customers.age > 3', /without a table or schema prefix/],
    ['no_such_column > 1', /'no_such_column' is not a column of dim_customers/],
    ['count(*) > 1', /function count_star is not allowed/],
    ['row_number() over () = 1', /window functions are not allowed/],
    ['age > $1', /parameters/],
    ["COPY dim_customers TO '/tmp/x.csv'", /not valid SQL/],
    ["ATTACH '/tmp/other.duckdb' AS other", /not valid SQL|one boolean expression/],
    ['PRAGMA database_list', /not valid SQL|one boolean expression/],
    ['total_orders', /must be true\/false, but it gives BIGINT/],
    ['last_order_at > current_date - 30', /within_last_days/],
    ["list_filter(preferred_categories, x -> x = 'a') = []", /lambdas|not allowed/],
  ])('reject %s', async (sql, reason) => {
    expect(await rejection(sql)).toMatch(reason);
  });

  it('leave the database as it was after the attacks', async () => {
    const [row] = await fixture.db.queryJson(
      `select (select count(*) from dim_customers) as customers, (select count(*) from c360.segment_members) as members`,
    );
    expect(row).toEqual({ customers: '10', members: '1' });
  });

  it('make the whole segment invalid with the path of the rule', async () => {
    const engine = await SegmentEngine.open(fixture.db);
    const target = parseSegmentDefinition({
      name: 'attack',
      rules: [{ column: 'total_orders', op: '>', value: 0 }, { sql: '1=1; drop table dim_customers' }],
    });
    const error = await engine.preview(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SegmentDefinitionError);
    expect((error as SegmentDefinitionError).problems[0]!.path).toBe('rules.all.1.sql');
  });

  it('run inside a read-only transaction', async () => {
    const engine = await SegmentEngine.open(fixture.db);
    const target = parseSegmentDefinition({
      name: 'ok',
      include_non_marketable: true,
      rules: [{ sql: 'age > 50' }],
    });
    const statements: string[] = [];
    const original = fixture.db.run.bind(fixture.db);
    fixture.db.run = async (sql, params) => {
      statements.push(sql);
      return original(sql, params);
    };
    try {
      expect((await engine.preview(target)).count).toBe(3);
    } finally {
      fixture.db.run = original;
    }
    expect(statements).toContain('begin transaction read only');
  });
});
