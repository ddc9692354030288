import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT_DIR, loadProject } from '../../core/models/index.ts';
import {
  catalogueFromColumns,
  compileSegment,
  healthTagsOf,
  healthUse,
  parseSegmentDefinition,
  SegmentDefinitionError,
  SegmentEngine,
  sensitivityWarnings,
  SqlParams,
  type Catalogue,
  type HealthTags,
  type SegmentDefinitionInput,
} from '../../core/segments/index.ts';
import { openFixture, type Fixture } from './fixtureShop.ts';

/** Health data is tagged in the model docs (sql/models/marts/_marts.yml); segments that read it need consent. */

let shipped: HealthTags;
let fixture: Fixture;
let engine: SegmentEngine;

beforeAll(async () => {
  shipped = healthTagsOf((await loadProject(DEFAULT_PROJECT_DIR)).nodes.get('dim_customers'));
  fixture = await openFixture();
  engine = await SegmentEngine.open(fixture.db, { projectDir: DEFAULT_PROJECT_DIR });
});
afterAll(async () => fixture.close());

const COLUMNS = [
  { name: 'customer_id', type: 'VARCHAR' },
  { name: 'is_marketable', type: 'BOOLEAN' },
  { name: 'total_orders', type: 'BIGINT' },
  { name: 'lifecycle_stage', type: 'VARCHAR' },
  { name: 'preferred_categories', type: 'VARCHAR[]' },
  { name: 'bought_categories', type: 'VARCHAR[]' },
  { name: 'has_bought_pregnancy_products', type: 'BOOLEAN' },
  { name: 'has_bought_allergy_products', type: 'BOOLEAN' },
  { name: 'pregnancy_opt_in', type: 'BOOLEAN' },
  { name: 'allergy_opt_in', type: 'BOOLEAN' },
];

function catalogueWith(health: HealthTags): Catalogue {
  return { ...catalogueFromColumns(COLUMNS, '2026-06-30'), health };
}

function define(rules: SegmentDefinitionInput['rules'], extra: Partial<SegmentDefinitionInput> = {}) {
  return parseSegmentDefinition({ name: 'probe', rules, ...extra });
}

const use = (
  rules: SegmentDefinitionInput['rules'],
  extra: Partial<SegmentDefinitionInput> = {},
  expertSql: Parameters<typeof healthUse>[2] = new Map(),
) => healthUse(define(rules, extra).definition, catalogueWith(shipped), expertSql);

function compile(catalogue: Catalogue, rules: SegmentDefinitionInput['rules']) {
  return compileSegment(define(rules), {
    catalogue,
    params: new SqlParams(),
    expertSql: new Map(),
    segmentRef: () => undefined,
    holdoutBucketSql: 'holdout_bucket',
  });
}

