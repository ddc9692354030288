import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  definitionHash,
  formatProblem,
  listTemplates,
  loadSegmentFolder,
  parseSegmentDefinition,
  parseSegmentYaml,
  SegmentDefinitionError,
  type SegmentProblem,
} from '../../core/segments/index.ts';

function problemsOfYaml(text: string, file = 'segments/probe.yaml'): SegmentProblem[] {
  try {
    parseSegmentYaml(text, file);
  } catch (error) {
    if (error instanceof SegmentDefinitionError) return error.problems;
    throw error;
  }
  return [];
}

const VALID = `name: winback_early
description: Early winback
rules:
  - column: days_since_last_order
    op: between
    value: [60, 90]
`;

describe('segment YAML files', () => {
  it('parse into a definition with defaults, a list of rules meaning all of them', () => {
    const { definition } = parseSegmentYaml(VALID, 'x.yaml');
    expect(definition).toMatchObject({
      name: 'winback_early',
      rules: { all: [{ column: 'days_since_last_order', op: 'between', value: [60, 90] }] },
      exclude: [],
      holdout_percent: 0,
      sensitive: false,
      include_non_marketable: false,
      properties: [],
    });
  });

  it('accept the operator spellings people type', () => {
    const ops = ['≠', '<>', '≤', '≥', '==', 'not in', 'IS NULL', 'is not null', 'within last days'];
    const parsed = ops.map(
      (op) =>
        (
          parseSegmentDefinition({ name: 'x', rules: [{ column: 'a', op }] }).definition.rules as {
            all: { op: string }[];
          }
        ).all[0]!.op,
    );
    expect(parsed).toEqual([
      '!=',
      '!=',
      '<=',
      '>=',
      '=',
      'not_in',
      'is_null',
      'is_not_null',
      'within_last_days',
    ]);
  });

  it('point a YAML syntax error at its line', () => {
    const [problem] = problemsOfYaml('name: x\nrules:\n  - column: a\n   op: "=\n');
    expect(problem?.file).toBe('segments/probe.yaml');
    expect(problem?.line).toBeGreaterThanOrEqual(3);
    expect(problem?.message).toMatch(/not valid YAML/);
  });

  it('point a wrong operator at its line and path and list the allowed ones', () => {
    const problems = problemsOfYaml(VALID.replace('op: between', 'op: greater'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'segments/probe.yaml', line: 5, path: 'rules.0.op' });
    expect(problems[0]!.message).toMatch(/'greater' is not an operator; allowed: =, !=, <, <=/);
    expect(formatProblem(problems[0]!)).toMatch(/^segments\/probe\.yaml:5:\d+: rules\.0\.op: 'greater'/);
  });

  it('name unknown keys and say what a rule may look like', () => {
    const problems = problemsOfYaml(`name: x
holdout: 10
rules:
  - colum: total_orders
    op: '>'
    value: 1
`);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath['rules.0']).toMatch(
      /unknown rule with keys colum, op, value; a rule is \{column, op, value\}/,
    );
    expect(byPath['']).toMatch(/Unrecognized key.*holdout/);
  });

  it('report problems deep inside nested groups', () => {
    const problems = problemsOfYaml(`name: x
rules:
  any:
    - column: a
      op: '='
      value: 1
    - all: []
    - 42
`);
    expect(problems.map((p) => p.path)).toEqual(['rules.any.1.all', 'rules.any.2']);
    expect(problems[0]!.message).toMatch(/all needs at least one rule/);
    expect(problems[1]!.message).toMatch(/expected a rule, got number 42/);
  });

  it('check the segment-level options', () => {
    const messages = (yaml: string) => problemsOfYaml(yaml).map((p) => `${p.path}: ${p.message}`);
    expect(messages(`${VALID}sensitive: true\n`)).toEqual([
      'consent_column: a sensitive segment needs consent_column: the boolean column that records the opt-in (e.g. pregnancy_opt_in)',
    ]);
    expect(messages(`${VALID}priority_group: lifecycle\n`)[0]).toMatch(
      /^priority: a segment in priority_group/,
    );
    expect(messages(`${VALID}holdout_percent: 80\n`)[0]).toMatch(
      /^holdout_percent: holdout_percent is between 0 and 50/,
    );
    expect(messages(VALID.replace('winback_early', 'Winback Early'))[0]).toMatch(
      /^name: use lower-case letters/,
    );
    expect(messages(`${VALID}exclude: [winback_early]\n`)).toEqual([
      'exclude: a segment cannot exclude itself',
    ]);
  });

  it('hash the meaning of a definition, not its formatting', () => {
    const a = parseSegmentYaml(VALID).definition;
    const b = parseSegmentYaml(`rules: [{value: [60, 90], op: between, column: days_since_last_order}]
description: Early winback
name: winback_early
`).definition;
    expect(definitionHash(a)).toBe(definitionHash(b));
    expect(definitionHash(a)).not.toBe(
      definitionHash(parseSegmentYaml(VALID.replace('90', '91')).definition),
    );
  });

  it('parse again from their stored JSON form', () => {
    const { definition } = parseSegmentYaml(VALID);
    expect(parseSegmentDefinition(JSON.parse(JSON.stringify(definition))).definition).toEqual(definition);
  });
});

describe('the segments folder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'c360-segdef-'));
    await writeFile(join(dir, 'a.yaml'), VALID);
    await writeFile(join(dir, 'b.yaml'), VALID);
    await writeFile(join(dir, 'broken.yml'), 'name: [');
    await writeFile(join(dir, 'notes.txt'), 'not a segment');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('loads the good files and reports broken and duplicate ones', async () => {
    const folder = await loadSegmentFolder(dir);
    expect(folder.segments.map((s) => s.definition.name)).toEqual(['winback_early']);
    expect(folder.problems.map((p) => [p.file?.split('/').at(-1), p.path])).toEqual([
      ['b.yaml', 'name'],
      ['broken.yml', ''],
    ]);
    expect(folder.problems[0]!.message).toMatch(/already used by a\.yaml/);
  });
});

describe('the built-in templates', () => {
  it("cover the concept's segments and all parse", async () => {
    const names = (await listTemplates()).map((t) => t.definition.name);
    expect(names).toEqual([
      'advent_calendar_buyers',
      'allergy_season_buyers',
      'cold_season_buyers',
      'cross_channel_customers',
      'high_value_at_risk',
      'new_customers',
      'pregnancy_journey',
      'replenishment',
      'sleep_routine',
      'upsell_candidates',
      'vip_customers',
      'winback_candidates',
    ]);
  });

  it('mark the pregnancy journey sensitive with its opt-in column', async () => {
    const pregnancy = (await listTemplates()).find((t) => t.definition.name === 'pregnancy_journey')!;
    expect(pregnancy.definition).toMatchObject({ sensitive: true, consent_column: 'pregnancy_opt_in' });
  });
});
