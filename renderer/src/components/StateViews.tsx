import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { summarizeError } from '../api/errors.ts';

/** Placeholder while a query loads: announced politely to screen readers, drawn as a calm skeleton. */
export function Loading({ label, rows = 3 }: { label?: string; rows?: number }) {
  const { t } = useTranslation();
  return (
    <div className="state state--loading" role="status" aria-live="polite" aria-busy="true">
      <span className="visually-hidden">{label ?? t('state.loading')}</span>
      {Array.from({ length: rows }, (_, index) => (
        <span key={index} className="skeleton" aria-hidden="true" />
      ))}
    </div>
  );
}

/** A failed query: what failed, the service's message and code, and a retry button. */
export function ErrorState({
  title,
  error,
  onRetry,
}: {
  title?: string;
  error: unknown;
  onRetry?: () => void;
}) {
  const { t } = useTranslation();
  const { message, code, hint } = summarizeError(error);
  return (
    <div className="state state--error" role="alert">
      <p className="state__title">{title ?? t('state.errorTitle')}</p>
      <p className="state__message" translate="no">
        {message}
      </p>
      <p className="state__code">
        {t('state.errorCode')} <code translate="no">{code}</code>
      </p>
      {hint ? (
        <p className="state__hint" translate="no">
          {hint}
        </p>
      ) : null}
      {code === 'NETWORK' ? <p className="state__hint">{t('state.networkHint')}</p> : null}
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          {t('state.retry')}
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state--empty">{children}</div>;
}
