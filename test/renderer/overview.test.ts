// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { apiError, emptyOverview, fakeClient, overview } from './fixtures.ts';
import { plain, renderApp } from './renderApp.ts';

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

function kpi(name: string): string {
  const card = document.querySelector(`[data-kpi="${name}"] .kpi__value`);
  return plain(card?.textContent);
}

describe('Overview page', () => {
  it('shows the KPI cards formatted for German: 1.234,56 € and 12.345 customers', async () => {
    renderApp(fakeClient(), { language: 'de' });
    await screen.findByRole('heading', { level: 2, name: 'Lebenszyklus' });
    expect(kpi('customers')).toBe('12.345');
    expect(kpi('aov')).toBe('1.234,56 €');
    expect(kpi('revenue')).toBe('987.654 €');
    expect(kpi('active')).toBe('25,0 %');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Übersicht');
  });

  it('shows the same figures formatted for English: €1,234.56', async () => {
    renderApp(fakeClient(), { language: 'en' });
    await screen.findByRole('heading', { level: 2, name: 'Lifecycle stages' });
    expect(kpi('customers')).toBe('12,345');
    expect(kpi('aov')).toBe('€1,234.56');
    expect(kpi('active')).toBe('25.0%');
  });

  it('draws the RFM heat map as a table with a cell per recency × frequency score', async () => {
    renderApp(fakeClient(), { language: 'en' });
    const table = await screen.findByRole('table', { name: /recency score \(rows\)/i });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(6); // header + recency 5..1
    // First body row is recency 5: frequency 1..5 → 501..505 buyers (fixture: recency × 100 + frequency).
    const cells = within(rows[1]!)
      .getAllByRole('cell')
      .map((cell) => cell.textContent);
    expect(cells).toEqual(['501', '502', '503', '504', '505']);
    const cell = overview.rfm.find((row) => row.recency === 5 && row.frequency === 5)!;
    expect(within(rows[1]!).getAllByRole('cell')[4]!.className).toContain('heat-5');
    expect(cell.customers).toBe(505);
  });

  it('shows channel overlaps symmetrically, each channel on the diagonal, and the cohort triangle', async () => {
    renderApp(fakeClient(), { language: 'en' });
    const matrix = await screen.findByRole('table', { name: /channel of the row/i });
    const shopifyRow = within(matrix).getByRole('rowheader', { name: 'shopify' }).closest('tr')!;
    const amazonRow = within(matrix).getByRole('rowheader', { name: 'amazon' }).closest('tr')!;
    expect(
      within(shopifyRow)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['6,000', '1,111', '444', '4,500']);
    expect(
      within(amazonRow)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['1,111', '2,500', '222', '1,200']);

    const cohorts = screen.getByRole('table', { name: /month of the first order/i });
    const body = within(cohorts).getAllByRole('row').slice(1);
    expect(body).toHaveLength(overview.cohorts.length);
    // Oldest cohort (100 buyers) has 3 months; 10 of 100 came back in month 1 → 10.0%; the youngest has none.
    expect(
      within(body[0]!)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['100', '10.0%', '9.0%', '8.0%']);
    expect(
      within(body[3]!)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['400', '', '', '']);
  });

  it('offers every chart as a table too (lifecycle stages translated, revenue per month)', async () => {
    renderApp(fakeClient(), { language: 'de' });
    await screen.findByRole('heading', { level: 2, name: 'Lebenszyklus' });
    const tables = screen.getAllByText('Als Tabelle anzeigen');
    expect(tables.length).toBe(4);
    expect(screen.getAllByText('Gefährdet').length).toBeGreaterThan(0);
    const revenue = screen.getByRole('table', { name: 'Umsatz je Monat' });
    expect(within(revenue).getAllByRole('row')).toHaveLength(1 + overview.revenueByMonth.length);
    expect(plain(within(revenue).getAllByRole('row')[1]!.textContent)).toBe('Dezember 202430.000 €60');
  });

  it('shows data freshness in the header and in its panel', async () => {
    renderApp(fakeClient(), { language: 'en' });
    await screen.findByText('Demo-Shop');
    const banner = screen.getByRole('banner');
    const time = within(banner)
      .getByText(/Data as of/)
      .querySelector('time');
    expect(time?.getAttribute('datetime')).toBe('2026-11-30');
    expect(time?.textContent).toBe('30 Nov 2026');
    await screen.findByText('Published', { selector: '.badge' });
    expect(screen.getByText(/270\.4 s/)).toBeTruthy();
  });

  it('shows a loading state until the overview arrives', async () => {
    let resolve!: (value: typeof overview) => void;
    renderApp(fakeClient({ overview: () => new Promise((done) => (resolve = done)) }), { language: 'en' });
    const status = await screen.findByRole('status');
    expect(status.getAttribute('aria-busy')).toBe('true');
    expect(status.textContent).toContain('Loading the overview…');
    resolve(overview);
    await screen.findByRole('heading', { level: 2, name: 'Lifecycle stages' });
  });

  it('shows the error message and code, and retries on request', async () => {
    let attempts = 0;
    const client = fakeClient({
      overview: async () => {
        attempts += 1;
        if (attempts === 1)
          throw apiError(
            'QUERY_TIMEOUT',
            'The overview query ran longer than 10 s and was stopped.',
            'Raise query_timeout_seconds in c360.yml if the workspace is large.',
          );
        return overview;
      },
    });
    renderApp(client, { language: 'en' });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The overview could not be loaded');
    expect(alert.textContent).toContain('The overview query ran longer than 10 s and was stopped.');
    expect(within(alert).getByText('QUERY_TIMEOUT')).toBeTruthy();
    expect(alert.textContent).toContain('Raise query_timeout_seconds in c360.yml');
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    await screen.findByRole('heading', { level: 2, name: 'Lifecycle stages' });
    expect(attempts).toBe(2);
  });

  it('explains what to do when the workspace has no customers yet', async () => {
    renderApp(fakeClient({ overview: async () => emptyOverview }), { language: 'de' });
    await screen.findByText('Noch keine Kunden');
    expect(screen.getByText(/c360 load, c360 build/)).toBeTruthy();
    await waitFor(() => expect(screen.getAllByText('Noch kein Build').length).toBeGreaterThan(0));
  });
});
