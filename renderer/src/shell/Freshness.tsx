import { useTranslation } from 'react-i18next';
import { useFormat } from '../format/format.ts';

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * "Data as of …": the published data's reference time. workspace.info sends a calendar day (YYYY-MM-DD),
 * the Overview an instant; a day is shown as a date, an instant with its time.
 */
export function Freshness({ asOf }: { asOf: string | null | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (asOf === undefined) return null;
  if (asOf === null) return <span className="freshness freshness--none">{t('shell.noBuild')}</span>;
  const text = DAY_ONLY.test(asOf) ? format.date(asOf) : format.dateTime(asOf);
  return (
    <span className="freshness">
      {t('shell.dataAsOf')}{' '}
      <time dateTime={asOf} translate="no">
        {text}
      </time>
    </span>
  );
}
