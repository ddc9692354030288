import { useTranslation } from 'react-i18next';
import type { Overview } from '../../api/types.ts';
import { useFormat } from '../../format/format.ts';

/** The six headline figures; each card is a term/definition pair so it reads as "label: value". */
export function KpiCards({ kpis }: { kpis: Overview['kpis'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const cards: { key: string; label: string; value: string; note?: string }[] = [
    { key: 'customers', label: t('kpi.customers'), value: format.integer(kpis.customers) },
    {
      key: 'buyers',
      label: t('kpi.buyers'),
      value: format.integer(kpis.buyers),
      note:
        kpis.customers > 0
          ? t('kpi.ofCustomers', { share: format.percent(kpis.buyers / kpis.customers) })
          : undefined,
    },
    {
      key: 'marketable',
      label: t('kpi.marketable'),
      value: format.integer(kpis.marketable),
      note:
        kpis.customers > 0
          ? t('kpi.ofCustomers', { share: format.percent(kpis.marketable / kpis.customers) })
          : undefined,
    },
    {
      key: 'revenue',
      label: t('kpi.revenue12m'),
      value: format.currency(kpis.revenueLast12Months),
      note: t('kpi.orders', {
        count: kpis.ordersLast12Months,
        formatted: format.integer(kpis.ordersLast12Months),
      }),
    },
    {
      key: 'aov',
      label: t('kpi.averageOrderValue'),
      value: kpis.averageOrderValue === null ? '—' : format.currency(kpis.averageOrderValue, { cents: true }),
      note: t('kpi.last12Months'),
    },
    {
      key: 'active',
      label: t('kpi.activeShare'),
      value: kpis.activeShare === null ? '—' : format.percent(kpis.activeShare, 1),
      note: t('kpi.activeBuyers', {
        count: kpis.activeCustomers,
        formatted: format.integer(kpis.activeCustomers),
      }),
    },
  ];
  return (
    <dl className="kpis">
      {cards.map((card) => (
        <div key={card.key} className="kpi" data-kpi={card.key}>
          <dt className="kpi__label">{card.label}</dt>
          <dd className="kpi__value">{card.value}</dd>
          {card.note ? <dd className="kpi__note">{card.note}</dd> : null}
        </div>
      ))}
    </dl>
  );
}
