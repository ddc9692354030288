import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import de from './de.json';
import en from './en.json';
import { pseudoLocalize } from './pseudo.ts';

/** Languages a user can pick. `xx` (pseudo-locale) exists only for tests that hunt untranslated strings. */
export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export type AnyLanguage = Language | 'xx';

export const LANGUAGE_STORAGE_KEY = 'c360.language';

/** Locale for Intl per language: German formats as 1.234,56 €; English as €1,234.56 with day-month dates. */
export const INTL_LOCALES: Record<AnyLanguage, string> = { de: 'de-DE', en: 'en-GB', xx: 'en-GB' };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The stored choice, else the browser's language if we have it, else German (the product's home market).
 * A stored `xx` is honoured too: the end-to-end tests store it to render the built app in the pseudo-locale
 * (the language switch never offers it, and lists Deutsch and English to leave it).
 */
export function initialLanguage(
  storage: Pick<Storage, 'getItem'> | undefined,
  navigatorLanguage?: string,
): AnyLanguage {
  let stored: string | null = null;
  try {
    stored = storage?.getItem(LANGUAGE_STORAGE_KEY) ?? null;
  } catch {
    // Storage can be disabled (privacy settings); the choice then lasts for the session only.
  }
  if (isLanguage(stored) || stored === 'xx') return stored;
  const browser = navigatorLanguage?.slice(0, 2);
  return isLanguage(browser) ? browser : 'de';
}

export function storeLanguage(storage: Pick<Storage, 'setItem'> | undefined, language: Language): void {
  try {
    storage?.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // See initialLanguage: not persisted when storage is unavailable.
  }
}

/** A fresh i18next instance (one per app, one per test), with every resource bundled: no network loads. */
export function createI18n(language: AnyLanguage): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    lng: language,
    fallbackLng: false,
    resources: {
      de: { translation: de },
      en: { translation: en },
      xx: { translation: pseudoLocalize(en) },
    },
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    initAsync: false,
  });
  return instance;
}
