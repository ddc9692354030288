import { useTranslation } from 'react-i18next';
import type { CustomerProfile } from '../../../api/types.ts';
import { useFormat } from '../../../format/format.ts';

export function customerName(identity: CustomerProfile['identity']): string | null {
  const name = [identity.firstName, identity.lastName].filter(Boolean).join(' ');
  return name.length > 0 ? name : null;
}

/** Who this is, at a glance: name, email, id, place, stage and tier, and the headline numbers. */
export function ProfileHeader({ profile }: { profile: CustomerProfile }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { identity, scores, metrics } = profile;
  const name = customerName(identity);
  const place = [identity.postalCode, identity.city, identity.countryCode].filter(Boolean).join(' ');
  return (
    <div className="profile__header panel">
      <div className="profile__who">
        <h2 id="profile-title" className="profile__name" translate="no">
          {name ?? identity.email ?? identity.customerId}
        </h2>
        <p className="profile__contact" translate="no">
          {[identity.email, identity.customerId, place].filter(Boolean).join(' · ')}
        </p>
        <p className="profile__badges">
          <span className={`badge badge--stage-${scores.lifecycleStage}`}>
            {t(`lifecycle.${scores.lifecycleStage}`)}
          </span>
          <span className="badge">{t(`valueTier.${scores.valueTier}`)}</span>
          {profile.flags.isVip ? <span className="badge badge--accent">{t('flags.isVip')}</span> : null}
          {profile.flags.isMarketable ? (
            <span className="badge badge--ok">{t('flags.isMarketable')}</span>
          ) : (
            <span className="badge badge--muted">{t('profile.notMarketable')}</span>
          )}
        </p>
      </div>
      <dl className="profile__numbers">
        <div>
          <dt>{t('profile.metrics.lifetimeRevenue')}</dt>
          <dd>{format.currency(metrics.lifetimeRevenue, { cents: true })}</dd>
        </div>
        <div>
          <dt>{t('profile.metrics.totalOrders')}</dt>
          <dd>{format.integer(metrics.totalOrders)}</dd>
        </div>
        <div>
          <dt>{t('profile.scores.predictedClv12m')}</dt>
          <dd>{format.currency(scores.predictedClv12m, { cents: true })}</dd>
        </div>
        <div>
          <dt>{t('profile.metrics.lastOrderAt')}</dt>
          <dd>
            {metrics.lastOrderAt ? (
              <time dateTime={metrics.lastOrderAt} translate="no">
                {format.date(metrics.lastOrderAt)}
              </time>
            ) : (
              t('common.never')
            )}
          </dd>
        </div>
      </dl>
    </div>
  );
}
