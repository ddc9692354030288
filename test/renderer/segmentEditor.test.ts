// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  SavedSegment,
  SegmentColumns,
  SegmentPreview,
  SegmentPreviewInput,
  SegmentSaveInput,
  SegmentValues,
} from '../../renderer/src/api/types.ts';
import { OPERATORS_BY_KIND } from '../../core/segments/operators.ts';
import type { SegmentTemplates } from '../../core/api/schemas/templates.ts';
import { parseRoute } from '../../renderer/src/shell/route.ts';
import { apiError, fakeClient } from './fixtures.ts';
import { renderApp } from './renderApp.ts';

/**
 * The rule builder and the segment editor in jsdom over a fake API: what the user does in the builder is checked
 * in the definition the editor sends to segments.preview and in the YAML it saves with segments.save.
 */

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

const column = (name: string, kind: SegmentColumns[number]['kind'], description = '') => ({
  name,
  type: kind,
  kind,
  description: description || `${name} (${kind})`,
  operators: [...OPERATORS_BY_KIND[kind]],
});

const COLUMNS: SegmentColumns = [
  column('total_orders', 'number', 'Valid orders of the customer.'),
  column('lifecycle_stage', 'string'),
  column('is_marketable', 'boolean'),
  column('first_order_date', 'date'),
  column('last_order_at', 'timestamp'),
  column('channels', 'list'),
];

const VALUES: Record<string, SegmentValues> = {
  lifecycle_stage: {
    column: 'lifecycle_stage',
    kind: 'string',
    rows: 100,
    nulls: 0,
    values: [
      { value: 'active', count: 60 },
      { value: 'lapsing', count: 40 },
    ],
    other: 0,
  },
  channels: {
    column: 'channels',
    kind: 'list',
    rows: 100,
    nulls: 0,
    values: [
      { value: 'shopify', count: 70 },
      { value: 'amazon', count: 30 },
    ],
    other: 0,
  },
  total_orders: {
    column: 'total_orders',
    kind: 'number',
    rows: 100,
    nulls: 0,
    min: 0,
    max: 42,
    quantiles: [{ q: 0.5, value: 3 }],
  },
  last_order_at: {
    column: 'last_order_at',
    kind: 'timestamp',
    rows: 100,
    nulls: 5,
    min: '2024-01-01',
    max: '2026-11-30',
    presets: [
      { days: 30, from: '2026-10-31', count: 12 },
      { days: 90, from: '2026-09-01', count: 33 },
    ],
  },
};

const SAVED_YAML = `# VIPs: hand-written, keep this comment
name: repeat_vips
description: VIPs with a second order.
klaviyo_list: Repeat VIPs
rules:
  - column: lifecycle_stage # the stage of the model
    op: "="
    value: active
  - column: total_orders
    op: ">="
    value: 2
`;
const HASH = 'a'.repeat(64);

function previewOf(input: SegmentPreviewInput): SegmentPreview {
  const rules = (input.definition?.rules ?? []) as unknown[];
  const list = Array.isArray(rules) ? rules : [rules];
  return {
    segment: String(input.definition?.name ?? input.segment),
    definitionHash: 'h',
    asOf: '2026-11-30',
    base: 1000,
    count: 100 + list.length,
    eligible: 100 + list.length,
    holdout: 0,
    share: 0.1,
    funnel: [
      { kind: 'all', label: 'all', remaining: 1000, removed: 0 },
      ...list.flatMap((rule, i) =>
        (rule as { muted?: boolean }).muted
          ? []
          : [
              {
                kind: 'rule' as const,
                label: `rule ${i}`,
                path: `rules.all.${i}`,
                remaining: 500 - i,
                removed: 10 + i,
              },
            ],
      ),
    ],
    breakdowns: [],
    overlaps: [],
    engine: { source: 'cube', mode: 'full', rows: 1000, ms: 3 },
    warnings: [],
  };
}

