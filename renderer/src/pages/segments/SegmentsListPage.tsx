import { useTranslation } from 'react-i18next';
import { useSegmentList } from '../../api/queries.ts';
import type { SegmentListWithHistory } from '../../api/types.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { Panel } from '../../components/Panel.tsx';
import { Empty, ErrorState, Loading } from '../../components/StateViews.tsx';
import { useFormat } from '../../format/format.ts';
import { routeHref } from '../../shell/route.ts';
import { SizeSparkline } from './list/SizeSparkline.tsx';

type SegmentRow = SegmentListWithHistory['segments'][number];
type ProblemRow = SegmentListWithHistory['problems'][number];

const TEMPLATES_HREF = routeHref({ page: 'segments', segment: { kind: 'templates' } });

/**
 * Every saved segment with its live size, the last published size and the change, its size at the last builds,
 * the Klaviyo list it feeds, priority, holdout and consent; and the files that cannot be used, with where and
 * why. Broken files never blank the page: the usable segments are listed under them.
 */
export function SegmentsListPage() {
  const { t } = useTranslation();
  const list = useSegmentList();
  return (
    <div className="page segments-page">
      <div className="page__header page__header--actions">
        <div>
          <h1 className="page__title">{t('segments.list.title')}</h1>
          <p className="page__subtitle">{t('segmentList.subtitle')}</p>
        </div>
        <div className="page__actions">
          <a className="button" href={TEMPLATES_HREF}>
            {t('segmentList.templates')}
          </a>
          <a className="button" href={routeHref({ page: 'segments', segment: { kind: 'new' } })}>
            {t('segments.list.new')}
          </a>
        </div>
      </div>
      {list.isPending ? (
        <Loading rows={5} />
      ) : list.isError ? (
        <>
          <ErrorState
            title={t('segments.list.error')}
            error={list.error}
            onRetry={() => void list.refetch()}
          />
          {/* The templates need no built data: a workspace that cannot count yet can still start from one. */}
          <p className="segments-page__templates-hint">
            <a href={TEMPLATES_HREF}>{t('segmentList.errorTemplates')}</a>
          </p>
        </>
      ) : (
        <>
          {list.data.problems.length > 0 ? <ProblemsPanel problems={list.data.problems} /> : null}
          <Panel title={t('segments.list.savedTitle')} description={t('segmentList.savedDescription')}>
            {list.data.segments.length === 0 ? (
              <Empty>
                <p className="state__title">{t('segments.list.emptyTitle')}</p>
                <p>{t('segmentList.emptyHint')}</p>
                <p>
                  <a className="button" href={TEMPLATES_HREF}>
                    {t('segmentList.emptyAction')}
                  </a>
                </p>
              </Empty>
            ) : (
              <SegmentTable segments={list.data.segments} />
            )}
          </Panel>
        </>
      )}
    </div>
  );
}

function SegmentTable({ segments }: { segments: SegmentRow[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const columns: Column<SegmentRow>[] = [
    {
      key: 'name',
      header: t('segments.list.name'),
      cell: (row) => (
        <div className="segment-name">
          <a
            href={routeHref({ page: 'segments', segment: { kind: 'saved', name: row.name } })}
            translate="no"
            className="segment-link"
          >
            {row.name}
          </a>
          {row.description ? (
            <span className="segment-name__description muted" translate="no">
              {row.description}
            </span>
          ) : null}
        </div>
      ),
    },
    {
      key: 'count',
      header: t('segments.list.count'),
      numeric: true,
      cell: (row) => <span data-segment-count={row.name}>{format.integer(row.count)}</span>,
    },
    {
      key: 'published',
      header: t('segmentList.published'),
      numeric: true,
      cell: (row) =>
        row.lastSnapshot ? (
          <span className="published-size">
            <span
              title={format.dateTime(row.lastSnapshot.takenAt)}
              data-segment-published={row.name}
              translate="no"
            >
              {format.integer(row.lastSnapshot.memberCount)}
            </span>{' '}
            <Delta delta={row.delta} segment={row.name} />
          </span>
        ) : (
          <span className="muted">{t('segmentList.neverPublished')}</span>
        ),
    },
    {
      key: 'history',
      header: t('segmentList.history.header'),
      cell: (row) => <SizeSparkline segment={row.name} history={row.history} />,
    },
    {
      key: 'list',
      header: t('segmentList.klaviyoList'),
      cell: (row) => (
        <span className="klaviyo-list" data-segment-list={row.name}>
          <span translate="no">{row.klaviyoList.name}</span>
          {row.klaviyoList.synced ? null : (
            <>
              {' '}
              <span className="badge badge--muted">{t('segmentList.notSynced')}</span>
            </>
          )}
        </span>
      ),
    },
    {
      key: 'priority',
      header: t('segmentList.priority'),
      cell: (row) =>
        row.priorityGroup ? (
          <span data-segment-priority={row.name}>
            <span translate="no">{row.priorityGroup}</span>{' '}
            <span className="muted">#{row.priority ?? '–'}</span>
          </span>
        ) : (
          <span className="muted">{t('segmentList.none')}</span>
        ),
    },
    {
      key: 'holdout',
      header: t('segmentList.holdout'),
      numeric: true,
      cell: (row) =>
        row.holdoutPercent > 0 ? (
          <span data-segment-holdout={row.name}>{format.percent(row.holdoutPercent / 100, 1)}</span>
        ) : (
          <span className="muted">{t('segmentList.none')}</span>
        ),
    },
    {
      key: 'consent',
      header: t('segmentList.consent'),
      cell: (row) =>
        row.sensitive ? (
          <span className="badge badge--warn badge--wrap" data-segment-consent={row.name}>
            {t('segmentList.sensitive')}
            {row.consentColumns.length ? (
              <>
                {': '}
                <span translate="no">{row.consentColumns.join(', ')}</span>
              </>
            ) : null}
          </span>
        ) : (
          <span className="muted">{t('segmentList.none')}</span>
        ),
    },
  ];
  return (
    <DataTable
      caption={t('segments.list.savedTitle')}
      captionHidden
      columns={columns}
      rows={segments}
      rowKey={(row) => row.name}
    />
  );
}

function Delta({ delta, segment }: { delta: number | null; segment: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (delta === null) return null;
  const text = `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${format.integer(Math.abs(delta))}`;
  return (
    <span
      className={delta === 0 ? 'muted' : delta > 0 ? 'delta delta--up' : 'delta delta--down'}
      title={t('segmentList.deltaTitle')}
      data-segment-delta={segment}
    >
      ({text})
    </span>
  );
}

function ProblemsPanel({ problems }: { problems: ProblemRow[] }) {
  const { t } = useTranslation();
  return (
    <Panel
      title={t('segments.list.problemsTitle', { count: problems.length })}
      description={t('segments.list.problemsDescription')}
      className="panel--problems"
    >
      <ul className="problem-list" aria-label={t('segments.list.problemsTitle', { count: problems.length })}>
        {problems.map((problem, index) => (
          <li key={index} className="problem" data-problem-file={problem.file ?? ''}>
            <span className="problem__where" translate="no">
              {problem.file ?? problem.segment ?? ''}
              {problem.line ? `:${problem.line}${problem.column ? `:${problem.column}` : ''}` : ''}
            </span>{' '}
            <code className="problem__path" translate="no">
              {problem.path || t('segments.problems.topLevel')}
            </code>{' '}
            <span className="problem__message" translate="no">
              {problem.message}
            </span>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
