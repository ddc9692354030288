import type { ReactNode } from 'react';

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
