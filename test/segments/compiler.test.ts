import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catalogueFromColumns,
  compileSegment,
  parseSegmentDefinition,
  SegmentDefinitionError,
  SegmentEngine,
  SqlParams,
  type CompileContext,
  type SegmentDefinitionInput,
} from '../../core/segments/index.ts';
import { openFixture, type Fixture } from './fixtureShop.ts';

let fixture: Fixture;
let engine: SegmentEngine;

beforeAll(async () => {
  fixture = await openFixture();
  engine = await SegmentEngine.open(fixture.db);
});
afterAll(async () => fixture.close());

type Rules = SegmentDefinitionInput['rules'];

async function count(rules: Rules, extra: Partial<SegmentDefinitionInput> = {}): Promise<number> {
  const target = parseSegmentDefinition({ name: 'probe', include_non_marketable: true, rules, ...extra });
  return (await engine.preview(target)).count;
}

const catalogue = catalogueFromColumns(
  [
    { name: 'customer_id', type: 'VARCHAR' },
    { name: 'total_orders', type: 'BIGINT' },
    {
      name: 'lifecycle_stage',
      type: 'VARCHAR',
      values: ['prospect', 'new', 'active', 'at_risk', 'lapsing', 'churned'],
    },
    { name: 'is_marketable', type: 'BOOLEAN' },
    { name: 'last_order_at', type: 'TIMESTAMP' },
    { name: 'next_replenishment_date', type: 'DATE' },
    { name: 'preferred_categories', type: 'VARCHAR[]' },
    { name: 'source_ids', type: 'STRUCT(a INTEGER)' },
  ],
  '2026-06-30',
);

