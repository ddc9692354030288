import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROJECT_DIR,
  loadVarDeclarations,
  resolveVars,
  type VarDeclarations,
  type Vars,
} from '../../core/models/index.ts';
import {
  catalogueFromColumns,
  compileSegment,
  listTemplates,
  parseSegmentYaml,
  SegmentDefinitionError,
  SqlParams,
} from '../../core/segments/index.ts';
import { hardCodedVarProblems } from '../../core/segments/varRefs.ts';

const columns = [
  { name: 'customer_id', type: 'VARCHAR' },
  { name: 'is_marketable', type: 'BOOLEAN' },
  { name: 'total_orders', type: 'BIGINT' },
  { name: 'days_since_last_order', type: 'BIGINT' },
  { name: 'next_replenishment_date', type: 'DATE' },
];

function compile(yaml: string, vars: Vars) {
  const params = new SqlParams();
  const compiled = compileSegment(parseSegmentYaml(yaml, 'segments/probe.yaml'), {
    catalogue: catalogueFromColumns(columns, '2026-06-30', null, 'dim_customers', vars),
    params,
    expertSql: new Map(),
    segmentRef: () => undefined,
    holdoutBucketSql: 'holdout_bucket',
  });
  return { compiled, values: params.values };
}

const WINBACK_VAR = `name: probe
rules:
  - column: total_orders
    op: '>='
    value: 1
  - column: days_since_last_order
    op: between
    value: [{var: winback_early_days}, 400]
`;

describe('a model variable in a segment rule ({var: name})', () => {
  it('takes the value in effect, so the segment follows the model when the variable changes', () => {
    expect(compile(WINBACK_VAR, { winback_early_days: 60 }).values).toEqual([1, 60, 400]);
    const edited = compile(WINBACK_VAR, { winback_early_days: 45 });
    expect(edited.values).toEqual([1, 45, 400]);
    expect(edited.compiled.rules.children[1]!.label).toBe('days_since_last_order between 45 and 400');
  });

  it('is reported with file and line when no such variable exists', () => {
    const error = (() => {
      try {
        compile(WINBACK_VAR.replace('winback_early_days', 'winback_erly_days'), { winback_early_days: 60 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SegmentDefinitionError);
    expect((error as Error).message).toMatch(
      /segments\/probe\.yaml:8:13: rules\.1\.value\.0: 'winback_erly_days' is not a model variable with a value; variables \(sql\/vars\.yml\): winback_early_days/,
    );
  });

  it('must name a variable', () => {
    expect(() => parseSegmentYaml(WINBACK_VAR.replace('{var: winback_early_days}', '{var: 60}'))).toThrow(
      /rules\.1\.value: a value is a string, a number, true\/false, a model variable \{var: name\}/,
    );
  });
});

const declarations: VarDeclarations = new Map([
  [
    'winback_early_days',
    {
      type: 'integer' as const,
      min: 1,
      default: 60,
      description: 'Days since the last order from which a buyer is a winback candidate.',
      columns: ['days_since_last_order'],
    },
  ],
]);

const OLD_TEMPLATE = `# copied by an older version
name: winback_candidates
rules:
  - column: total_orders
    op: '>='
    value: 1
  - column: days_since_last_order
    op: '>='
    value: 60
`;

describe('c360 segments validate on templates copied by older versions', () => {
  it('flags a number that repeats a model variable and gives the fix, with file and line', () => {
    const problems = hardCodedVarProblems(
      parseSegmentYaml(OLD_TEMPLATE, 'segments/winback_candidates.yaml'),
      declarations,
      { winback_early_days: 60 },
    );
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'segments/winback_candidates.yaml',
        line: 9,
        path: 'rules.1.value',
        message: expect.stringMatching(
          /days_since_last_order >= 60 repeats the model variable winback_early_days .*; write value: \{var: winback_early_days\}/,
        ),
      }),
    ]);
  });

  it('leaves a deliberate override and a variable alone', () => {
    const vars = { winback_early_days: 60 };
    const override = parseSegmentYaml(OLD_TEMPLATE.replace('value: 60', 'value: 45'));
    const variable = parseSegmentYaml(OLD_TEMPLATE.replace('value: 60', 'value: {var: winback_early_days}'));
    expect(hardCodedVarProblems(override, declarations, vars)).toEqual([]);
    expect(hardCodedVarProblems(variable, declarations, vars)).toEqual([]);
  });

  it('finds nothing to flag in the shipped templates', async () => {
    const shipped = await loadVarDeclarations(DEFAULT_PROJECT_DIR);
    const defaults = resolveVars(shipped, []);
    for (const template of await listTemplates())
      expect(hardCodedVarProblems(template, shipped!, defaults)).toEqual([]);
  });
});
