import { useTranslation } from 'react-i18next';
import type { Overview } from '../../api/types.ts';
import { heatClass } from '../../components/heat.ts';
import { Panel } from '../../components/Panel.tsx';
import { ScrollRegion } from '../../components/ScrollRegion.tsx';
import { Empty } from '../../components/StateViews.tsx';
import { useFormat } from '../../format/format.ts';

/**
 * First-order cohorts × months since the first order: the share of each cohort that ordered again in that
 * month. Younger cohorts have fewer months, hence the triangle; cells not reached yet stay empty.
 */
export function CohortRetention({ cohorts }: { cohorts: Overview['cohorts'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const width = Math.max(0, ...cohorts.map((cohort) => cohort.retention.length));
  const months = Array.from({ length: width }, (_, index) => index + 1);
  const max = Math.max(0, ...cohorts.flatMap((cohort) => cohort.retention.map((cell) => cell.share)));
  return (
    <Panel title={t('overview.cohorts.title')} description={t('overview.cohorts.description')}>
      {cohorts.length === 0 ? (
        <Empty>{t('overview.cohorts.empty')}</Empty>
      ) : (
        <ScrollRegion className="table-wrap--scroll" label={t('overview.cohorts.title')}>
          <table className="heatmap heatmap--cohorts">
            <caption className="visually-hidden">{t('overview.cohorts.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('overview.cohorts.cohort')}</th>
                <th scope="col" className="num">
                  {t('common.customers')}
                </th>
                {months.map((month) => (
                  <th
                    key={month}
                    scope="col"
                    className="num"
                    aria-label={t('overview.cohorts.monthN', { n: month })}
                  >
                    {t('overview.cohorts.monthShort', { n: month })}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {cohorts.map((cohort) => {
                const byMonth = new Map(cohort.retention.map((cell) => [cell.monthsSinceFirstOrder, cell]));
                return (
                  <tr key={cohort.month}>
                    <th scope="row" translate="no">
                      {format.month(cohort.month)}
                    </th>
                    <td className="num">{format.integer(cohort.customers)}</td>
                    {months.map((month) => {
                      const cell = byMonth.get(month);
                      return cell ? (
                        <td
                          key={month}
                          className={`heatmap__cell ${heatClass(cell.share, max)}`}
                          title={t('overview.cohorts.cellTitle', {
                            customers: format.integer(cell.customers),
                          })}
                        >
                          {format.percent(cell.share, 1)}
                        </td>
                      ) : (
                        <td key={month} className="heatmap__cell heatmap__cell--future" />
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Panel>
  );
}