function compile(rules: Rules, extra: Partial<SegmentDefinitionInput> = {}) {
  const params = new SqlParams();
  const ctx: CompileContext = {
    catalogue,
    params,
    expertSql: new Map(),
    segmentRef: () => undefined,
    holdoutBucketSql: 'holdout_bucket',
  };
  const compiled = compileSegment(parseSegmentDefinition({ name: 'probe', rules, ...extra }), ctx);
  return { compiled, values: params.values };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof SegmentDefinitionError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('number operators count the hand-checked customers', () => {
  it.each([
    ['=', 2, 2],
    ['!=', 2, 8],
    ['<', 2, 4],
    ['<=', 2, 6],
    ['>', 4, 2],
    ['>=', 4, 3],
  ] as const)('total_orders %s %d matches %d customers', async (op, value, expected) => {
    expect(await count([{ column: 'total_orders', op, value }])).toBe(expected);
  });

  it('between is inclusive at both ends', async () => {
    expect(await count([{ column: 'lifetime_revenue', op: 'between', value: [90.5, 400] }])).toBe(4);
  });

  it('in and not in match listed values; not in keeps customers without a value', async () => {
    expect(await count([{ column: 'total_orders', op: 'in', value: [1, 7] }])).toBe(3);
    expect(await count([{ column: 'total_orders', op: 'not_in', value: [0] }])).toBe(8);
    expect(await count([{ column: 'winback_stage', op: 'not in', value: ['final'] }])).toBe(8);
  });

  it('≠ keeps customers without a value, is null / is not null split them', async () => {
    expect(await count([{ column: 'days_since_last_order', op: '≠', value: 60 }])).toBe(9);
    expect(await count([{ column: 'days_since_last_order', op: 'is_null' }])).toBe(2);
    expect(await count([{ column: 'days_since_last_order', op: 'is not null' }])).toBe(8);
  });

  it('a comparison with an empty value does not hold', async () => {
    expect(await count([{ column: 'age', op: '<', value: 30 }])).toBe(2);
  });
});

describe('text, boolean and list operators', () => {
  it('compares text exactly and contains ignores case', async () => {
    expect(await count([{ column: 'winback_stage', op: '=', value: 'early' }])).toBe(2);
    expect(await count([{ column: 'winback_stage', op: '!=', value: 'early' }])).toBe(8);
    expect(await count([{ column: 'winback_stage', op: 'in', value: ['mid', 'late'] }])).toBe(2);
    expect(await count([{ column: 'email', op: 'contains', value: 'C0' }])).toBe(8);
    expect(await count([{ column: 'email', op: 'contains', value: '10@' }])).toBe(1);
  });

  it('compares booleans', async () => {
    expect(await count([{ column: 'is_marketable', op: '=', value: false }])).toBe(2);
    expect(await count([{ column: 'pregnancy_opt_in', op: '=', value: true }])).toBe(3);
    expect(await count([{ column: 'pregnancy_opt_in', op: '!=', value: true }])).toBe(7);
  });

  it('tests list columns for one, any or all elements and emptiness', async () => {
    expect(await count([{ column: 'preferred_categories', op: 'contains', value: 'Schlaf' }])).toBe(3);
    expect(
      await count([{ column: 'preferred_categories', op: 'contains_any', value: ['Immun', 'Allergie'] }]),
    ).toBe(4);
    expect(
      await count([{ column: 'preferred_categories', op: 'contains_all', value: ['Immun', 'Schlaf'] }]),
    ).toBe(1);
    expect(await count([{ column: 'preferred_categories', op: 'is_empty' }])).toBe(2);
    expect(await count([{ column: 'preferred_categories', op: 'is_not_empty' }])).toBe(8);
  });
});

describe('date operators count whole calendar days from the build as_of', () => {
  it('within the last N days includes day N', async () => {
    expect(await count([{ column: 'last_order_at', op: 'within_last_days', value: 30 }])).toBe(1);
    expect(await count([{ column: 'last_order_at', op: 'within_last_days', value: 45 }])).toBe(2);
    expect(await count([{ column: 'last_order_at', op: 'within_last_days', value: 44 }])).toBe(1);
  });

  it('more than N days ago excludes day N', async () => {
    expect(await count([{ column: 'last_order_at', op: 'more_than_days_ago', value: 100 }])).toBe(3);
    expect(await count([{ column: 'last_order_at', op: 'more_than_days_ago', value: 99 }])).toBe(4);
  });

  it('within the next N days looks forward from as_of (dates)', async () => {
    expect(await count([{ column: 'next_replenishment_date', op: 'within_next_days', value: 14 }])).toBe(2);
    expect(await count([{ column: 'next_replenishment_date', op: 'within_last_days', value: 14 }])).toBe(1);
  });

  it.each([
    ['=', 1],
    ['!=', 9],
    ['<', 4],
    ['<=', 5],
    ['>', 3],
    ['>=', 4],
  ] as const)('last_order_at %s 2026-04-16 compares whole days: %d', async (op, expected) => {
    expect(await count([{ column: 'last_order_at', op, value: '2026-04-16' }])).toBe(expected);
  });

  it('between two dates includes both days', async () => {
    expect(
      await count([{ column: 'last_order_at', op: 'between', value: ['2026-04-16', '2026-05-16'] }]),
    ).toBe(3);
    expect(await count([{ column: 'next_replenishment_date', op: '=', value: '2026-07-10' }])).toBe(1);
  });
});

describe('groups, expert rules and segment options', () => {
  it('combines nested AND / OR groups', async () => {
    expect(
      await count({
        any: [
          { column: 'age', op: '>=', value: 60 },
          { column: 'gender', op: '=', value: 'diverse' },
        ],
      }),
    ).toBe(3);
    expect(
      await count([
        { column: 'channels_count', op: '=', value: 2 },
        {
          any: [
            { column: 'customer_value_tier', op: '=', value: 'vip' },
            { column: 'lifetime_revenue', op: '>', value: 200 },
          ],
        },
      ]),
    ).toBe(3);
  });

  it('runs a checked expert rule', async () => {
    expect(await count([{ sql: "age between 30 and 50 and gender = 'female'" }])).toBe(2);
  });

  it('requires is_marketable unless the segment opts out', async () => {
    const target = parseSegmentDefinition({
      name: 'm',
      rules: [{ column: 'total_orders', op: '=', value: 1 }],
    });
    expect((await engine.preview(target)).count).toBe(1);
    expect(await count([{ column: 'total_orders', op: '=', value: 1 }])).toBe(2);
  });

  it('keeps a sensitive segment to customers whose consent column is true', async () => {
    const rules = [{ column: 'has_bought_pregnancy_products', op: '=', value: true }] as const;
    expect(await count([...rules], { include_non_marketable: false })).toBe(3);
    expect(
      await count([...rules], {
        include_non_marketable: false,
        sensitive: true,
        consent_column: 'pregnancy_opt_in',
      }),
    ).toBe(2);
  });
});

describe('compiled SQL binds every value and quotes only catalogue identifiers', () => {
  it('puts values in parameters, never in the SQL text', () => {
    const attack = "x'); drop table dim_customers; --";
    const { compiled, values } = compile([
      { column: 'lifecycle_stage', op: 'in', value: ['new', 'active'] },
      { column: 'preferred_categories', op: 'contains', value: attack },
    ]);
    const sql = compiled.steps.map((s) => s.sql).join(' ');
    expect(sql).not.toContain('drop');
    expect(sql).not.toContain("'new'");
    expect(values).toEqual(['new', 'active', attack]);
    expect(sql).toContain('"lifecycle_stage" in ($1::VARCHAR, $2::VARCHAR)');
    expect(sql).toContain('list_contains("preferred_categories", $3::VARCHAR)');
  });

  it('rejects a column name that is not in the catalogue, however it is spelled', () => {
    for (const column of [
      'total_orders; drop table dim_customers',
      'total_orders"',
      '"total_orders"',
      'c360.segment_members',
    ])
      expect(problemsOf(() => compile([{ column, op: '=', value: 1 }]))[0]).toMatch(
        /^rules\.all\.0\.column: '.*' is not a column of dim_customers/,
      );
  });

  it('suggests close column names', () => {
    expect(problemsOf(() => compile([{ column: 'totalorders', op: '>', value: 1 }]))[0]).toMatch(
      /did you mean total_orders/,
    );
  });

  it('says which operators a column type allows', () => {
    expect(problemsOf(() => compile([{ column: 'lifecycle_stage', op: '>', value: 'new' }]))).toEqual([
      "rules.all.0.op: '>' does not apply to lifecycle_stage (string; values: prospect, new, active, at_risk, lapsing, churned); allowed: =, !=, in, not_in, contains, is_null, is_not_null",
    ]);
    expect(problemsOf(() => compile([{ column: 'source_ids', op: '=', value: 'x' }]))[0]).toMatch(
      /allowed: is_null, is_not_null/,
    );
  });

  it('checks values against the column type and documented values', () => {
    expect(problemsOf(() => compile([{ column: 'total_orders', op: '>=', value: 'five' }]))).toEqual([
      "rules.all.0.value: total_orders is a number column; 'five' is not a number",
    ]);
    expect(problemsOf(() => compile([{ column: 'lifecycle_stage', op: '=', value: 'actve' }]))[0]).toMatch(
      /'actve' is not a value of lifecycle_stage; values: prospect, new/,
    );
    expect(problemsOf(() => compile([{ column: 'last_order_at', op: '<', value: '31.01.2026' }]))[0]).toMatch(
      /YYYY-MM-DD/,
    );
    expect(problemsOf(() => compile([{ column: 'total_orders', op: 'between', value: [9, 1] }]))[0]).toMatch(
      /low value must not exceed the high value/,
    );
    expect(
      problemsOf(() => compile([{ column: 'last_order_at', op: 'within_last_days', value: -3 }]))[0],
    ).toMatch(/whole number of days/);
    expect(problemsOf(() => compile([{ column: 'is_marketable', op: 'is_null', value: true }]))[0]).toMatch(
      /takes no value/,
    );
    expect(problemsOf(() => compile([{ column: 'total_orders', op: 'in', value: 3 }]))[0]).toMatch(
      /needs a list/,
    );
  });

  it('reports every problem of a definition at once, with its path', () => {
    const problems = problemsOf(() =>
      compile(
        [
          { column: 'nope', op: '=', value: 1 },
          { any: [{ column: 'total_orders', op: 'contains', value: 'x' }] },
        ],
        {
          properties: ['winback_stagee'],
        },
      ),
    );
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'rules.all.0.column',
      'rules.all.1.any.0.op',
      'properties.0.column',
    ]);
  });

  it('writes the holdout as integers computed from the segment name', () => {
    const { compiled } = compile([{ column: 'total_orders', op: '>', value: 0 }], { holdout_percent: 12.5 });
    const holdout = compiled.steps.at(-1)!;
    expect(holdout.kind).toBe('holdout');
    expect(holdout.sql).toMatch(/^\(\(holdout_bucket \+ \d+\) % 10000 >= 1250\)$/);
    expect(compiled.eligibleSql).not.toContain('holdout_bucket');
  });
});
