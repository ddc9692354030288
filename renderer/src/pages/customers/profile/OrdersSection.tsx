import { useTranslation } from 'react-i18next';
import type { CustomerProfile } from '../../../api/types.ts';
import { DataTable } from '../../../components/DataTable.tsx';
import { Panel } from '../../../components/Panel.tsx';
import { Empty } from '../../../components/StateViews.tsx';
import { useFormat } from '../../../format/format.ts';
import { Raw } from './Facts.tsx';

type Order = CustomerProfile['orders']['items'][number];

/** Orders of every channel, newest first; each opens to its lines. */
export function OrdersSection({ orders }: { orders: CustomerProfile['orders'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Panel
      title={t('profile.orders.title')}
      description={t('profile.orders.description', {
        count: orders.total,
        formatted: format.integer(orders.total),
      })}
    >
      {orders.items.length === 0 ? (
        <Empty>{t('profile.orders.empty')}</Empty>
      ) : (
        <ul className="timeline">
          {orders.items.map((order) => (
            <li key={order.orderId} className="timeline__item">
              <details className="order">
                <summary className="order__summary">
                  <time dateTime={order.orderedAt} className="order__date" translate="no">
                    {format.date(order.orderedAt)}
                  </time>
                  <span className="order__id" translate="no">
                    {order.channel} · {order.orderId}
                  </span>
                  <OrderBadges order={order} />
                  <span className="order__amount">{format.currency(order.revenue, { cents: true })}</span>
                </summary>
                <div className="order__body">
                  <p className="muted">
                    {t('profile.orders.status')}: <Raw>{order.status ?? '—'}</Raw>
                    {' · '}
                    {t('profile.orders.total')}:{' '}
                    {order.total === null ? '—' : format.currency(order.total, { cents: true })}
                    {order.refunded !== null && order.refunded > 0 ? (
                      <>
                        {' · '}
                        {t('profile.orders.refunded')}: {format.currency(order.refunded, { cents: true })}
                      </>
                    ) : null}
                  </p>
                  {order.lines.length === 0 ? (
                    <p className="muted">{t('profile.orders.noLines')}</p>
                  ) : (
                    <DataTable
                      caption={t('profile.orders.linesCaption')}
                      captionHidden
                      rows={order.lines}
                      rowKey={(_, index) => String(index)}
                      columns={[
                        {
                          key: 'product',
                          header: t('profile.orders.product'),
                          cell: (line) => (
                            <Raw>{line.title ?? (line.productId === null ? '—' : `#${line.productId}`)}</Raw>
                          ),
                        },
                        {
                          key: 'brand',
                          header: t('profile.orders.brandCategory'),
                          cell: (line) => (
                            <Raw>{[line.brand, line.category].filter(Boolean).join(' · ') || '—'}</Raw>
                          ),
                        },
                        {
                          key: 'qty',
                          header: t('profile.orders.quantity'),
                          numeric: true,
                          cell: (line) => format.integer(line.quantity),
                        },
                        {
                          key: 'revenue',
                          header: t('profile.orders.price'),
                          numeric: true,
                          cell: (line) =>
                            line.revenue === null ? '—' : format.currency(line.revenue, { cents: true }),
                        },
                      ]}
                    />
                  )}
                </div>
              </details>
            </li>
          ))}
        </ul>
      )}
      {orders.more > 0 ? (
        <p className="more">
          {t('profile.more', { count: orders.more, formatted: format.integer(orders.more) })}
        </p>
      ) : null}
    </Panel>
  );
}

function OrderBadges({ order }: { order: Order }) {
  const { t } = useTranslation();
  return (
    <span className="order__badges">
      {order.isCancelled ? <span className="badge badge--muted">{t('profile.orders.cancelled')}</span> : null}
      {order.isRefunded ? (
        <span className="badge badge--warn">{t('profile.orders.refundedBadge')}</span>
      ) : null}
      {order.isPaymentPending ? (
        <span className="badge badge--warn">{t('profile.orders.paymentPending')}</span>
      ) : null}
      {!order.isValid && !order.isCancelled ? (
        <span className="badge badge--muted">{t('profile.orders.invalid')}</span>
      ) : null}
    </span>
  );
}
