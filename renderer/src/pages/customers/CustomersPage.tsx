import { useTranslation } from 'react-i18next';
import { Empty } from '../../components/StateViews.tsx';
import { navigate } from '../../shell/route.ts';
import { ProfileView } from './profile/ProfileView.tsx';
import { SearchPanel } from './SearchPanel.tsx';

/** Search on the left, the selected customer's 360 profile on the right; the selection lives in the URL. */
export function CustomersPage({ customerId }: { customerId: string | null }) {
  const { t } = useTranslation();
  return (
    <div className="page">
      <div className="page__header">
        <h1 className="page__title">{t('customers.title')}</h1>
        <p className="page__subtitle">{t('customers.subtitle')}</p>
      </div>
      <div className="customers">
        <SearchPanel
          selectedId={customerId}
          onSelect={(id) => navigate({ page: 'customers', customerId: id })}
        />
        <div className="customers__profile">
          {customerId === null ? (
            <Empty>
              <p className="state__title">{t('customers.noSelectionTitle')}</p>
              <p>{t('customers.noSelectionHint')}</p>
            </Empty>
          ) : (
            <ProfileView customerId={customerId} />
          )}
        </div>
      </div>
    </div>
  );
}
