// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  SegmentDiff,
  SegmentDiffInput,
  SegmentExplainDraftInput,
  SegmentMembers,
  SegmentMembersInput,
  SegmentOverlaps,
  SegmentPriority,
} from '../../core/api/schemas/segmentInsights.ts';
import type { SegmentExplanation, SegmentPreview } from '../../core/api/schemas/segments.ts';
import { ClientProvider } from '../../renderer/src/api/clientContext.tsx';
import type { C360Client, CallOptions } from '../../renderer/src/api/types.ts';
import { createI18n, type AnyLanguage } from '../../renderer/src/i18n/index.ts';
import { SegmentInsights } from '../../renderer/src/pages/segments/insights/SegmentInsights.tsx';
import { customerName } from '../../renderer/src/pages/segments/insights/CustomerLink.tsx';
import { binLabel, valueLabel } from '../../renderer/src/pages/segments/insights/breakdownLabels.ts';
import { fitLabel, labelColumn } from '../../renderer/src/pages/segments/insights/InsightBars.tsx';
import { createFormatters } from '../../renderer/src/format/format.ts';
import { findUntranslated } from '../e2e/untranslated.ts';
import { fakeClient } from './fixtures.ts';
import { plain } from './renderApp.ts';

/**
 * <SegmentInsights> with a fake client (hand-made answers in the shapes of core/api/schemas/segmentInsights.ts):
 * what it asks for, what it shows in English and German, where its links go, and that an edit aborts the
 * insight requests of the definition before.
 */

class NoopResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

afterEach(() => cleanup());

/** jsdom renders the charts slowly on a busy machine. */
const SLOW = { timeout: 8000 };

const definition = (threshold: number) => ({
  name: 'valuable',
  rules: [{ column: 'lifetime_revenue', op: '>=', value: threshold }],
});

const preview: SegmentPreview = {
  segment: 'valuable',
  definitionHash: 'h',
  asOf: '2026-06-30',
  base: 10,
  count: 4,
  eligible: 4,
  holdout: 0,
  share: 0.4,
  funnel: [],
  breakdowns: [
    {
      column: 'lifecycle_stage',
      values: [
        { value: 'at_risk', count: 3, share: 0.75 },
        { value: 'active', count: 1, share: 0.25 },
      ],
      other: 0,
    },
    {
      column: 'winback_stage',
      values: [
        { value: 'early', count: 2, share: 0.5 },
        { value: 'archived', count: 2, share: 0.5 },
      ],
      other: 0,
    },
  ],
  overlaps: [{ segment: 'loyal', size: 3, overlap: 2, jaccard: 0.4 }],
  engine: { source: 'base', mode: 'full', rows: 10, ms: 3 },
  warnings: [],
};

/** The draft, a saved segment with a long name, and one it shares no one with. */
const matrix: SegmentOverlaps = {
  segments: [
    { name: 'valuable', size: 4, isDraft: true },
    { name: 'cross_channel_customers_with_a_long_name', size: 3, isDraft: false },
    { name: 'prospects', size: 5, isDraft: false },
  ],
  pairs: [
    { a: 0, b: 1, overlap: 2, jaccard: 0.4 },
    { a: 0, b: 2, overlap: 0, jaccard: 0 },
    { a: 1, b: 2, overlap: 1, jaccard: 1 / 7 },
  ],
  omitted: 2,
  patterns: 5,
  ms: 12.4,
};

const anna = { customerId: 'c08', email: 'anna@example.com', firstName: 'Anna', lastName: 'Schmidt' };
const ben = { customerId: 'c10', email: 'ben@example.com', firstName: null, lastName: null };

const diff: SegmentDiff = {
  segment: 'valuable',
  asOf: '2026-06-30',
  definitionHash: 'h2',
  saved: {
    before: 4,
    after: 4,
    entered: { count: 12, sample: [anna] },
    left: { count: 1, sample: [ben] },
    stayed: 3,
    sameDefinition: false,
    definitionHash: 'h1',
  },
  published: null,
};

const priority: SegmentPriority = {
  group: 'value',
  claimedByGroup: 5,
  segments: [
    { segment: 'loyal', priority: 1, isDraft: false, wouldBe: 3, claimed: 3, lostTo: [] },
    {
      segment: 'valuable',
      priority: 2,
      isDraft: true,
      wouldBe: 4,
      claimed: 2,
      lostTo: [{ segment: 'loyal', count: 2 }],
    },
  ],
};

const members = (input: SegmentMembersInput): SegmentMembers => ({
  total: 45,
  offset: input.offset ?? 0,
  columns: ['lifetime_revenue'],
  rows: [{ ...anna, customerId: `c${input.offset ?? 0}`, values: { lifetime_revenue: 1234.5 } }],
});

