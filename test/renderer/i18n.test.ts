// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import de from '../../renderer/src/i18n/de.json';
import en from '../../renderer/src/i18n/en.json';
import { LANGUAGE_STORAGE_KEY, initialLanguage } from '../../renderer/src/i18n/index.ts';
import { pseudoLocalize, type Resources } from '../../renderer/src/i18n/pseudo.ts';
import { createFormatters } from '../../renderer/src/format/format.ts';
import { fakeClient } from './fixtures.ts';
import { plain, renderApp } from './renderApp.ts';

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

function keys(resources: Resources, prefix = ''): string[] {
  return Object.entries(resources).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : keys(value, `${prefix}${key}.`),
  );
}

describe('languages', () => {
  it('German and English have the same keys, none empty', () => {
    expect(keys(de).sort()).toEqual(keys(en).sort());
    const values = (resources: Resources): string[] =>
      Object.values(resources).flatMap((value) => (typeof value === 'string' ? [value] : values(value)));
    expect(values(de).filter((value) => value.trim() === '')).toEqual([]);
    expect(values(en).filter((value) => value.trim() === '')).toEqual([]);
  });

  it('the pseudo-locale wraps every English string and keeps its placeholders', () => {
    const pseudo = pseudoLocalize(en);
    expect(keys(pseudo)).toEqual(keys(en));
    expect((pseudo.kpi as Resources).ofCustomers).toBe('⟦{{share}} of customers⟧');
  });

  it('starts in the stored language, else the browser language, else German', () => {
    const storage = (value: string | null) => ({ getItem: () => value });
    expect(initialLanguage(storage('en'), 'de-DE')).toBe('en');
    expect(initialLanguage(storage('fr'), 'en-US')).toBe('en');
    expect(initialLanguage(storage(null), 'fr-FR')).toBe('de');
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(initialLanguage(broken, 'en-GB')).toBe('en');
  });

  it('switches language from the header and remembers the choice', async () => {
    renderApp(fakeClient(), { language: 'de' });
    await screen.findByRole('heading', { level: 1, name: 'Übersicht' });
    fireEvent.change(screen.getByRole('combobox', { name: 'Sprache' }), { target: { value: 'en' } });
    await screen.findByRole('heading', { level: 1, name: 'Overview' });
    expect(window.localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('en');
    expect(document.documentElement.lang).toBe('en');
    expect(screen.getByRole('link', { name: 'Customers' }).getAttribute('aria-current')).toBeNull();
    expect(screen.getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');
  });
});

describe('formatting', () => {
  it('formats money, numbers, shares and dates for German', () => {
    const de = createFormatters('de-DE');
    expect(plain(de.currency(1234.56, { cents: true }))).toBe('1.234,56 €');
    expect(plain(de.currency(987654.32))).toBe('987.654 €');
    expect(de.integer(1234567)).toBe('1.234.567');
    expect(plain(de.percent(0.934, 1))).toBe('93,4 %');
    expect(de.date('2026-12-14')).toBe('14.12.2026');
    expect(de.month('2026-03', 'long')).toBe('März 2026');
  });

  it('formats the same values for English', () => {
    const en = createFormatters('en-GB');
    expect(en.currency(1234.56, { cents: true })).toBe('€1,234.56');
    expect(en.integer(1234567)).toBe('1,234,567');
    expect(en.percent(0.934, 1)).toBe('93.4%');
    expect(en.date('2026-12-14')).toBe('14 Dec 2026');
  });

  it('keeps calendar days on their day in every time zone', () => {
    // A YYYY-MM-DD is a shop calendar day; parsed as local midnight it would slip to the 13th west of UTC.
    expect(createFormatters('de-DE').date('2026-12-14')).toBe('14.12.2026');
  });
});
