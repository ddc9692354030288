import { useTranslation } from 'react-i18next';
import type { Overview } from '../../api/types.ts';
import { BarChartView } from '../../components/BarChartView.tsx';
import { ChartFigure } from '../../components/ChartFigure.tsx';
import { CHART_COLORS } from '../../components/chartColors.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { Panel } from '../../components/Panel.tsx';
import { Empty } from '../../components/StateViews.tsx';
import { useFormat } from '../../format/format.ts';

export function LifecycleChart({ lifecycle }: { lifecycle: Overview['lifecycle'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const data = lifecycle.map((row) => ({
    key: row.stage,
    label: t(`lifecycle.${row.stage}`),
    value: row.customers,
  }));
  const total = lifecycle.reduce((sum, row) => sum + row.customers, 0);
  return (
    <Panel title={t('overview.lifecycle.title')} description={t('overview.lifecycle.description')}>
      <ChartFigure
        summary={t('overview.lifecycle.summary')}
        chart={<BarChartView data={data} format={format.integer} layout="vertical" />}
        table={
          <DataTable
            caption={t('overview.lifecycle.title')}
            captionHidden
            rows={lifecycle}
            rowKey={(row) => row.stage}
            columns={[
              {
                key: 'stage',
                header: t('overview.lifecycle.stage'),
                cell: (row) => t(`lifecycle.${row.stage}`),
              },
              {
                key: 'customers',
                header: t('common.customers'),
                numeric: true,
                cell: (row) => format.integer(row.customers),
              },
              {
                key: 'share',
                header: t('common.share'),
                numeric: true,
                cell: (row) => (total > 0 ? format.percent(row.customers / total, 1) : '—'),
              },
            ]}
          />
        }
      />
    </Panel>
  );
}

export function ValueTiers({ tiers }: { tiers: Overview['valueTiers'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const data = tiers.map((row) => ({ key: row.tier, label: t(`valueTier.${row.tier}`), value: row.revenue }));
  return (
    <Panel title={t('overview.valueTiers.title')} description={t('overview.valueTiers.description')}>
      <ChartFigure
        summary={t('overview.valueTiers.summary')}
        chart={
          <BarChartView
            data={data}
            format={(value) => format.currency(value)}
            layout="vertical"
            color={CHART_COLORS.secondary}
          />
        }
        table={
          <DataTable
            caption={t('overview.valueTiers.title')}
            captionHidden
            rows={tiers}
            rowKey={(row) => row.tier}
            columns={[
              {
                key: 'tier',
                header: t('overview.valueTiers.tier'),
                cell: (row) => t(`valueTier.${row.tier}`),
              },
              {
                key: 'customers',
                header: t('common.customers'),
                numeric: true,
                cell: (row) => format.integer(row.customers),
              },
              {
                key: 'revenue',
                header: t('common.revenue'),
                numeric: true,
                cell: (row) => format.currency(row.revenue),
              },
            ]}
          />
        }
      />
    </Panel>
  );
}

export function EngagementHistogram({ bins }: { bins: Overview['engagement'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const range = (row: { from: number; to: number }) =>
    `${format.integer(row.from)}–${format.integer(row.to)}`;
  const data = bins.map((row) => ({ key: String(row.from), label: range(row), value: row.customers }));
  const empty = bins.every((row) => row.customers === 0);
  return (
    <Panel title={t('overview.engagement.title')} description={t('overview.engagement.description')}>
      {empty ? (
        <Empty>{t('overview.engagement.empty')}</Empty>
      ) : (
        <ChartFigure
          summary={t('overview.engagement.summary')}
          chart={<BarChartView data={data} format={format.integer} />}
          table={
            <DataTable
              caption={t('overview.engagement.title')}
              captionHidden
              rows={bins}
              rowKey={(row) => String(row.from)}
              columns={[
                { key: 'range', header: t('overview.engagement.score'), cell: range },
                {
                  key: 'customers',
                  header: t('common.customers'),
                  numeric: true,
                  cell: (row) => format.integer(row.customers),
                },
              ]}
            />
          }
        />
      )}
    </Panel>
  );
}

export function RevenueByMonth({ months }: { months: Overview['revenueByMonth'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const data = months.map((row) => ({ key: row.month, label: format.month(row.month), value: row.revenue }));
  const empty = months.every((row) => row.orders === 0);
  return (
    <Panel title={t('overview.revenue.title')} description={t('overview.revenue.description')}>
      {empty ? (
        <Empty>{t('overview.revenue.empty')}</Empty>
      ) : (
        <ChartFigure
          summary={t('overview.revenue.summary')}
          chart={<BarChartView data={data} format={(value) => format.currency(value)} height={240} />}
          table={
            <DataTable
              caption={t('overview.revenue.title')}
              captionHidden
              rows={months}
              rowKey={(row) => row.month}
              columns={[
                {
                  key: 'month',
                  header: t('common.month'),
                  cell: (row) => <span translate="no">{format.month(row.month, 'long')}</span>,
                },
                {
                  key: 'revenue',
                  header: t('common.revenue'),
                  numeric: true,
                  cell: (row) => format.currency(row.revenue),
                },
                {
                  key: 'orders',
                  header: t('common.orders'),
                  numeric: true,
                  cell: (row) => format.integer(row.orders),
                },
              ]}
            />
          }
        />
      )}
    </Panel>
  );
}