interface EditorFake {
  preview?: (input: SegmentPreviewInput) => Promise<SegmentPreview>;
  save?: (input: SegmentSaveInput) => Promise<SavedSegment>;
}

function editorClient(fake: EditorFake = {}) {
  const client = fakeClient();
  const record = (method: string, input: unknown) => client.calls.push({ method, input, signal: undefined });
  client.segments = {
    list: async () => ({ segments: [], problems: [] }),
    preview: async (input) => {
      record('segments.preview', input);
      return (fake.preview ?? (async (i) => previewOf(i)))(input);
    },
    get: async () => ({
      name: 'repeat_vips',
      file: 'repeat_vips.yaml',
      yaml: SAVED_YAML,
      definition: parse(SAVED_YAML) as Record<string, unknown>,
      definitionHash: 'd',
      contentHash: HASH,
    }),
    save: async (input) => {
      record('segments.save', input);
      if (fake.save) return fake.save(input);
      const definition = parse(input.yaml!) as Record<string, unknown>;
      return {
        name: String(definition.name),
        file: input.file ?? `${String(definition.name)}.yaml`,
        yaml: input.yaml!,
        definition,
        definitionHash: 'd2',
        contentHash: 'b'.repeat(64),
      };
    },
    columns: async () => COLUMNS,
    values: async (input) => {
      record('segments.values', input);
      const values = VALUES[input.column];
      if (!values) throw apiError('NOT_FOUND', `no values for ${input.column}`);
      return values;
    },
  };
  // The editor's insight panels (what-if, breakdowns, priority, members, why) are tested in
  // segmentInsights.test.ts: here their calls stay unanswered, so the panels wait and leave the builder be.
  const unanswered = () => new Promise<never>(() => undefined);
  Object.assign(client.segments, {
    diff: unanswered,
    breakdown: unanswered,
    priority: unanswered,
    members: unanswered,
    explainDraft: unanswered,
    overlaps: unanswered,
  });
  return client;
}

type Client = ReturnType<typeof editorClient>;

const previews = (client: Client) =>
  client.calls
    .filter((c) => c.method === 'segments.preview')
    .map((c) => (c.input as SegmentPreviewInput).definition)
    .filter((d): d is Record<string, unknown> => d !== undefined);
const lastRules = (client: Client) => previews(client).at(-1)?.rules as Record<string, unknown>[];
const rule = (path: string) => document.querySelector<HTMLElement>(`.rule[data-path="${path}"]`)!;
const group = (path: string) => document.querySelector<HTMLElement>(`.rule-group[data-path="${path}"]`)!;
const yamlBox = () =>
  screen.getByRole('textbox', { name: 'YAML of the segment file' }) as HTMLTextAreaElement;

async function openNew(client = editorClient()) {
  renderApp(client, { hash: '#/segments/+new' });
  await waitFor(() => expect(rule('rules.all.0')).toBeTruthy());
  await waitFor(() => expect(previews(client).length).toBeGreaterThan(0));
  return client;
}

function setSelect(container: HTMLElement, name: string, value: string) {
  fireEvent.change(within(container).getByRole('combobox', { name }), { target: { value } });
}

