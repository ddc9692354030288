import { useTranslation } from 'react-i18next';
import type { CustomerProfile } from '../../../api/types.ts';
import { Panel } from '../../../components/Panel.tsx';
import { useFormat } from '../../../format/format.ts';
import { Facts, Raw } from './Facts.tsx';

const FLAG_KEYS = [
  'isMarketable',
  'emailConsent',
  'isSuppressed',
  'hasValidEmail',
  'isRelayEmail',
  'isVip',
  'isCrossChannel',
  'isWinbackCandidate',
  'isHighValueAtRisk',
  'hasUnresolvedTicket',
  'hasDeviceWithoutRefill',
] as const;

/** Scores (RFM, CLV, p_alive, …), purchase metrics and the boolean flags the segments read. */
export function ScoresSection({ profile }: { profile: CustomerProfile }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { scores, metrics, flags } = profile;
  const num = (value: number | null, digits = 1) => (value === null ? null : format.decimal(value, digits));
  const score = (value: number | null) => (value === null ? null : format.integer(value));
  const list = (values: string[]) => (values.length > 0 ? <Raw>{values.join(', ')}</Raw> : null);
  const date = (iso: string | null) =>
    iso === null ? null : (
      <time dateTime={iso} translate="no">
        {format.date(iso)}
      </time>
    );
  return (
    <div className="grid grid--3">
      <Panel title={t('profile.scores.title')}>
        <Facts
          items={[
            {
              key: 'rfm',
              label: t('profile.scores.rfm'),
              value:
                scores.recency === null
                  ? null
                  : `${score(scores.recency)} · ${score(scores.frequency)} · ${score(scores.monetary)}`,
            },
            {
              key: 'rfmSegment',
              label: t('profile.scores.rfmSegment'),
              value: scores.rfmSegment && <Raw>{scores.rfmSegment}</Raw>,
            },
            {
              key: 'vipTier',
              label: t('profile.scores.vipTier'),
              value: scores.vipTier && <Raw>{scores.vipTier}</Raw>,
            },
            {
              key: 'clv',
              label: t('profile.scores.predictedClv12m'),
              value: format.currency(scores.predictedClv12m, { cents: true }),
            },
            {
              key: 'purchases',
              label: t('profile.scores.expectedPurchases12m'),
              value: num(scores.expectedPurchases12m, 2),
            },
            {
              key: 'eov',
              label: t('profile.scores.expectedOrderValue'),
              value:
                scores.expectedOrderValue === null
                  ? null
                  : format.currency(scores.expectedOrderValue, { cents: true }),
            },
            {
              key: 'pAlive',
              label: t('profile.scores.pAlive'),
              value: scores.pAlive === null ? null : format.percent(scores.pAlive, 1),
            },
            {
              key: 'engagement',
              label: t('profile.scores.engagementScore'),
              value: format.integer(scores.engagementScore),
            },
            {
              key: 'crossSell',
              label: t('profile.scores.crossSellScore'),
              value: format.integer(scores.crossSellScore),
            },
          ]}
        />
      </Panel>
      <Panel title={t('profile.metrics.title')}>
        <Facts
          items={[
            {
              key: 'aov',
              label: t('profile.metrics.averageOrderValue'),
              value:
                metrics.averageOrderValue === null
                  ? null
                  : format.currency(metrics.averageOrderValue, { cents: true }),
            },
            { key: 'first', label: t('profile.metrics.firstOrderAt'), value: date(metrics.firstOrderAt) },
            {
              key: 'days',
              label: t('profile.metrics.daysSinceLastOrder'),
              value: metrics.daysSinceLastOrder === null ? null : format.integer(metrics.daysSinceLastOrder),
            },
            { key: 'channels', label: t('profile.metrics.channels'), value: list(metrics.channels) },
            {
              key: 'categories',
              label: t('profile.metrics.preferredCategories'),
              value: list(metrics.preferredCategories),
            },
            {
              key: 'brands',
              label: t('profile.metrics.preferredBrands'),
              value: list(metrics.preferredBrands),
            },
            {
              key: 'refill',
              label: t('profile.metrics.nextReplenishmentDate'),
              value: date(metrics.nextReplenishmentDate),
            },
            {
              key: 'delivery',
              label: t('profile.metrics.averageDeliveryDays'),
              value: num(metrics.averageDeliveryDays),
            },
            {
              key: 'success',
              label: t('profile.metrics.deliverySuccessRate'),
              value:
                metrics.deliverySuccessRate === null ? null : format.percent(metrics.deliverySuccessRate, 1),
            },
          ]}
        />
      </Panel>
      <Panel title={t('profile.flags.title')}>
        <ul className="flags">
          {FLAG_KEYS.map((key) => (
            <li key={key} className={`flag ${flags[key] ? 'flag--on' : 'flag--off'}`}>
              <span className="flag__mark" aria-hidden="true">
                {flags[key] ? '●' : '○'}
              </span>
              {t(`flags.${key}`)}
              <span className="visually-hidden">: {flags[key] ? t('common.yes') : t('common.no')}</span>
            </li>
          ))}
        </ul>
        <Facts
          items={[
            {
              key: 'winback',
              label: t('profile.flags.winbackStage'),
              value:
                flags.winbackStage &&
                t(`winbackStage.${flags.winbackStage}`, { defaultValue: flags.winbackStage }),
            },
            {
              key: 'action',
              label: t('profile.flags.recommendedAction'),
              value: flags.recommendedAction && <Raw>{flags.recommendedAction}</Raw>,
            },
          ]}
        />
      </Panel>
    </div>
  );
}
