import { useTranslation } from 'react-i18next';
import type { SegmentOverlaps } from '../../../../../core/api/schemas/segmentInsights.ts';
import { heatClass } from '../../../components/heat.ts';
import { Panel } from '../../../components/Panel.tsx';
import { ScrollRegion } from '../../../components/ScrollRegion.tsx';
import { Empty, ErrorState, Loading } from '../../../components/StateViews.tsx';
import { useFormat } from '../../../format/format.ts';
import { useSegmentOverlaps } from './insightQueries.ts';
import type { DraftInput } from './SegmentInsights.tsx';

/**
 * Every pair of segments at once — the edit and the saved segments that share most with it — as a matrix: a
 * cell holds the customers both share, shaded by the Jaccard index (shared ÷ in either), and its hover (title)
 * says both; the diagonal holds each segment's size. Columns are numbered to keep the square compact; each
 * number is the row of the same segment, its name on hover. Segment names are data: never translated.
 */
export function OverlapMatrixPanel({ draft }: { draft: DraftInput | null }) {
  const { t } = useTranslation();
  const matrix = useSegmentOverlaps(draft);
  return (
    <Panel title={t('segmentInsights.matrix.title')} description={t('segmentInsights.matrix.description')}>
      {matrix.isError ? (
        <ErrorState
          title={t('segmentInsights.matrix.error')}
          error={matrix.error}
          onRetry={() => void matrix.refetch()}
        />
      ) : !matrix.data ? (
        <Loading rows={3} />
      ) : matrix.data.segments.length < 2 ? (
        <Empty>{t('segmentInsights.overlap.none')}</Empty>
      ) : (
        <OverlapMatrix matrix={matrix.data} />
      )}
    </Panel>
  );
}

export function OverlapMatrix({ matrix }: { matrix: SegmentOverlaps }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { segments } = matrix;
  const cell = new Map<string, SegmentOverlaps['pairs'][number]>();
  for (const pair of matrix.pairs) {
    cell.set(`${pair.a}:${pair.b}`, pair);
    cell.set(`${pair.b}:${pair.a}`, pair);
  }
  const maxJaccard = Math.max(0, ...matrix.pairs.map((p) => p.jaccard));
  return (
    <>
      <ScrollRegion label={t('segmentInsights.matrix.title')}>
        <table className="heatmap heatmap--matrix overlap-matrix" data-testid="overlap-matrix">
          <caption className="visually-hidden">{t('segmentInsights.matrix.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('segmentInsights.overlap.segment')}</th>
              {segments.map((s, i) => (
                <th key={s.name} scope="col">
                  <span aria-hidden="true" translate="no" title={s.name}>
                    {i + 1}
                  </span>
                  <span className="visually-hidden" translate="no">
                    {s.name}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {segments.map((row, i) => (
              <tr key={row.name} data-segment={row.name}>
                <th scope="row">
                  <span className="overlap-matrix__row">
                    <span className="overlap-matrix__index">{i + 1}</span>{' '}
                    <span className="overlap-matrix__name" translate="no" title={row.name}>
                      {row.name}
                    </span>{' '}
                    {row.isDraft ? (
                      <span className="insights__badge">{t('segmentInsights.priority.thisOne')}</span>
                    ) : null}
                  </span>
                </th>
                {segments.map((column, j) => {
                  if (i === j)
                    return (
                      <td
                        key={column.name}
                        className="heatmap__cell heatmap__cell--diagonal"
                        title={t('segmentInsights.matrix.sizeTitle', {
                          segment: row.name,
                          size: format.integer(row.size),
                        })}
                      >
                        {format.integer(row.size)}
                      </td>
                    );
                  const pair = cell.get(`${i}:${j}`)!;
                  return (
                    <td
                      key={column.name}
                      className={`heatmap__cell ${heatClass(pair.jaccard, maxJaccard)}`}
                      data-overlap={pair.overlap}
                      data-jaccard={pair.jaccard}
                      title={t('segmentInsights.matrix.cellTitle', {
                        a: row.name,
                        b: column.name,
                        shared: format.integer(pair.overlap),
                        jaccard: format.percent(pair.jaccard, 1),
                      })}
                    >
                      {format.integer(pair.overlap)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <p className="note">
        {t('segmentInsights.matrix.note', { ms: format.integer(Math.round(matrix.ms)) })}
        {matrix.omitted > 0 ? ` ${t('segmentInsights.matrix.omitted', { count: matrix.omitted })}` : ''}
      </p>
    </>
  );
}
