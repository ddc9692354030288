import { useTranslation } from 'react-i18next';
import type { Overview } from '../../api/types.ts';
import { Panel } from '../../components/Panel.tsx';
import { useFormat } from '../../format/format.ts';

/** When the data was taken (as_of), when it was published, and how the last build went. */
export function FreshnessPanel({ freshness }: { freshness: Overview['freshness'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const when = (iso: string | null) =>
    iso === null ? (
      t('common.never')
    ) : (
      <time dateTime={iso} translate="no">
        {format.dateTime(iso)}
      </time>
    );
  const build = freshness.lastBuild;
  return (
    <Panel title={t('overview.freshness.title')} description={t('overview.freshness.description')}>
      <dl className="facts">
        <div className="facts__row">
          <dt>{t('overview.freshness.asOf')}</dt>
          <dd>{when(freshness.asOf)}</dd>
        </div>
        <div className="facts__row">
          <dt>{t('overview.freshness.published')}</dt>
          <dd>{when(freshness.lastPublishedAt)}</dd>
        </div>
        <div className="facts__row">
          <dt>{t('overview.freshness.lastBuild')}</dt>
          <dd>
            {build === null ? (
              t('overview.freshness.noBuild')
            ) : (
              <>
                <span className={`badge badge--${build.status}`}>{t(`buildStatus.${build.status}`)}</span>{' '}
                {when(build.finishedAt ?? build.startedAt)}
                {build.seconds !== null ? (
                  <span className="muted">
                    {' · '}
                    {t('overview.freshness.duration', { seconds: format.decimal(build.seconds, 1) })}
                  </span>
                ) : null}
              </>
            )}
          </dd>
        </div>
      </dl>
    </Panel>
  );
}
