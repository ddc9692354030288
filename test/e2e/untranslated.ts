/**
 * Every piece of text under `root` with a letter in it, outside the ⟦…⟧ markers of the pseudo-locale: UI text
 * that did not go through t(). Data values (names, ids, emails, channel names, formatted dates) sit in
 * `translate="no"` elements — which also tells browser translators to leave them alone — and are skipped. The
 * labels a user hears or reads (aria-label, title, placeholder, alt) are checked like text.
 *
 * Used by the jsdom tests (test/renderer) and, through Playwright, in Chromium (test/e2e), which sends this
 * function's source text to the page: it must stay self-contained (no imports, no names from outside it).
 */
export function findUntranslated(root: Element): string[] {
  const letter = /\p{L}/u;
  const translated = /⟦[^⟧]*⟧/g;
  const attributes = ['aria-label', 'title', 'placeholder', 'alt'];
  const found: string[] = [];
  const isData = (node: Node) =>
    ((node.nodeType === 1 ? (node as Element) : node.parentElement)?.closest('[translate="no"]') ?? null) !==
    null;
  const walker = root.ownerDocument.createTreeWalker(root, 0x1 | 0x4); // NodeFilter.SHOW_ELEMENT | SHOW_TEXT
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (isData(node)) continue;
    if (node.nodeType === 1) {
      const element = node as Element;
      if (element.closest('style, script')) continue;
      for (const name of attributes) {
        const value = element.getAttribute(name);
        if (value && letter.test(value.replace(translated, '')))
          found.push(`${element.tagName}[${name}]: ${value}`);
      }
    } else if (node.textContent && letter.test(node.textContent.replace(translated, ''))) {
      found.push(node.textContent);
    }
  }
  return found;
}
