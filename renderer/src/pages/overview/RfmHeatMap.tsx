import { useTranslation } from 'react-i18next';
import type { Overview } from '../../api/types.ts';
import { heatClass } from '../../components/heat.ts';
import { Panel } from '../../components/Panel.tsx';
import { ScrollRegion } from '../../components/ScrollRegion.tsx';
import { Empty } from '../../components/StateViews.tsx';
import { useFormat } from '../../format/format.ts';

const SCORES = [1, 2, 3, 4, 5] as const;

/**
 * Buyers per recency × frequency score, drawn as a heat-map table: a real <table> with row and column
 * headers, so screen readers announce "recency 5, frequency 3: 1.234 customers" without a separate fallback.
 * Best customers (recent and frequent) sit top right.
 */
export function RfmHeatMap({ cells }: { cells: Overview['rfm'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const lookup = new Map(cells.map((cell) => [`${cell.recency}:${cell.frequency}`, cell]));
  const max = Math.max(0, ...cells.map((cell) => cell.customers));
  return (
    <Panel title={t('overview.rfm.title')} description={t('overview.rfm.description')}>
      {max === 0 ? (
        <Empty>{t('overview.rfm.empty')}</Empty>
      ) : (
        <ScrollRegion label={t('overview.rfm.title')}>
          <table className="heatmap heatmap--rfm">
            <caption className="visually-hidden">{t('overview.rfm.caption')}</caption>
            <thead>
              <tr>
                <td className="heatmap__corner">
                  <span className="axis-label axis-label--y">{t('overview.rfm.recency')}</span>
                  <span className="axis-label axis-label--x">{t('overview.rfm.frequency')}</span>
                </td>
                {SCORES.map((frequency) => (
                  <th
                    key={frequency}
                    scope="col"
                    aria-label={t('overview.rfm.frequencyScore', { score: frequency })}
                  >
                    {format.integer(frequency)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...SCORES].reverse().map((recency) => (
                <tr key={recency}>
                  <th scope="row" aria-label={t('overview.rfm.recencyScore', { score: recency })}>
                    {format.integer(recency)}
                  </th>
                  {SCORES.map((frequency) => {
                    const cell = lookup.get(`${recency}:${frequency}`);
                    const customers = cell?.customers ?? 0;
                    return (
                      <td
                        key={frequency}
                        className={`heatmap__cell ${heatClass(customers, max)}`}
                        title={
                          cell
                            ? t('overview.rfm.cellRevenue', { revenue: format.currency(cell.revenue) })
                            : undefined
                        }
                      >
                        {format.integer(customers)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Panel>
  );
}