describe('the rule builder', () => {
  it('takes its columns, kinds and descriptions from segments.columns', async () => {
    await openNew();
    const select = within(rule('rules.all.0')).getByRole('combobox', { name: 'Column' });
    const groups = [...select.querySelectorAll('optgroup')].map((g) => [
      g.getAttribute('label'),
      [...g.querySelectorAll('option')].map((o) => o.textContent),
    ]);
    expect(groups).toEqual([
      ['Yes / no', ['is_marketable']],
      ['Numbers', ['total_orders']],
      ['Text and categories', ['lifecycle_stage']],
      ['Lists', ['channels']],
      ['Dates', ['first_order_date']],
      ['Points in time', ['last_order_at']],
    ]);
    expect(rule('rules.all.0').textContent).toContain('Valid orders of the customer.');
  });

  it.each(COLUMNS.map((c) => [c.kind, c.name] as const))(
    'offers and sends every operator of a %s column with the value shape it takes',
    async (_kind, name) => {
      const client = await openNew();
      const row = () => rule('rules.all.0');
      setSelect(row(), 'Column', name);
      const kind = COLUMNS.find((c) => c.name === name)!.kind;
      const offered = [
        ...within(row()).getByRole('combobox', { name: 'Operator' }).querySelectorAll('option'),
      ].map((o) => o.getAttribute('value'));
      expect(offered).toEqual(OPERATORS_BY_KIND[kind]);
      for (const op of OPERATORS_BY_KIND[kind]) {
        setSelect(row(), 'Operator', op);
        const fill = (label: string, value: string) =>
          fireEvent.change(within(row()).getByRole('textbox', { name: label }), { target: { value } });
        let expected: unknown;
        if (['is_null', 'is_not_null', 'is_empty', 'is_not_empty'].includes(op)) expected = undefined;
        else if (op === 'between') {
          const [lo, hi] = kind === 'number' ? ['1', '5'] : ['2026-01-01', '2026-02-01'];
          if (kind === 'number') {
            fill('From', lo!);
            fill('To', hi!);
          } else {
            fireEvent.change(row().querySelector('input[aria-label="From"]')!, { target: { value: lo } });
            fireEvent.change(row().querySelector('input[aria-label="To"]')!, { target: { value: hi } });
          }
          expected = kind === 'number' ? [1, 5] : [lo, hi];
        } else if (['within_last_days', 'more_than_days_ago', 'within_next_days'].includes(op)) {
          fireEvent.change(within(row()).getByRole('textbox', { name: 'Number of days' }), {
            target: { value: '30' },
          });
          expected = 30;
        } else if (['in', 'not_in', 'contains_any', 'contains_all'].includes(op)) {
          fill('Values', kind === 'number' ? '1, 2' : 'a, b');
          expected = kind === 'number' ? [1, 2] : ['a', 'b'];
        } else if (kind === 'boolean') {
          setSelect(row(), 'Value', 'false');
          expected = false;
        } else if (kind === 'date' || kind === 'timestamp') {
          fireEvent.change(row().querySelector('input[aria-label="Value"]')!, {
            target: { value: '2026-03-01' },
          });
          expected = '2026-03-01';
        } else {
          fill('Value', kind === 'number' ? '7' : 'x');
          expected = kind === 'number' ? 7 : 'x';
        }
        await waitFor(() =>
          expect(lastRules(client)[0], `${name} ${op}`).toEqual({
            column: name,
            op,
            ...(expected === undefined ? {} : { value: expected }),
          }),
        );
      }
    },
  );

  it('nests groups, switches AND/OR and duplicates a group with its rules', async () => {
    const client = await openNew();
    fireEvent.click(within(group('rules')).getAllByRole('button', { name: 'Add group' }).at(-1)!);
    await waitFor(() => expect(group('rules.all.1')).toBeTruthy());
    const inner = group('rules.all.1');
    fireEvent.click(within(inner).getByRole('button', { name: 'Add condition' }));
    setSelect(rule('rules.all.1.any.1'), 'Column', 'lifecycle_stage');
    fireEvent.change(within(rule('rules.all.1.any.1')).getByRole('textbox', { name: 'Value' }), {
      target: { value: 'active' },
    });
    await waitFor(() =>
      expect(lastRules(client)).toEqual([
        { column: 'total_orders', op: '>=', value: 1 },
        {
          any: [
            { column: 'total_orders', op: '>=', value: 1 },
            { column: 'lifecycle_stage', op: '=', value: 'active' },
          ],
        },
      ]),
    );
    fireEvent.change(
      within(group('rules.all.1')).getAllByRole('combobox', {
        name: 'Combine the conditions of this group',
      })[0]!,
      {
        target: { value: 'all' },
      },
    );
    fireEvent.click(within(group('rules.all.1')).getByRole('button', { name: 'Duplicate group' }));
    await waitFor(() => expect(lastRules(client)).toHaveLength(3));
    expect(lastRules(client)[1]).toEqual(lastRules(client)[2]);
    expect(Object.keys(lastRules(client)[2]!)).toEqual(['all']);
    // the copy is independent: changing it leaves the original as it was
    fireEvent.change(within(rule('rules.all.2.all.0')).getByRole('textbox', { name: 'Value' }), {
      target: { value: '9' },
    });
    await waitFor(() => expect((lastRules(client)[2] as { all: { value: number }[] }).all[0]!.value).toBe(9));
    expect((lastRules(client)[1] as { all: { value: number }[] }).all[0]!.value).toBe(1);
  });

  it('mutes a rule: it is sent and written as muted, shows as muted, and can be brought back', async () => {
    const client = await openNew();
    fireEvent.click(within(group('rules')).getAllByRole('button', { name: 'Add condition' }).at(-1)!);
    await waitFor(() => expect(rule('rules.all.1')).toBeTruthy());
    fireEvent.click(within(rule('rules.all.0')).getByRole('button', { name: 'Mute' }));
    await waitFor(() => expect(lastRules(client)[0]).toMatchObject({ muted: true }));
    expect(rule('rules.all.0').dataset.muted).toBe('true');
    expect(rule('rules.all.0').textContent).toContain('muted: not counted');
    expect(yamlBox().value).toContain('muted: true');
    // the funnel lists the muted rule where it stands, as muted, before the rule after it
    const funnel = screen.getByRole('table', { name: 'Funnel: who each step keeps' });
    await waitFor(() =>
      expect(
        within(funnel)
          .getAllByRole('row')
          .slice(1)
          .map((row) => row.textContent),
      ).toEqual(['All customers 1,0000', 'Rule total_orders >= 1muted–', 'Rule rule 149911']),
    );
    // the other rule still shows its funnel figures
    expect(rule('rules.all.1').querySelector('.rule-count')?.getAttribute('data-keeps')).toBe('499');
    fireEvent.click(within(rule('rules.all.0')).getByRole('button', { name: 'Unmute' }));
    await waitFor(() => expect(lastRules(client)[0]).not.toHaveProperty('muted'));
  });

  it('offers the values of the data: common values with counts, quantiles and date presets', async () => {
    const client = await openNew();
    const row = () => rule('rules.all.0');
    setSelect(row(), 'Column', 'channels');
    setSelect(row(), 'Operator', 'contains_any');
    const add = await within(row()).findByRole('group', { name: 'Add a common value' });
    fireEvent.click(within(add).getByRole('button', { name: /shopify/ }));
    await waitFor(() => expect(lastRules(client)[0]).toMatchObject({ value: ['shopify'] }));
    expect(within(row()).getByRole('group', { name: 'Add a common value' }).textContent).toContain('amazon');

    setSelect(row(), 'Column', 'total_orders');
    await waitFor(() =>
      expect(row().querySelector('.rule__range')?.textContent).toBe('from 0 to 42 · 50 %: 3'),
    );
    setSelect(row(), 'Column', 'lifecycle_stage');
    const common = await within(row()).findByRole('group', { name: 'Add a common value' });
    fireEvent.click(within(common).getByRole('button', { name: /lapsing/ }));
    await waitFor(() =>
      expect(lastRules(client)[0]).toEqual({ column: 'lifecycle_stage', op: '=', value: 'lapsing' }),
    );

    setSelect(row(), 'Column', 'last_order_at');
    setSelect(row(), 'Operator', 'within_last_days');
    const presets = await within(row()).findByRole('group', { name: 'Common periods' });
    fireEvent.click(within(presets).getByRole('button', { name: '90 days' }));
    await waitFor(() =>
      expect(lastRules(client)[0]).toEqual({ column: 'last_order_at', op: 'within_last_days', value: 90 }),
    );
  });

  it('shows a problem the service sends as data at its rule, with its position', async () => {
    const client = editorClient({
      preview: async (input) => {
        const rules = input.definition?.rules as { value?: unknown }[];
        if (rules[0]?.value === 'many')
          throw Object.assign(apiError('INVALID_INPUT', 'opaque message the UI must not parse'), {
            data: {
              code: 'INVALID_INPUT',
              details: {
                problems: [
                  { path: 'rules.all.0.value', message: "'many' is not a number", line: 4, column: 12 },
                ],
              },
            },
          });
        return previewOf(input);
      },
    });
    await openNew(client);
    fireEvent.change(within(rule('rules.all.0')).getByRole('textbox', { name: 'Value' }), {
      target: { value: 'many' },
    });
    const problem = await waitFor(() => {
      const found = rule('rules.all.0').querySelector('.problem');
      expect(found).toBeTruthy();
      return found!;
    });
    expect(problem.textContent).toContain("'many' is not a number");
    expect(problem.textContent).toContain('at 4:12');
    expect(document.body.textContent).not.toContain('opaque message');
  });
});

