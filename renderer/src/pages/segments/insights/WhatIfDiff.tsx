import { useTranslation } from 'react-i18next';
import type { CustomerRef, SegmentDiff } from '../../../../../core/api/schemas/segmentInsights.ts';
import { Panel } from '../../../components/Panel.tsx';
import { ErrorState, Loading } from '../../../components/StateViews.tsx';
import { useFormat } from '../../../format/format.ts';
import { CustomerLink } from './CustomerLink.tsx';
import { useSegmentDiff } from './insightQueries.ts';
import type { DraftInput } from './SegmentInsights.tsx';

type Comparison = Omit<NonNullable<SegmentDiff['saved']>, 'definitionHash'>;

/** Who the unsaved rules would add to and take off the list, against the saved file and the last publish. */
export function WhatIfDiff({ draft }: { draft: DraftInput | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  const diff = useSegmentDiff(draft ? { ...draft, sample: 10 } : null);
  let body;
  if (diff.isError)
    body = (
      <ErrorState
        title={t('segmentInsights.diff.error')}
        error={diff.error}
        onRetry={() => void diff.refetch()}
      />
    );
  else if (!diff.data) body = <Loading rows={3} />;
  else
    body = (
      <div className="insights__diff" aria-busy={diff.isFetching}>
        <Side
          testId="diff-saved"
          title={t('segmentInsights.diff.againstSaved')}
          comparison={diff.data.saved}
          none={t('segmentInsights.diff.neverSaved')}
        />
        <Side
          testId="diff-published"
          title={
            diff.data.published
              ? t('segmentInsights.diff.againstPublished', {
                  date: format.dateTime(diff.data.published.snapshot.takenAt),
                })
              : t('segmentInsights.diff.againstPublishedNone')
          }
          comparison={diff.data.published}
          none={t('segmentInsights.diff.neverPublished')}
        />
      </div>
    );
  return (
    <Panel title={t('segmentInsights.diff.title')} description={t('segmentInsights.diff.description')}>
      {body}
    </Panel>
  );
}

function Side({
  title,
  comparison,
  none,
  testId,
}: {
  title: string;
  comparison: Comparison | null;
  none: string;
  testId: string;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <section className="insights__card" data-testid={testId}>
      <h3 className="insights__card-title">{title}</h3>
      {comparison === null ? (
        <p className="note">{none}</p>
      ) : (
        <>
          <p className="insights__change">
            {t('segmentInsights.diff.beforeAfter', {
              before: format.integer(comparison.before),
              after: format.integer(comparison.after),
            })}
            {comparison.sameDefinition ? ` · ${t('segmentInsights.diff.sameRules')}` : ''}
          </p>
          <dl className="insights__counts">
            <div>
              <dt>{t('segmentInsights.diff.entered')}</dt>
              <dd className="insights__plus" data-count={comparison.entered.count}>
                +{format.integer(comparison.entered.count)}
              </dd>
            </div>
            <div>
              <dt>{t('segmentInsights.diff.left')}</dt>
              <dd className="insights__minus" data-count={comparison.left.count}>
                −{format.integer(comparison.left.count)}
              </dd>
            </div>
            <div>
              <dt>{t('segmentInsights.diff.stayed')}</dt>
              <dd data-count={comparison.stayed}>{format.integer(comparison.stayed)}</dd>
            </div>
          </dl>
          <Sample label={t('segmentInsights.diff.enteredSample')} side={comparison.entered} />
          <Sample label={t('segmentInsights.diff.leftSample')} side={comparison.left} />
        </>
      )}
    </section>
  );
}

function Sample({ label, side }: { label: string; side: { count: number; sample: CustomerRef[] } }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (!side.sample.length) return null;
  const more = side.count - side.sample.length;
  return (
    <div className="insights__sample">
      <p className="insights__sample-title">{label}</p>
      <ul aria-label={label}>
        {side.sample.map((customer) => (
          <li key={customer.customerId}>
            <CustomerLink customer={customer} />
          </li>
        ))}
      </ul>
      {more > 0 ? (
        <p className="note">
          {t('segmentInsights.diff.more', { count: more, formatted: format.integer(more) })}
        </p>
      ) : null}
    </div>
  );
}
