import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A definition list of label → value pairs; null values show a dash. */
export function Facts({ items }: { items: { key: string; label: string; value: ReactNode | null }[] }) {
  return (
    <dl className="facts">
      {items.map((item) => (
        <div key={item.key} className="facts__row">
          <dt>{item.label}</dt>
          <dd>{item.value ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A data value with letters (a name, a status from a source system): not UI text, not translated. */
export function Raw({ children }: { children: ReactNode }) {
  return <span translate="no">{children}</span>;
}

/**
 * A value from a source system's known vocabulary (a shipment's status, a ticket's status) in the UI's language;
 * a value outside it (a new carrier status, a shop's own ticket status) is shown as it came, untranslated.
 */
export function Term({ group, value }: { group: 'shipmentStatus' | 'ticketStatus'; value: string | null }) {
  const { t, i18n } = useTranslation();
  if (value === null) return <>—</>;
  const key = `${group}.${value}`;
  return i18n.exists(key) ? <>{t(key)}</> : <Raw>{value}</Raw>;
}