describe('the YAML view and saving', () => {
  async function openSaved(client = editorClient()) {
    renderApp(client, { hash: '#/segments/repeat_vips' });
    await waitFor(() => expect(rule('rules.all.1')).toBeTruthy());
    return client;
  }

  it('shows the file as opened, and an edit in the builder keeps its comments and keys', async () => {
    const client = await openSaved();
    expect(yamlBox().value).toBe(SAVED_YAML);
    fireEvent.change(within(rule('rules.all.1')).getByRole('textbox', { name: 'Value' }), {
      target: { value: '3' },
    });
    await waitFor(() => expect(yamlBox().value).toContain('value: 3'));
    expect(yamlBox().value).toContain('# VIPs: hand-written, keep this comment');
    expect(yamlBox().value).toContain('# the stage of the model');
    expect(yamlBox().value).toContain('klaviyo_list: Repeat VIPs');
    // the preview (debounced) is sent the same definition the YAML holds
    await waitFor(() =>
      expect(parse(yamlBox().value)).toEqual({ ...(parse(SAVED_YAML) as object), rules: lastRules(client) }),
    );
  });

  it('typing YAML moves the builder; a syntax error is shown with line:column and the builder keeps its rules', async () => {
    const client = await openSaved();
    fireEvent.change(yamlBox(), { target: { value: SAVED_YAML.replace('value: 2', 'value: 5') } });
    await waitFor(() =>
      expect(
        (within(rule('rules.all.1')).getByRole('textbox', { name: 'Value' }) as HTMLInputElement).value,
      ).toBe('5'),
    );
    await waitFor(() => expect(lastRules(client)[1]).toEqual({ column: 'total_orders', op: '>=', value: 5 }));
    fireEvent.change(yamlBox(), { target: { value: `${SAVED_YAML}  - column: [oops\n` } });
    const problem = await screen.findByText(/^line \d+:\d+$/);
    expect(problem.closest('.problem')).toBeTruthy();
    expect(rule('rules.all.1')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Save' }).hasAttribute('disabled')).toBe(true);
    // a rule added in the YAML appears in the builder
    fireEvent.change(yamlBox(), {
      target: { value: `${SAVED_YAML}  - column: channels\n    op: contains\n    value: amazon\n` },
    });
    await waitFor(() => expect(rule('rules.all.2')?.dataset.column).toBe('channels'));
  });

  it('saves the YAML with the opened file and its hash', async () => {
    const client = await openSaved();
    fireEvent.change(within(rule('rules.all.1')).getByRole('textbox', { name: 'Value' }), {
      target: { value: '4' },
    });
    await waitFor(() => expect(yamlBox().value).toContain('value: 4'));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved to segments/repeat_vips.yaml.');
    const saved = client.calls.find((c) => c.method === 'segments.save')!.input as SegmentSaveInput;
    expect(saved).toEqual({ yaml: yamlBox().value, file: 'repeat_vips.yaml', contentHash: HASH });
    expect(saved.yaml).toContain('# VIPs: hand-written, keep this comment');
  });

  it('shows a conflict (theirs and mine) instead of overwriting, and saves mine over theirs only when asked', async () => {
    const theirs = `${SAVED_YAML}# a teammate's change\n`;
    let first = true;
    const client = await openSaved(
      editorClient({
        save: async (input) => {
          if (first) {
            first = false;
            throw Object.assign(apiError('SEGMENT_CONFLICT', 'segments/repeat_vips.yaml changed on disk'), {
              data: {
                code: 'SEGMENT_CONFLICT',
                details: { file: 'repeat_vips.yaml', theirs, contentHash: 'c'.repeat(64) },
              },
            });
          }
          return {
            name: 'repeat_vips',
            file: 'repeat_vips.yaml',
            yaml: input.yaml!,
            definition: parse(input.yaml!) as Record<string, unknown>,
            definitionHash: 'd',
            contentHash: 'd'.repeat(64),
          };
        },
      }),
    );
    fireEvent.change(within(rule('rules.all.1')).getByRole('textbox', { name: 'Value' }), {
      target: { value: '4' },
    });
    await waitFor(() => expect(yamlBox().value).toContain('value: 4'));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const conflict = await screen.findByRole('alert');
    expect(conflict.textContent).toContain("# a teammate's change");
    expect(conflict.textContent).toContain('value: 4');
    const onlyTheirs = [...conflict.querySelectorAll('.conflict__side')][0]!.querySelectorAll(
      '.conflict__line--only',
    );
    expect([...onlyTheirs].map((l) => l.textContent?.trim())).toEqual(['value: 2', "# a teammate's change"]);
    fireEvent.click(screen.getByRole('button', { name: 'Save mine over it' }));
    await screen.findByText('Saved to segments/repeat_vips.yaml.');
    const saves = client.calls
      .filter((c) => c.method === 'segments.save')
      .map((c) => c.input as SegmentSaveInput);
    expect(saves.map((s) => s.contentHash)).toEqual([HASH, 'c'.repeat(64)]);
  });

  it('loads their version into the editor when the user takes theirs', async () => {
    const theirs = SAVED_YAML.replace('value: 2', 'value: 6');
    const client = await openSaved(
      editorClient({
        save: async () => {
          throw Object.assign(apiError('SEGMENT_CONFLICT', 'changed'), {
            data: {
              code: 'SEGMENT_CONFLICT',
              details: { file: 'repeat_vips.yaml', theirs, contentHash: 'e'.repeat(64) },
            },
          });
        },
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Load the version on disk' }));
    await waitFor(() => expect(yamlBox().value).toBe(theirs));
    expect(
      (within(rule('rules.all.1')).getByRole('textbox', { name: 'Value' }) as HTMLInputElement).value,
    ).toBe('6');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(client.calls.filter((c) => c.method === 'segments.save').at(-1)?.input).toMatchObject({
        contentHash: 'e'.repeat(64),
      }),
    );
  });
});

describe('"in segment" conditions, consent and expert rules', () => {
  it('"Use template" keeps the template in the route (the gallery\'s #/segments/+new?template=NAME)', () => {
    expect(parseRoute('#/segments/+new?template=vip_customers')).toEqual({
      page: 'segments',
      segment: { kind: 'new', template: 'vip_customers' },
    });
    expect(parseRoute('#/segments/+new')).toEqual({ page: 'segments', segment: { kind: 'new' } });
  });

  it('a segment from a template feeds a list named after it once renamed, not the template’s list', async () => {
    const template = `name: winback_candidates\nklaviyo_list: Winback candidates\nrules:\n  - column: total_orders\n    op: ">="\n    value: 1\n`;
    const client = editorClient();
    client.segments = {
      ...client.segments!,
      templates: async () =>
        ({
          templates: [{ name: 'winback_candidates', definition: parse(template), yaml: template }],
        }) as unknown as SegmentTemplates,
    };
    renderApp(client, { hash: '#/segments/+new?template=winback_candidates' });
    await waitFor(() => expect(previews(client).at(-1)?.klaviyo_list).toBe('Winback candidates'));
    fireEvent.change(screen.getByRole('textbox', { name: 'Name' }), { target: { value: 'winback_spring' } });
    await waitFor(() => expect(previews(client).at(-1)?.klaviyo_list).toBe('Winback spring'));
    expect(yamlBox().value).toContain('klaviyo_list: Winback spring');
    // A list typed in the YAML view is the user's: renaming no longer changes it.
    fireEvent.change(yamlBox(), {
      target: { value: yamlBox().value.replace('Winback spring', 'Spring list') },
    });
    fireEvent.change(screen.getByRole('textbox', { name: 'Name' }), { target: { value: 'winback_may' } });
    await waitFor(() => expect(previews(client).at(-1)?.name).toBe('winback_may'));
    expect(previews(client).at(-1)?.klaviyo_list).toBe('Spring list');
  });

  const listed = (...names: string[]) =>
    ({
      segments: names.map((name, i) => ({ name, description: `${name} described`, count: 100 * (i + 1) })),
      problems: [],
    }) as unknown as Awaited<ReturnType<NonNullable<Client['segments']>['list']>>;

  function clientWith(yaml: string, names: string[], fake: EditorFake = {}) {
    const client = editorClient(fake);
    client.segments = {
      ...client.segments!,
      list: async () => listed(...names),
      get: async () => ({
        name: String((parse(yaml) as { name: string }).name),
        file: 'opened.yaml',
        yaml,
        definition: parse(yaml) as Record<string, unknown>,
        definitionHash: 'd',
        contentHash: HASH,
      }),
    };
    return client;
  }

  it('adds a condition on a saved segment, switches it to "not in" and another segment, and writes it', async () => {
    const client = editorClient();
    client.segments = { ...client.segments!, list: async () => listed('vip_customers', 'winback') };
    await openNew(client);
    const add = within(group('rules')).getByRole('button', { name: 'Add segment condition' });
    await waitFor(() => expect((add as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(add);
    await waitFor(() => expect(rule('rules.all.1')).toBeTruthy());
    const row = () => rule('rules.all.1');
    const picker = within(row()).getByRole('combobox', { name: 'Segment' });
    expect([...picker.querySelectorAll('option')].map((o) => o.textContent)).toEqual([
      'vip_customers (100)',
      'winback (200)',
    ]);
    await waitFor(() => expect(lastRules(client)[1]).toEqual({ segment: 'vip_customers', op: 'in' }));
    setSelect(row(), 'In or not in the segment', 'not_in');
    setSelect(row(), 'Segment', 'winback');
    await waitFor(() => expect(lastRules(client)[1]).toEqual({ segment: 'winback', op: 'not_in' }));
    expect(parse(yamlBox().value).rules[1]).toEqual({ segment: 'winback', op: 'not_in' });
    expect(row().textContent).toContain("Customers on that segment's Klaviyo list now");
    // the funnel's figures of the rule show at it, as for a column rule
    await waitFor(() => expect(row().querySelector('.rule-count')?.getAttribute('data-keeps')).toBe('499'));
  });

  it('opens a file with an "in segment" rule, does not offer the segment itself, and shows its problem', async () => {
    const yaml =
      'name: repeat_vips\nrules:\n  - segment: vip_customers\n  - column: total_orders\n    op: ">="\n    value: 2\n';
    const client = clientWith(yaml, ['repeat_vips', 'vip_customers', 'gone_soon'], {
      preview: async (input) => {
        const first = (input.definition?.rules as { segment?: string }[] | undefined)?.[0];
        if (first?.segment === 'gone_soon')
          throw Object.assign(apiError('INVALID_INPUT', 'problems'), {
            data: {
              code: 'INVALID_INPUT',
              details: {
                problems: [
                  {
                    path: 'rules.all.0.segment',
                    message:
                      'segments are built on each other in a circle: repeat_vips → gone_soon → repeat_vips',
                  },
                ],
              },
            },
          });
        return previewOf(input);
      },
    });
    renderApp(client, { hash: '#/segments/repeat_vips' });
    await waitFor(() => expect(rule('rules.all.0')).toBeTruthy());
    const row = () => rule('rules.all.0');
    expect(row().dataset.segment).toBe('vip_customers');
    await waitFor(() =>
      expect(
        [...within(row()).getByRole('combobox', { name: 'Segment' }).querySelectorAll('option')].map((o) =>
          o.getAttribute('value'),
        ),
      ).toEqual(['vip_customers', 'gone_soon']),
    );
    expect(
      (within(row()).getByRole('combobox', { name: 'In or not in the segment' }) as HTMLSelectElement).value,
    ).toBe('in');
    await waitFor(() => expect(lastRules(client)[0]).toEqual({ segment: 'vip_customers' }));
    // the file keeps its short form (no op: = in)
    expect(yamlBox().value).toBe(yaml);
    setSelect(row(), 'Segment', 'gone_soon');
    const problem = await waitFor(() => {
      const found = row().querySelector('.problem');
      expect(found).toBeTruthy();
      return found!;
    });
    expect(problem.textContent).toContain('in a circle: repeat_vips → gone_soon → repeat_vips');
  });

  it("shows a sensitive segment's consent rule from the preview's consent step and the file", async () => {
    const yaml =
      'name: pregnancy\nsensitive: true\nconsent_column: pregnancy_opt_in\nrules:\n  - column: total_orders\n    op: ">="\n    value: 1\n';
    const client = clientWith(yaml, ['pregnancy'], {
      preview: async (input) => {
        const preview = previewOf(input);
        return {
          ...preview,
          funnel: [
            preview.funnel[0]!,
            {
              kind: 'consent',
              label: 'consent (pregnancy_opt_in)',
              column: 'pregnancy_opt_in',
              remaining: 600,
              removed: 400,
            },
            {
              kind: 'consent',
              label: 'consent (allergy_opt_in)',
              column: 'allergy_opt_in',
              remaining: 550,
              removed: 50,
            },
            ...preview.funnel.slice(1),
          ],
        };
      },
    });
    renderApp(client, { hash: '#/segments/pregnancy' });
    const note = await waitFor(() => {
      const found = document.querySelector<HTMLElement>('.consent-rule');
      expect(found).toBeTruthy();
      return found!;
    });
    expect(note.getAttribute('role')).toBe('note');
    await waitFor(() => expect(note.dataset.consent).toBe('pregnancy_opt_in,allergy_opt_in'));
    expect(note.textContent).toContain(
      'Consent rule: members need pregnancy_opt_in = true and allergy_opt_in = true.',
    );
    expect(note.textContent).toContain(
      'The file says so (sensitive: true, consent_column: pregnancy_opt_in).',
    );
    expect(note.textContent).toContain('The rules read health data');
  });

  it('shows no consent rule for a segment that needs none, and explains an expert rule as read-only', async () => {
    const yaml = 'name: quiet\nrules:\n  - sql: "clicks_90d = 0"\n';
    const client = clientWith(yaml, ['quiet']);
    renderApp(client, { hash: '#/segments/quiet' });
    await waitFor(() => expect(rule('rules.all.0')).toBeTruthy());
    await waitFor(() => expect(previews(client).length).toBeGreaterThan(0));
    expect(document.querySelector('.consent-rule')).toBeNull();
    expect(rule('rules.all.0').textContent).toContain('clicks_90d = 0');
    expect(rule('rules.all.0').textContent).toContain('Read-only by construction');
  });
});