const explanation: SegmentExplanation = {
  segment: 'valuable',
  customerId: 'c05',
  email: 'c05@example.com',
  asOf: '2026-06-30',
  member: false,
  eligible: false,
  steps: [{ kind: 'marketable', label: 'marketable (is_marketable)', holds: false }],
  failedStep: { kind: 'marketable', label: 'marketable (is_marketable)', holds: false },
  rules: {
    path: 'rules',
    label: 'lifetime_revenue ≥ 250',
    kind: 'condition',
    holds: false,
    values: { lifetime_revenue: 20 },
    children: [],
  },
  sinceLastSnapshot: null,
};

interface Call {
  method: string;
  input: unknown;
  signal: AbortSignal | undefined;
}

/** The fake: every call recorded with its signal; `hold` keeps the diff of a threshold pending until aborted. */
function insightsClient(options: { hold?: number; holdPreview?: number } = {}) {
  const base = fakeClient();
  const calls: Call[] = [];
  const record =
    <T>(method: string, answer: (input: never) => T) =>
    (input: unknown, opts?: CallOptions) => {
      calls.push({ method, input, signal: opts?.signal });
      return Promise.resolve(answer(input as never));
    };
  const client = {
    ...base,
    segments: {
      list: record('segments.list', () => ({ segments: [], problems: [] })),
      get: record('segments.get', () => {
        throw new Error('not used');
      }),
      preview: (input: { definition: { rules: { value: number }[] } }, opts?: CallOptions) => {
        calls.push({ method: 'segments.preview', input, signal: opts?.signal });
        if (input.definition.rules[0]?.value === options.holdPreview)
          return new Promise<SegmentPreview>(() => {});
        return Promise.resolve(preview);
      },
      diff: (input: SegmentDiffInput, opts?: CallOptions) => {
        calls.push({ method: 'segments.diff', input, signal: opts?.signal });
        const rules = input.definition.rules as { value: number }[];
        if (rules[0]?.value === options.hold)
          return new Promise<SegmentDiff>((_, reject) =>
            opts?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
          );
        return Promise.resolve(diff);
      },
      breakdown: record('segments.breakdown', () => ({
        column: 'total_orders',
        shape: 'bins',
        kind: 'number',
        members: 4,
        buckets: [
          { value: 2, to: 3, count: 2 },
          { value: 4, to: 5, count: 2 },
        ],
        other: 0,
        empty: 0,
      })),
      priority: record('segments.priority', () => priority),
      // The column picker offers the rule builder's catalogue.
      columns: record('segments.columns', () => [
        {
          name: 'total_orders',
          type: 'BIGINT',
          kind: 'number',
          description: 'Valid orders',
          operators: ['>=', '<='],
        },
      ]),
      members: record('segments.members', members),
      explainDraft: record('segments.explainDraft', () => explanation),
      overlaps: record('segments.overlaps', () => matrix),
    },
  };
  return { client: client as unknown as C360Client, calls };
}

function renderInsights(
  client: C360Client,
  language: AnyLanguage,
  def: Record<string, unknown>,
  savedName: string | null,
) {
  globalThis.ResizeObserver ??= NoopResizeObserver as unknown as typeof ResizeObserver;
  const i18n = createI18n(language);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrap = (node: ReactNode) =>
    createElement(
      I18nextProvider,
      { i18n },
      createElement(
        QueryClientProvider,
        { client: queryClient },
        createElement(ClientProvider, { client, children: node }),
      ),
    );
  const view = render(wrap(createElement(SegmentInsights, { definition: def, savedName })));
  return {
    ...view,
    rerenderWith: (next: Record<string, unknown>) =>
      view.rerender(wrap(createElement(SegmentInsights, { definition: next, savedName }))),
  };
}

