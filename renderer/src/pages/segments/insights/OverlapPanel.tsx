import { useTranslation } from 'react-i18next';
import type { SegmentPreview } from '../../../api/types.ts';
import { ChartFigure } from '../../../components/ChartFigure.tsx';
import { DataTable } from '../../../components/DataTable.tsx';
import { Panel } from '../../../components/Panel.tsx';
import { Empty, ErrorState, Loading } from '../../../components/StateViews.tsx';
import { useFormat } from '../../../format/format.ts';
import { InsightBars } from './InsightBars.tsx';
import { useSegmentPriority } from './insightQueries.ts';
import type { DraftInput } from './SegmentInsights.tsx';

type Overlap = SegmentPreview['overlaps'][number];

/** Customers shared with every other saved segment (from the preview), largest overlap first. */
export function OverlapPanel({ preview }: { preview: SegmentPreview | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  const rows = [...(preview?.overlaps ?? [])].sort(
    (a, b) => b.overlap - a.overlap || a.segment.localeCompare(b.segment),
  );
  return (
    <Panel title={t('segmentInsights.overlap.title')} description={t('segmentInsights.overlap.description')}>
      {!preview ? (
        <Loading rows={3} />
      ) : rows.length === 0 ? (
        <Empty>{t('segmentInsights.overlap.none')}</Empty>
      ) : (
        <ChartFigure
          summary={t('segmentInsights.overlap.summary')}
          chart={
            <InsightBars
              format={format.integer}
              data={rows.map((o) => ({ key: o.segment, label: o.segment, value: o.overlap }))}
            />
          }
          table={
            <DataTable<Overlap>
              caption={t('segmentInsights.overlap.summary')}
              captionHidden
              rows={rows}
              rowKey={(o) => o.segment}
              columns={[
                {
                  key: 'segment',
                  header: t('segmentInsights.overlap.segment'),
                  cell: (o) => <span translate="no">{o.segment}</span>,
                },
                {
                  key: 'size',
                  header: t('segmentInsights.overlap.size'),
                  numeric: true,
                  cell: (o) => format.integer(o.size),
                },
                {
                  key: 'overlap',
                  header: t('segmentInsights.overlap.shared'),
                  numeric: true,
                  cell: (o) => format.integer(o.overlap),
                },
                {
                  key: 'jaccard',
                  header: t('segmentInsights.overlap.jaccard'),
                  numeric: true,
                  cell: (o) => format.percent(o.jaccard, 1),
                },
              ]}
            />
          }
        />
      )}
    </Panel>
  );
}

/** Before publishing: who each segment of the priority group would claim, with the edit in place. */
export function PriorityPanel({ draft }: { draft: DraftInput | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  const priority = useSegmentPriority(draft);
  const group = priority.data;
  return (
    <Panel
      title={t('segmentInsights.priority.title')}
      description={t('segmentInsights.priority.description')}
    >
      {priority.isError ? (
        <ErrorState
          title={t('segmentInsights.priority.error')}
          error={priority.error}
          onRetry={() => void priority.refetch()}
        />
      ) : group === undefined ? (
        <Loading rows={2} />
      ) : group === null ? (
        <Empty>{t('segmentInsights.priority.noGroup')}</Empty>
      ) : (
        <>
          <p className="note">
            {t('segmentInsights.priority.groupNote', {
              group: group.group,
              claimed: format.integer(group.claimedByGroup),
            })}
          </p>
          <DataTable
            caption={t('segmentInsights.priority.caption', { group: group.group })}
            rows={group.segments}
            rowKey={(s) => s.segment}
            columns={[
              {
                key: 'priority',
                header: t('segmentInsights.priority.priority'),
                numeric: true,
                cell: (s) => format.integer(s.priority),
              },
              {
                key: 'segment',
                header: t('segmentInsights.priority.segment'),
                cell: (s) => (
                  <>
                    <span translate="no">{s.segment}</span>
                    {s.isDraft ? (
                      <span className="insights__badge"> {t('segmentInsights.priority.thisOne')}</span>
                    ) : null}
                  </>
                ),
              },
              {
                key: 'wouldBe',
                header: t('segmentInsights.priority.wouldBe'),
                numeric: true,
                cell: (s) => format.integer(s.wouldBe),
              },
              {
                key: 'claimed',
                header: t('segmentInsights.priority.claimed'),
                numeric: true,
                cell: (s) => <span data-count={s.claimed}>{format.integer(s.claimed)}</span>,
              },
              {
                key: 'lost',
                header: t('segmentInsights.priority.lost'),
                cell: (s) =>
                  s.lostTo.filter((l) => l.count > 0).length === 0
                    ? '–'
                    : s.lostTo
                        .filter((l) => l.count > 0)
                        .map((l) =>
                          t('segmentInsights.priority.lostTo', {
                            segment: l.segment,
                            count: l.count,
                            formatted: format.integer(l.count),
                          }),
                        )
                        .join(', '),
              },
            ]}
          />
        </>
      )}
    </Panel>
  );
}
