import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SegmentMembers } from '../../../../../core/api/schemas/segmentInsights.ts';
import { DataTable, type Column } from '../../../components/DataTable.tsx';
import { Panel } from '../../../components/Panel.tsx';
import { Empty, ErrorState, Loading } from '../../../components/StateViews.tsx';
import { useFormat } from '../../../format/format.ts';
import { CustomerLink } from './CustomerLink.tsx';
import { useSegmentMembers } from './insightQueries.ts';
import type { DraftInput } from './SegmentInsights.tsx';

export const PAGE_SIZE = 20;

type Row = SegmentMembers['rows'][number];

/** A page of members (customer id order) with the columns the rules read; a name opens the 360 profile. */
export function MembersTable({ draft }: { draft: DraftInput | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [offset, setOffset] = useState(0);
  // Other rules, other members: back to the first page.
  useEffect(() => {
    if (draft) setOffset(0);
  }, [draft]);
  const members = useSegmentMembers(draft ? { ...draft, offset, limit: PAGE_SIZE } : null);
  const page = members.data;
  const valueText = (value: Row['values'][string]) =>
    value === null
      ? '–'
      : typeof value === 'boolean'
        ? value
          ? t('common.yes')
          : t('common.no')
        : typeof value === 'number'
          ? format.decimal(value, Number.isInteger(value) ? 0 : 2)
          : value;
  const columns: Column<Row>[] = [
    {
      key: 'customer',
      header: t('segmentInsights.members.customer'),
      cell: (r) => <CustomerLink customer={r} />,
    },
    {
      key: 'email',
      header: t('segmentInsights.members.email'),
      cell: (r) => <span translate="no">{r.email ?? '–'}</span>,
    },
    ...(page?.columns ?? []).map((column) => ({
      key: `c:${column}`,
      // a column name, through t() so the header counts as translated (the name is data)
      header: t('segmentInsights.members.column', { column }),
      cell: (r: Row) => <span translate="no">{valueText(r.values[column] ?? null)}</span>,
    })),
  ];
  let body;
  if (members.isError)
    body = (
      <ErrorState
        title={t('segmentInsights.members.error')}
        error={members.error}
        onRetry={() => void members.refetch()}
      />
    );
  else if (!page) body = <Loading rows={4} />;
  else if (page.total === 0) body = <Empty>{t('segmentInsights.members.none')}</Empty>;
  else
    body = (
      <>
        <DataTable
          caption={t('segmentInsights.members.caption')}
          captionHidden
          columns={columns}
          rows={page.rows}
          rowKey={(r) => r.customerId}
        />
        <div className="insights__pager">
          <button
            type="button"
            className="button"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
          >
            {t('segmentInsights.members.previous')}
          </button>
          <span aria-live="polite">
            {t('segmentInsights.members.range', {
              from: format.integer(page.rows.length ? page.offset + 1 : 0),
              to: format.integer(page.offset + page.rows.length),
              total: format.integer(page.total),
            })}
          </span>
          <button
            type="button"
            className="button"
            disabled={page.offset + page.rows.length >= page.total}
            onClick={() => setOffset(offset + PAGE_SIZE)}
          >
            {t('segmentInsights.members.next')}
          </button>
        </div>
      </>
    );
  return (
    <Panel title={t('segmentInsights.members.title')} description={t('segmentInsights.members.description')}>
      {body}
    </Panel>
  );
}
