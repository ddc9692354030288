import { useTranslation } from 'react-i18next';
import { useCustomerProfile } from '../../../api/queries.ts';
import { ErrorState, Loading } from '../../../components/StateViews.tsx';
import { ActivitySections } from './ActivitySections.tsx';
import { IdentitySection } from './IdentitySection.tsx';
import { OrdersSection } from './OrdersSection.tsx';
import { ProfileHeader } from './ProfileHeader.tsx';
import { ScoresSection } from './ScoresSection.tsx';
import { SegmentsSection } from './SegmentsSection.tsx';

/** The 360 profile of one customer: every section reads the one bounded profile the API returns. */
export function ProfileView({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const profile = useCustomerProfile(customerId);
  if (profile.isPending) return <Loading label={t('profile.loading')} rows={8} />;
  if (profile.isError) {
    return (
      <ErrorState title={t('profile.error')} error={profile.error} onRetry={() => void profile.refetch()} />
    );
  }
  const data = profile.data;
  return (
    <article className="profile" aria-labelledby="profile-title">
      <ProfileHeader profile={data} />
      <ScoresSection profile={data} />
      <IdentitySection identity={data.identity} />
      <OrdersSection orders={data.orders} />
      <ActivitySections profile={data} />
      <SegmentsSection segments={data.segments} problems={data.segmentProblems} />
    </article>
  );
}
