import { useTranslation } from 'react-i18next';
import type { Overview } from '../../api/types.ts';
import { heatClass } from '../../components/heat.ts';
import { Panel } from '../../components/Panel.tsx';
import { ScrollRegion } from '../../components/ScrollRegion.tsx';
import { Empty } from '../../components/StateViews.tsx';
import { useFormat } from '../../format/format.ts';

/**
 * Customers who bought on both channels of each pair. The diagonal holds each channel's own buyers; the
 * "only" column those who bought nowhere else. Channel names are data (shopify, amazon, …), not UI text.
 */
export function ChannelOverlap({ channels }: { channels: Overview['channels'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const names = channels.totals.map((row) => row.channel);
  const pair = new Map<string, number>();
  for (const overlap of channels.overlaps) {
    pair.set(`${overlap.a}\u0000${overlap.b}`, overlap.customers);
    pair.set(`${overlap.b}\u0000${overlap.a}`, overlap.customers);
  }
  const max = Math.max(0, ...channels.overlaps.map((row) => row.customers));
  return (
    <Panel title={t('overview.channels.title')} description={t('overview.channels.description')}>
      {names.length === 0 ? (
        <Empty>{t('overview.channels.empty')}</Empty>
      ) : (
        <ScrollRegion label={t('overview.channels.title')}>
          <table className="heatmap heatmap--matrix">
            <caption className="visually-hidden">{t('overview.channels.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('overview.channels.channel')}</th>
                {names.map((name) => (
                  <th key={name} scope="col" translate="no">
                    {name}
                  </th>
                ))}
                <th scope="col" className="num">
                  {t('overview.channels.only')}
                </th>
              </tr>
            </thead>
            <tbody>
              {channels.totals.map((row) => (
                <tr key={row.channel}>
                  <th scope="row" translate="no">
                    {row.channel}
                  </th>
                  {names.map((other) => {
                    if (other === row.channel) {
                      return (
                        <td key={other} className="heatmap__cell heatmap__cell--diagonal">
                          {format.integer(row.customers)}
                        </td>
                      );
                    }
                    const customers = pair.get(`${row.channel}\u0000${other}`) ?? 0;
                    return (
                      <td key={other} className={`heatmap__cell ${heatClass(customers, max)}`}>
                        {format.integer(customers)}
                      </td>
                    );
                  })}
                  <td className="num">{format.integer(row.only)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Panel>
  );
}
