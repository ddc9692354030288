// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { findUntranslated } from '../e2e/untranslated.ts';
import { fakeClient } from './fixtures.ts';
import { renderApp } from './renderApp.ts';

afterEach(cleanup);

describe('pseudo-locale', () => {
  it('leaves no untranslated string on the Overview', async () => {
    renderApp(fakeClient(), { language: 'xx' });
    await screen.findByRole('heading', { level: 2, name: '⟦Lifecycle stages⟧' });
    expect(findUntranslated(document.body)).toEqual([]);
  });

  it('leaves no untranslated string on the Customers page with a profile open', async () => {
    renderApp(fakeClient(), { language: 'xx', hash: '#/customers/c_000123' });
    await screen.findByRole('heading', { level: 2, name: 'Anna Schmidt' });
    expect(findUntranslated(document.body)).toEqual([]);
  });

  it('catches a string that skips t(): the check can fail', async () => {
    renderApp(fakeClient(), { language: 'xx' });
    await screen.findByRole('heading', { level: 2, name: '⟦Lifecycle stages⟧' });
    const stray = document.createElement('p');
    stray.textContent = 'Hard-coded label';
    document.querySelector('main')!.append(stray);
    expect(findUntranslated(document.body)).toEqual(['Hard-coded label']);
  });
});
