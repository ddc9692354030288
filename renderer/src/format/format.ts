import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { INTL_LOCALES, type AnyLanguage } from '../i18n/index.ts';

/** Formatters for one locale. Values arrive as numbers in EUR and ISO strings (core/insights/schemas.ts). */
export interface Formatters {
  locale: string;
  integer(value: number): string;
  decimal(value: number, digits?: number): string;
  /** Whole euros for dashboards (1.234 €), with cents for single amounts (1.234,56 €). */
  currency(value: number, options?: { cents?: boolean }): string;
  percent(share: number, digits?: number): string;
  /** ISO instant → date + time in the viewer's time zone. */
  dateTime(iso: string): string;
  /** ISO instant or YYYY-MM-DD → date only. */
  date(iso: string): string;
  /** YYYY-MM → "Nov. 2026" / "Nov 2026". */
  month(yyyyMm: string, style?: 'short' | 'long'): string;
  /** "3 hours ago" style distance from now (or from `now`). */
  relative(iso: string, now?: Date): string;
}

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function createFormatters(locale: string): Formatters {
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const euros = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'EUR',
    maximumFractionDigits: 0,
  });
  const cents = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'EUR',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const dateLocal = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  // Calendar days and months are dates on the shop's calendar, not instants: format them in UTC so the
  // viewer's time zone cannot shift them to the day before.
  const dateUtc = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const monthShort = new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  const monthLong = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  return {
    locale,
    integer: (value) => integer.format(value),
    decimal: (value, digits = 1) =>
      new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
        value,
      ),
    currency: (value, options) => (options?.cents ? cents : euros).format(value),
    percent: (share, digits = 0) =>
      new Intl.NumberFormat(locale, {
        style: 'percent',
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(share),
    dateTime: (iso) => dateTime.format(new Date(iso)),
    date: (iso) =>
      DAY_ONLY.test(iso) ? dateUtc.format(new Date(`${iso}T00:00:00Z`)) : dateLocal.format(new Date(iso)),
    month: (yyyyMm, style = 'short') =>
      (style === 'long' ? monthLong : monthShort).format(new Date(`${yyyyMm}-01T00:00:00Z`)),
    relative: (iso, now = new Date()) => {
      const seconds = (new Date(iso).getTime() - now.getTime()) / 1000;
      const abs = Math.abs(seconds);
      if (abs < 60) return relative.format(Math.round(seconds), 'second');
      if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
      if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
      return relative.format(Math.round(seconds / 86_400), 'day');
    },
  };
}

/** Formatters for the active language; they change when the user switches language. */
export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  const language = i18n.language as AnyLanguage;
  return useMemo(() => createFormatters(INTL_LOCALES[language] ?? 'en-GB'), [language]);
}
