/** A nested resource object as in en.json. */
export interface Resources {
  [key: string]: string | Resources;
}

/**
 * The pseudo-locale: every string of a resource file wrapped in ⟦…⟧. Rendered with it, any text on screen
 * outside those markers was not translated (or is a data value, which tests mark and skip).
 */
export function pseudoLocalize(resources: Resources): Resources {
  const out: Resources = {};
  for (const [key, value] of Object.entries(resources)) {
    out[key] = typeof value === 'string' ? `⟦${value}⟧` : pseudoLocalize(value);
  }
  return out;
}
