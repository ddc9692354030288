import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, isLanguage, storeLanguage } from '../i18n/index.ts';

/** Deutsch / English; the choice is kept in localStorage. Language names are shown in their own language. */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className="language-switch">
      <label htmlFor={id} className="visually-hidden">
        {t('shell.language')}
      </label>
      <LanguageSelect id={id} />
    </div>
  );
}

/**
 * The language select itself (the header's switch and the Settings page label it each their own way): changes
 * i18next's language and keeps the choice in localStorage.
 */
export function LanguageSelect({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  return (
    <select
      id={id}
      className="select"
      value={i18n.language}
      onChange={(event) => {
        const next = event.target.value;
        if (!isLanguage(next)) return;
        storeLanguage(window.localStorage, next);
        void i18n.changeLanguage(next);
      }}
    >
      {i18n.language === 'xx' ? <option value="xx">{t('shell.languageName')}</option> : null}
      {LANGUAGES.map((language) => (
        // Each language named in itself (Deutsch, English): a name, not UI text to translate.
        <option key={language} value={language} lang={language} translate="no">
          {t('shell.languageName', { lng: language })}
        </option>
      ))}
    </select>
  );
}
