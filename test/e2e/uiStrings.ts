import { readFileSync } from 'node:fs';

/**
 * The app's UI strings as the tests expect them on screen, read from the renderer's resource files, and the
 * languages the tests render in (`xx` is the pseudo-locale, renderer/src/i18n/pseudo.ts).
 */

export type Language = 'en' | 'de' | 'xx';
/** renderer/src/i18n/index.ts LANGUAGE_STORAGE_KEY; the app reads the language from it before the browser's. */
export const LANGUAGE_STORAGE_KEY = 'c360.language';
/** The Intl locale the app formats with per language (renderer/src/i18n/index.ts INTL_LOCALES). */
export const INTL_LOCALE: Record<Language, string> = { en: 'en-GB', de: 'de-DE', xx: 'en-GB' };

interface Resources {
  [key: string]: string | Resources;
}

const read = (language: 'en' | 'de'): Resources =>
  JSON.parse(
    readFileSync(new URL(`../../renderer/src/i18n/${language}.json`, import.meta.url), 'utf8'),
  ) as Resources;
const RESOURCES: Record<'en' | 'de', Resources> = { en: read('en'), de: read('de') };

/** A UI string as the app shows it in `language` (the pseudo-locale wraps the English one in ⟦…⟧). */
export function ui(language: Language, key: string, values: Record<string, string> = {}): string {
  let node: string | Resources | undefined = RESOURCES[language === 'xx' ? 'en' : language];
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  if (typeof node !== 'string') throw new Error(`renderer/src/i18n has no string "${key}"`);
  const text = node.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? `{{${name}}}`);
  return language === 'xx' ? `⟦${text}⟧` : text;
}
