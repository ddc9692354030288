import { useTranslation } from 'react-i18next';
import { useSegmentList } from '../../api/queries.ts';
import type { SegmentList } from '../../api/types.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { Panel } from '../../components/Panel.tsx';
import { Empty, ErrorState, Loading } from '../../components/StateViews.tsx';
import { useFormat } from '../../format/format.ts';
import { routeHref } from '../../shell/route.ts';

type SegmentRow = SegmentList['segments'][number];
type ProblemRow = SegmentList['problems'][number];

/** Every saved segment with its live size, the last snapshot's size and the change, and the unusable files. */
export function SegmentsListPage() {
  const { t } = useTranslation();
  const list = useSegmentList();
  return (
    <div className="page segments-page">
      <div className="page__header page__header--actions">
        <div>
          <h1 className="page__title">{t('segments.list.title')}</h1>
          <p className="page__subtitle">{t('segments.list.subtitle')}</p>
        </div>
        <a className="button" href={routeHref({ page: 'segments', segment: { kind: 'new' } })}>
          {t('segments.list.new')}
        </a>
      </div>
      {list.isPending ? (
        <Loading rows={5} />
      ) : list.isError ? (
        <ErrorState title={t('segments.list.error')} error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          {list.data.problems.length > 0 ? <ProblemsPanel problems={list.data.problems} /> : null}
          <Panel title={t('segments.list.savedTitle')} description={t('segments.list.savedDescription')}>
            {list.data.segments.length === 0 ? (
              <Empty>
                <p className="state__title">{t('segments.list.emptyTitle')}</p>
                <p>{t('segments.list.emptyHint')}</p>
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
        <a
          href={routeHref({ page: 'segments', segment: { kind: 'saved', name: row.name } })}
          translate="no"
          className="segment-link"
        >
          {row.name}
        </a>
      ),
    },
    {
      key: 'description',
      header: t('segments.list.description'),
      cell: (row) => <span translate="no">{row.description}</span>,
    },
    {
      key: 'count',
      header: t('segments.list.count'),
      numeric: true,
      cell: (row) => <span data-segment-count={row.name}>{format.integer(row.count)}</span>,
    },
    {
      key: 'snapshot',
      header: t('segments.list.lastSnapshot'),
      numeric: true,
      cell: (row) =>
        row.lastSnapshot ? (
          <span title={format.dateTime(row.lastSnapshot.takenAt)} translate="no">
            {format.integer(row.lastSnapshot.memberCount)}
          </span>
        ) : (
          <span className="muted">{t('segments.list.noSnapshot')}</span>
        ),
    },
    {
      key: 'delta',
      header: t('segments.list.delta'),
      numeric: true,
      cell: (row) =>
        row.delta === null ? (
          <span className="muted">{t('segments.list.noDelta')}</span>
        ) : (
          <span
            className={row.delta === 0 ? 'muted' : row.delta > 0 ? 'delta delta--up' : 'delta delta--down'}
          >
            {row.delta > 0 ? '+' : row.delta < 0 ? '−' : ''}
            {format.integer(Math.abs(row.delta))}
          </span>
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