describe('health data is tagged in the model docs', () => {
  it('tags pregnancy purchases, the opt-in and the category Schwangerschaft, with pregnancy_opt_in as consent', () => {
    expect([...shipped.columns.keys()].sort()).toEqual(['has_bought_pregnancy_products', 'pregnancy_opt_in']);
    expect([...shipped.values.keys()].sort()).toEqual(['bought_categories', 'preferred_categories']);
    expect([...shipped.values.get('preferred_categories')!.keys()]).toEqual(['schwangerschaft']);
    expect(shipped.consent.get('health')).toBe('pregnancy_opt_in');
  });

  it('a shop tags more health data by editing the YAML only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'c360-tags-'));
    try {
      await cp(DEFAULT_PROJECT_DIR, dir, { recursive: true });
      const file = join(dir, 'models', 'marts', '_marts.yml');
      const yaml = (await readFile(file, 'utf8'))
        .replace(
          '      health: pregnancy_opt_in\n',
          '      health: pregnancy_opt_in\n      allergy: allergy_opt_in\n',
        )
        .replace(
          '        description: Bought an allergy-season product (season allergy).\n',
          '        description: Bought an allergy-season product (season allergy).\n        tags: [allergy]\n',
        );
      await writeFile(file, yaml);
      const tags = healthTagsOf((await loadProject(dir)).nodes.get('dim_customers'));
      expect(tags.columns.get('has_bought_allergy_products')).toEqual(['allergy']);
      const compiled = compile(catalogueWith(tags), [
        { column: 'has_bought_allergy_products', op: '=', value: true },
      ]);
      expect(compiled.steps.filter((s) => s.kind === 'consent').map((s) => s.label)).toEqual([
        'consent (allergy_opt_in)',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a tag that is not sensitive (no consent column, not health) changes nothing', () => {
    const tags = healthTagsOf({
      columns: [{ name: 'total_orders', description: 'x', tags: ['finance'] }],
    });
    expect(tags.columns.size).toBe(0);
  });
});

describe('a segment that reads tagged data is sensitive whatever its file says', () => {
  it.each([
    ['a tagged column', [{ column: 'has_bought_pregnancy_products', op: '=', value: true }]],
    ['the opt-in itself', [{ column: 'pregnancy_opt_in', op: '=', value: true }]],
    [
      'a tagged value in a list',
      [{ column: 'bought_categories', op: 'contains_any', value: ['Schwangerschaft'] }],
    ],
    [
      'a tagged value in another case',
      [{ column: 'preferred_categories', op: 'contains', value: 'schwangerschaft' }],
    ],
    [
      'a rule inside any',
      [
        {
          any: [
            { column: 'total_orders', op: '>', value: 5 },
            { column: 'has_bought_pregnancy_products', op: '=', value: true },
          ],
        },
      ],
    ],
  ] as const)('%s', (_, rules) => {
    const found = use([...rules] as never);
    expect(found.sensitive).toBe(true);
    expect(found.consentColumns).toEqual(['pregnancy_opt_in']);
    const compiled = compile(catalogueWith(shipped), [...rules] as never);
    expect(compiled.steps.map((s) => s.kind)).toContain('consent');
    expect(compiled.eligibleSql).toContain('"pregnancy_opt_in"');
  });

  it('expert SQL that reads a tagged column or quotes a tagged value', () => {
    const sql = "list_contains(preferred_categories, 'Schwangerschaft')";
    const checked = new Map([[sql, { source: sql, canonical: sql, columns: ['preferred_categories'] }]]);
    expect(use([{ sql }], {}, checked).reads.map((r) => r.what)).toEqual([
      'preferred_categories = schwangerschaft',
    ]);
    const other = "list_contains(preferred_categories, 'Schlaf')";
    const plain = new Map([[other, { source: other, canonical: other, columns: ['preferred_categories'] }]]);
    expect(use([{ sql: other }], {}, plain).sensitive).toBe(false);
  });

  it('a property it sends makes it sensitive too; other categories do not', () => {
    const rules = [{ column: 'total_orders', op: '>', value: 1 }] as const;
    expect(use([...rules]).sensitive).toBe(false);
    expect(use([...rules], { properties: ['has_bought_pregnancy_products'] }).sensitive).toBe(true);
    expect(use([{ column: 'preferred_categories', op: 'contains', value: 'Schlaf' }]).sensitive).toBe(false);
  });

  it('tagged data without a consent column in the docs cannot be compiled', () => {
    const tags = healthTagsOf({
      columns: [{ name: 'has_bought_pregnancy_products', description: 'x', tags: ['health'] }],
    });
    expect(() =>
      compile(catalogueWith(tags), [{ column: 'has_bought_pregnancy_products', op: '=', value: true }]),
    ).toThrow(SegmentDefinitionError);
    expect(() =>
      compile(catalogueWith(tags), [{ column: 'has_bought_pregnancy_products', op: '=', value: true }]),
    ).toThrow(/name no consent column for it; add consent_columns: \{ health: <opt-in column> \}/);
  });
});

describe('membership, validate and preview on the hand-checked shop', () => {
  // c03, c06, c08 are marketable pregnancy buyers; c08 has not opted in.
  it('an unmarked pregnancy segment keeps only customers with pregnancy_opt_in', async () => {
    const preview = await engine.preview(
      define([{ column: 'has_bought_pregnancy_products', op: '=', value: true }]),
      { sample: 10, sampleColumns: ['customer_id'] },
    );
    expect(preview.sample?.rows.map((r) => r.customer_id)).toEqual(['c03', 'c06']);
    expect(preview.warnings).toEqual([
      'probe: reads health data (has_bought_pregnancy_products), so it is sensitive whatever its file says: ' +
        'only customers with pregnancy_opt_in = true are members, and the list sync asks for approval ' +
        '(--approve) before publishing it. Write sensitive: true and consent_column: pregnancy_opt_in in the file to say so.',
    ]);
  });

  it('a tagged category value needs the consent, other categories do not', async () => {
    const count = async (value: string[]) =>
      (
        await engine.preview(
          define([{ column: 'preferred_categories', op: 'contains_any', value }], {
            include_non_marketable: true,
          }),
        )
      ).count;
    expect(await count(['Schlaf'])).toBe(3); // c01, c02, c08
    expect(await count(['Schlaf', 'Schwangerschaft'])).toBe(1); // only c06 opted in
  });

  it('a segment marked sensitive with the tag consent column gets no warning', async () => {
    const marked = define([{ column: 'has_bought_pregnancy_products', op: '=', value: true }], {
      sensitive: true,
      consent_column: 'pregnancy_opt_in',
    });
    expect(sensitivityWarnings(marked, engine.set)).toEqual([]);
    expect((await engine.preview(marked)).count).toBe(2);
  });
});
