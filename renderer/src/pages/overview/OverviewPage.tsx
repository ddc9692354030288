import { useTranslation } from 'react-i18next';
import { useOverview } from '../../api/queries.ts';
import { Empty, ErrorState, Loading } from '../../components/StateViews.tsx';
import { ChannelOverlap } from './ChannelOverlap.tsx';
import { CohortRetention } from './CohortRetention.tsx';
import { EngagementHistogram, LifecycleChart, RevenueByMonth, ValueTiers } from './DistributionCharts.tsx';
import { FreshnessPanel } from './FreshnessPanel.tsx';
import { KpiCards } from './KpiCards.tsx';
import { RfmHeatMap } from './RfmHeatMap.tsx';

export function OverviewPage() {
  const { t } = useTranslation();
  const overview = useOverview();
  return (
    <div className="page">
      <div className="page__header">
        <h1 className="page__title">{t('overview.title')}</h1>
        <p className="page__subtitle">{t('overview.subtitle')}</p>
      </div>
      {overview.isPending ? (
        <Loading label={t('overview.loading')} rows={6} />
      ) : overview.isError ? (
        <ErrorState
          title={t('overview.error')}
          error={overview.error}
          onRetry={() => void overview.refetch()}
        />
      ) : overview.data.kpis.customers === 0 ? (
        <>
          <Empty>
            <p className="state__title">{t('overview.emptyTitle')}</p>
            <p>{t('overview.emptyHint')}</p>
          </Empty>
          <FreshnessPanel freshness={overview.data.freshness} />
        </>
      ) : (
        <div className="overview">
          <KpiCards kpis={overview.data.kpis} />
          <div className="grid grid--2">
            <LifecycleChart lifecycle={overview.data.lifecycle} />
            <ValueTiers tiers={overview.data.valueTiers} />
            <RfmHeatMap cells={overview.data.rfm} />
            <EngagementHistogram bins={overview.data.engagement} />
          </div>
          <RevenueByMonth months={overview.data.revenueByMonth} />
          <div className="grid grid--2">
            <ChannelOverlap channels={overview.data.channels} />
            <FreshnessPanel freshness={overview.data.freshness} />
          </div>
          <CohortRetention cohorts={overview.data.cohorts} />
        </div>
      )}
    </div>
  );
}
