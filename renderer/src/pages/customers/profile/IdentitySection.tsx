import { useTranslation } from 'react-i18next';
import type { CustomerProfile } from '../../../api/types.ts';
import { DataTable } from '../../../components/DataTable.tsx';
import { Panel } from '../../../components/Panel.tsx';
import { useFormat } from '../../../format/format.ts';
import { Raw } from './Facts.tsx';

/** Every source record merged into this customer, and why (the identity-resolution match method). */
export function IdentitySection({ identity }: { identity: CustomerProfile['identity'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Panel
      title={t('profile.identity.title')}
      description={t('profile.identity.description', { count: identity.sources.length })}
    >
      {identity.sourceIds.length > 0 ? (
        <ul className="chips" aria-label={t('profile.identity.sourceIds')}>
          {identity.sourceIds.map((id) => (
            <li key={id} className="chip" translate="no">
              {id}
            </li>
          ))}
        </ul>
      ) : null}
      <DataTable
        caption={t('profile.identity.sources')}
        captionHidden
        rows={identity.sources}
        rowKey={(row, index) => `${row.source}:${row.sourceRecordId}:${index}`}
        columns={[
          { key: 'source', header: t('profile.identity.source'), cell: (row) => <Raw>{row.source}</Raw> },
          {
            key: 'record',
            header: t('profile.identity.record'),
            cell: (row) => <Raw>{row.sourceRecordId}</Raw>,
          },
          {
            key: 'match',
            header: t('profile.identity.matchMethod'),
            cell: (row) => <Raw>{row.matchMethod}</Raw>,
          },
          {
            key: 'who',
            header: t('profile.identity.nameEmail'),
            cell: (row) => (
              <Raw>
                {[[row.firstName, row.lastName].filter(Boolean).join(' '), row.email]
                  .filter(Boolean)
                  .join(' · ')}
              </Raw>
            ),
          },
          {
            key: 'seen',
            header: t('profile.identity.seenAt'),
            cell: (row) => (row.seenAt ? <Raw>{format.date(row.seenAt)}</Raw> : '—'),
          },
        ]}
      />
    </Panel>
  );
}
