// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeClient } from './fixtures.ts';
import { renderApp } from './renderApp.ts';

afterEach(cleanup);

const LETTER = /\p{L}/u;
const TRANSLATED = /⟦[^⟧]*⟧/g;
const CHECKED_ATTRIBUTES = ['aria-label', 'title', 'placeholder', 'alt'];

/**
 * Every piece of text on screen with a letter in it, outside the ⟦…⟧ markers of the pseudo-locale: UI text
 * that did not go through t(). Data values (names, ids, channel names, formatted dates) sit in
 * `translate="no"` elements, which is also what tells browser translators to leave them alone.
 */
function untranslated(root: HTMLElement): string[] {
  const found: string[] = [];
  const isData = (node: Node) =>
    (node instanceof Element ? node : node.parentElement)?.closest('[translate="no"]');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (isData(node)) continue;
    if (node instanceof Element) {
      if (node.closest('style, script')) continue;
      for (const name of CHECKED_ATTRIBUTES) {
        const value = node.getAttribute(name);
        if (value && LETTER.test(value.replace(TRANSLATED, '')))
          found.push(`${node.tagName}[${name}]: ${value}`);
      }
    } else if (node.textContent && LETTER.test(node.textContent.replace(TRANSLATED, ''))) {
      found.push(node.textContent);
    }
  }
  return found;
}

describe('pseudo-locale', () => {
  it('leaves no untranslated string on the Overview', async () => {
    renderApp(fakeClient(), { language: 'xx' });
    await screen.findByRole('heading', { level: 2, name: '⟦Lifecycle stages⟧' });
    expect(untranslated(document.body)).toEqual([]);
  });

  it('leaves no untranslated string on the Customers page with a profile open', async () => {
    renderApp(fakeClient(), { language: 'xx', hash: '#/customers/c_000123' });
    await screen.findByRole('heading', { level: 2, name: 'Anna Schmidt' });
    expect(untranslated(document.body)).toEqual([]);
  });

  it('catches a string that skips t(): the check can fail', async () => {
    renderApp(fakeClient(), { language: 'xx' });
    await screen.findByRole('heading', { level: 2, name: '⟦Lifecycle stages⟧' });
    const stray = document.createElement('p');
    stray.textContent = 'Hard-coded label';
    document.querySelector('main')!.append(stray);
    expect(untranslated(document.body)).toEqual(['Hard-coded label']);
  });
});
