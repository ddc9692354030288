// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CustomerSearchInput, CustomerSearchResult } from '../../core/insights/schemas.ts';
import { apiError, fakeClient, profile, searchFixture } from './fixtures.ts';
import { plain, renderApp } from './renderApp.ts';

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

/** The result options (the language <select> has options too). */
const findHits = () =>
  within(screen.getByRole('listbox', { name: 'Search results' })).findAllByRole('option');

const searchCalls = (client: ReturnType<typeof fakeClient>) =>
  client.calls.filter((call) => call.method === 'customers.search');

describe('Customers page', () => {
  it('searches as the user types, once typing pauses, and lists the hits', async () => {
    const client = fakeClient();
    renderApp(client, { language: 'en', hash: '#/customers' });
    const input = await screen.findByRole('combobox', { name: 'Search customers' });
    fireEvent.change(input, { target: { value: 'a' } });
    fireEvent.change(input, { target: { value: 'an' } });
    fireEvent.change(input, { target: { value: 'ann' } });
    const options = await findHits();
    expect(options.map((option) => option.querySelector('.result__name')?.textContent)).toEqual([
      'Anna Schmidt',
      'Annika Berg',
    ]);
    // Debounced: the three keystrokes within the debounce make one request, for the full text.
    expect(searchCalls(client).map((call) => (call.input as CustomerSearchInput).query)).toEqual(['ann']);
    expect(plain(options[0]!.textContent)).toContain('5 orders · €1,234.56');
    expect(screen.getByText('2 customers found, showing 2.')).toBeTruthy();
  });

  it('aborts the older search when a newer one starts', async () => {
    const pending: { input: CustomerSearchInput; resolve: (result: CustomerSearchResult) => void }[] = [];
    const client = fakeClient({
      search: (input) => new Promise((resolve) => pending.push({ input, resolve })),
    });
    renderApp(client, { language: 'en', hash: '#/customers' });
    const input = await screen.findByRole('combobox', { name: 'Search customers' });
    fireEvent.change(input, { target: { value: 'anna' } });
    await waitFor(() => expect(searchCalls(client)).toHaveLength(1));
    fireEvent.change(input, { target: { value: 'annika' } });
    await waitFor(() => expect(searchCalls(client)).toHaveLength(2));
    const [older, newer] = searchCalls(client);
    await waitFor(() => expect(older!.signal?.aborted).toBe(true));
    expect(newer!.signal?.aborted).toBe(false);
    pending[1]!.resolve(searchFixture(pending[1]!.input));
    const options = await findHits();
    expect(options).toHaveLength(1);
    expect(options[0]!.textContent).toContain('Annika Berg');
  });

  it('moves through the results with the arrow keys and opens the 360 profile with Enter', async () => {
    const client = fakeClient();
    renderApp(client, { language: 'en', hash: '#/customers' });
    const input = await screen.findByRole('combobox', { name: 'Search customers' });
    fireEvent.change(input, { target: { value: 'ann' } });
    const options = await findHits();
    expect(input.getAttribute('aria-activedescendant')).toBe(options[0]!.id);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input.getAttribute('aria-activedescendant')).toBe(options[1]!.id);
    fireEvent.keyDown(input, { key: 'ArrowDown' }); // wraps around
    expect(input.getAttribute('aria-activedescendant')).toBe(options[0]!.id);
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(window.location.hash).toBe('#/customers/c_000123'));
    await screen.findByRole('heading', { level: 2, name: 'Anna Schmidt' });
    const profileCall = client.calls.find((call) => call.method === 'customers.profile');
    expect(profileCall?.input).toEqual({ customerId: 'c_000123' });
  });

  it('shows the whole 360 profile: merged identities, orders with lines, shipment events, email, tickets, segments with why', async () => {
    renderApp(fakeClient(), { language: 'de', hash: '#/customers/c_000123' });
    await screen.findByRole('heading', { level: 2, name: 'Anna Schmidt' });
    for (const id of profile.identity.sourceIds) expect(screen.getByText(id)).toBeTruthy();
    expect(screen.getByText('amazon_name_postal_code')).toBeTruthy();
    // Orders: newest first, with the line and the German amount; 50 more not listed.
    expect(screen.getByText('Espresso Bohnen 1 kg')).toBeTruthy();
    expect(screen.getAllByText('89,70 €').length).toBeGreaterThan(0);
    expect(screen.getByText('Storniert')).toBeTruthy();
    expect(screen.getByText('52 Bestellungen über alle Kanäle, neueste zuerst.')).toBeTruthy();
    expect(screen.getAllByText('50 weitere nicht angezeigt.').length).toBe(1);
    // Shipment with its tracking events, statuses in German; one outside the vocabulary as it came.
    expect(screen.getByText('Unterwegs')).toBeTruthy();
    expect(screen.getAllByText('Zugestellt').length).toBe(2);
    expect(screen.getByText('customs_hold')).toBeTruthy();
    // Scores and flags.
    expect(screen.getByText('93,4 %')).toBeTruthy();
    const flag = screen.getByText('Offenes Ticket').closest('li')!;
    expect(flag.className).toContain('flag--on');
    // Email engagement and tickets.
    expect(screen.getByText('Wo bleibt meine Lieferung?')).toBeTruthy();
    expect(screen.getByText('16,7 %')).toBeTruthy();
    // Segments: member of one of two, with the rule values that decided.
    expect(screen.getByText(/Mitglied in 1 von 2/)).toBeTruthy();
    const winback = screen.getByText('winback_60').closest('details')!;
    expect(within(winback).getByText('Kein Mitglied')).toBeTruthy();
    expect(within(winback).getByText('Scheitert an: Regel')).toBeTruthy();
    expect(within(winback).getByText('days_since_last_order = 28')).toBeTruthy();
  });

  it('shows a profile error with its code and retries', async () => {
    let attempts = 0;
    renderApp(
      fakeClient({
        profile: async () => {
          attempts += 1;
          if (attempts === 1)
            throw apiError(
              'NOT_FOUND',
              'No customer with id c_404. Search again: the data may have been rebuilt.',
            );
          return profile;
        },
      }),
      { language: 'en', hash: '#/customers/c_404' },
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The customer profile could not be loaded');
    expect(within(alert).getByText('NOT_FOUND')).toBeTruthy();
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    await screen.findByRole('heading', { level: 2, name: 'Anna Schmidt' });
  });

  it('shows a search error with a retry, and says when nothing matches', async () => {
    let fail = true;
    renderApp(
      fakeClient({
        search: async (input) => {
          if (fail) throw new TypeError('Failed to fetch');
          return searchFixture(input);
        },
      }),
      { language: 'en', hash: '#/customers' },
    );
    const input = await screen.findByRole('combobox', { name: 'Search customers' });
    fireEvent.change(input, { target: { value: 'zzz' } });
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('NETWORK')).toBeTruthy();
    expect(alert.textContent).toContain('could not reach the workspace service');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    await screen.findByText('No customer matches “zzz”.');
    expect(within(screen.getByRole('listbox')).queryByRole('option')).toBeNull();
  });

  it('asks for a search before a customer is picked', async () => {
    renderApp(fakeClient(), { language: 'de', hash: '#/customers' });
    await screen.findByText('Kein Kunde ausgewählt');
    expect(screen.getByText(/Geben Sie einen Teil/)).toBeTruthy();
  });
});
