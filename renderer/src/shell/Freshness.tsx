import { useTranslation } from 'react-i18next';
import { useFormat } from '../format/format.ts';

/** "Data as of …": the published build's reference time, with the exact instant as a tooltip. */
export function Freshness({ asOf }: { asOf: string | null | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (asOf === undefined) return null;
  if (asOf === null) return <span className="freshness freshness--none">{t('shell.noBuild')}</span>;
  return (
    <span className="freshness">
      {t('shell.dataAsOf')}{' '}
      <time dateTime={asOf} title={format.dateTime(asOf)} translate="no">
        {format.dateTime(asOf)}
      </time>
    </span>
  );
}