describe('SegmentInsights', () => {
  it('asks for the diff of the edited definition against the saved one and shows both sides with links', async () => {
    const { client, calls } = insightsClient();
    renderInsights(client, 'en', definition(100), 'valuable');
    const saved = await screen.findByTestId('diff-saved', {}, SLOW);
    expect(plain(saved.textContent)).toContain('4 → 4 members');
    expect(within(saved).getByText('+12').getAttribute('data-count')).toBe('12');
    expect(within(saved).getByText('−1')).toBeTruthy();
    const link = within(saved).getByRole('link', { name: /Anna Schmidt/ });
    expect(link.getAttribute('href')).toBe('#/customers/c08');
    expect(within(saved).getByText('and 11 more')).toBeTruthy();
    expect(screen.getByTestId('diff-published').textContent).toContain('Never published');
    const diffCall = calls.find((c) => c.method === 'segments.diff')!;
    expect(diffCall.input).toEqual({ definition: definition(100), savedName: 'valuable', sample: 10 });
    // the insights wait for the count of the same definition: the preview was asked first
    expect(calls.findIndex((c) => c.method === 'segments.preview')).toBeLessThan(calls.indexOf(diffCall));
  });

  it('shows overlaps, the priority group and a paged member table in German', async () => {
    const { client, calls } = insightsClient();
    renderInsights(client, 'de', definition(100), 'valuable');
    const table = await screen.findByRole('table', { name: 'Segmente der Prioritätsgruppe value' }, SLOW);
    const rows = within(table).getAllByRole('row');
    expect(plain(rows[2]!.textContent)).toContain('valuable (diese Änderung)');
    expect(plain(rows[2]!.textContent)).toContain('loyal: 2');
    expect(
      screen.getByRole('table', { name: 'Gemeinsame Kunden mit jedem gespeicherten Segment' }),
    ).toBeTruthy();
    const range = await screen.findByText('1–1 von 45', {}, SLOW);
    expect(range).toBeTruthy();
    expect(plain(screen.getByRole('table', { name: 'Mitglieder des Segments' }).textContent)).toContain(
      '1.234,5',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Weiter' }));
    await screen.findByText('21–21 von 45', {}, SLOW);
    expect(
      calls
        .filter((c) => c.method === 'segments.members')
        .map((c) => (c.input as SegmentMembersInput).offset),
    ).toEqual([0, 20]);
  });

  it('shows the overlap of every pair as a matrix: counts in the cells, counts and Jaccard on hover, in German', async () => {
    const { client, calls } = insightsClient();
    renderInsights(client, 'de', definition(100), 'valuable');
    const table = await screen.findByRole('table', { name: /die Diagonale zeigt die Größe/ }, SLOW);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-segment'))).toEqual(matrix.segments.map((s) => s.name));
    const cells = (r: number) => [...rows[r]!.querySelectorAll('td')];
    // the diagonal holds the sizes; each pair appears on both sides of it
    expect(cells(0).map((c) => c.textContent)).toEqual(['4', '2', '0']);
    expect(cells(1).map((c) => c.textContent)).toEqual(['2', '3', '1']);
    expect(plain(cells(1)[0]!.getAttribute('title')!)).toBe(
      'cross_channel_customers_with_a_long_name und valuable: 2 Kunden in beiden · Jaccard 40,0 %',
    );
    expect(plain(cells(2)[1]!.getAttribute('title')!)).toMatch(/1 Kunden in beiden · Jaccard 14,3 %/);
    // the largest Jaccard is darkest, no one shared is blank
    expect(cells(0)[1]!.className).toContain('heat-5');
    expect(cells(0)[2]!.className).toContain('heat-0');
    // a long name is cut by the stylesheet; the row header and the numbered column carry it whole
    expect(rows[1]!.querySelector('.overlap-matrix__name')!.getAttribute('title')).toBe(
      matrix.segments[1]!.name,
    );
    expect(plain(rows[0]!.querySelector('th')!.textContent)).toBe('1 valuable (diese Änderung)');
    expect(plain(screen.getByText(/weitere gespeicherte Segmente/).textContent)).toContain(
      'In einer Abfrage über alle Kunden gezählt, in 12 ms. 2 weitere gespeicherte Segmente',
    );
    expect(calls.find((c) => c.method === 'segments.overlaps')!.input).toEqual({
      definition: definition(100),
      savedName: 'valuable',
    });
  });

  it('names winback stages like lifecycle stages and value tiers, in both languages', async () => {
    const { client } = insightsClient();
    renderInsights(client, 'de', definition(100), 'valuable');
    const text = plain((await screen.findByTestId('breakdown-winback_stage', {}, SLOW)).textContent);
    expect(text).toContain('Frühe Phase');
    expect(text).toContain('Archiviert');
    expect(text).not.toMatch(/\barchived\b/);
  });

  it('explains why a customer is out, for the edited rules', async () => {
    const { client, calls } = insightsClient();
    renderInsights(client, 'en', definition(100), null);
    const input = await screen.findByRole('textbox', { name: 'Customer id or email' }, SLOW);
    fireEvent.change(input, { target: { value: ' c05@example.com ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Explain' }));
    const result = await screen.findByTestId('why-result', {}, SLOW);
    expect(result.getAttribute('data-member')).toBe('false');
    expect(plain(result.textContent)).toContain('is out: the first step that fails is “Marketable”.');
    expect(within(result).getByRole('link', { name: 'c05@example.com' }).getAttribute('href')).toBe(
      '#/customers/c05',
    );
    const call = calls.find((c) => c.method === 'segments.explainDraft')!;
    expect(call.input as SegmentExplainDraftInput).toEqual({
      definition: definition(100),
      customer: 'c05@example.com',
    });
  });

  it('aborts the diff of the previous definition when the rules change', async () => {
    const { client, calls } = insightsClient({ hold: 100 });
    const view = renderInsights(client, 'en', definition(100), 'valuable');
    await waitFor(() => expect(calls.some((c) => c.method === 'segments.diff')).toBe(true));
    const first = calls.find((c) => c.method === 'segments.diff')!;
    view.rerenderWith(definition(300));
    await screen.findByText('+12', {}, SLOW);
    await waitFor(() => expect(first.signal?.aborted).toBe(true));
  });
  it('cancels the insights still running as soon as the rules change, before the new count is in', async () => {
    const { client, calls } = insightsClient({ hold: 100, holdPreview: 300 });
    const view = renderInsights(client, 'en', definition(100), 'valuable');
    await waitFor(() => expect(calls.some((c) => c.method === 'segments.diff')).toBe(true), SLOW);
    const first = calls.find((c) => c.method === 'segments.diff')!;
    expect(first.signal?.aborted).toBe(false);
    view.rerenderWith(definition(300));
    // the count of 300 never arrives here: the diff of 100 is cancelled all the same
    await waitFor(() => expect(first.signal?.aborted).toBe(true), SLOW);
    expect(calls.filter((c) => c.method === 'segments.diff')).toHaveLength(1);
  });

  it('leaves no untranslated string in the pseudo-locale, with every panel filled', async () => {
    const { client } = insightsClient();
    renderInsights(client, 'xx', definition(100), 'valuable');
    await screen.findByTestId('diff-saved', {}, SLOW);
    await screen.findByText('⟦1–1 of 45⟧', {}, SLOW);
    fireEvent.change(screen.getByRole('combobox', { name: '⟦Break down by another column⟧' }), {
      target: { value: 'total_orders' },
    });
    await screen.findByTestId('breakdown-total_orders', {}, SLOW);
    fireEvent.change(screen.getByRole('textbox', { name: '⟦Customer id or email⟧' }), {
      target: { value: 'c05' },
    });
    fireEvent.click(screen.getByRole('button', { name: '⟦Explain⟧' }));
    await screen.findByTestId('why-result', {}, SLOW);
    expect(findUntranslated(document.body)).toEqual([]);
  });
});

describe('insight labels', () => {
  it('translate the values of lifecycle stage, value tier and winback stage from one table', () => {
    const i18n = createI18n('en');
    const t = i18n.t.bind(i18n);
    const en = createFormatters('en-US');
    expect(valueLabel('winback_stage', 'archived', t, en)).toBe('Archived');
    expect(valueLabel('lifecycle_stage', 'at_risk', t, en)).toBe('At risk');
    expect(valueLabel('customer_value_tier', 'no_purchase', t, en)).toBe('No purchase');
    // a value without a name is shown as it is
    expect(valueLabel('winback_stage', 'someday', t, en)).toBe('someday');
  });

  it('fit the bar chart’s label column to the longest label, and cut only what is wider than its maximum', () => {
    const short = labelColumn(['loyal', 'vip']);
    expect(fitLabel('loyal', short.chars)).toBe('loyal');
    const cross = labelColumn(['cross_channel_customers']);
    expect(fitLabel('cross_channel_customers', cross.chars)).toBe('cross_channel_customers');
    const long = labelColumn(['customers_who_bought_pregnancy_products_twice']);
    expect(fitLabel('customers_who_bought_pregnancy_products_twice', long.chars)).toMatch(
      /^customers_who.*…$/,
    );
    expect(long.width).toBeGreaterThan(cross.width - 1);
  });

  it('names a customer as the profile does and writes bins as ranges', () => {
    expect(customerName(anna)).toBe('Anna Schmidt');
    expect(customerName(ben)).toBe('ben@example.com');
    expect(customerName({ ...ben, email: null })).toBe('c10');
    const de = createFormatters('de-DE');
    expect(binLabel({ value: 1000, to: 1999, count: 1 }, 'number', de)).toBe('1.000 – 1.999');
    expect(binLabel({ value: '2026-06-25', to: '2026-07-14', count: 1 }, 'date', de)).toBe(
      '25.06.2026 – 14.07.2026',
    );
  });
});
