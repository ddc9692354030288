import { useTranslation } from 'react-i18next';
import type { CustomerProfile } from '../../../api/types.ts';
import { DataTable } from '../../../components/DataTable.tsx';
import { Panel } from '../../../components/Panel.tsx';
import { Empty } from '../../../components/StateViews.tsx';
import { useFormat } from '../../../format/format.ts';
import { Facts, Raw, Term } from './Facts.tsx';

/** Shipments with their tracking events, email engagement and support tickets. */
export function ActivitySections({ profile }: { profile: CustomerProfile }) {
  return (
    <>
      <ShipmentsSection shipments={profile.shipments} />
      <div className="grid grid--2">
        <EmailSection email={profile.email} />
        <TicketsSection tickets={profile.tickets} />
      </div>
    </>
  );
}

function ShipmentsSection({ shipments }: { shipments: CustomerProfile['shipments'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Panel title={t('profile.shipments.title')}>
      {shipments.items.length === 0 ? (
        <Empty>{t('profile.shipments.empty')}</Empty>
      ) : (
        <ul className="timeline">
          {shipments.items.map((shipment) => (
            <li key={shipment.shipmentId} className="timeline__item">
              <details className="order">
                <summary className="order__summary">
                  <span className="order__date" translate="no">
                    {(shipment.shippedAt ?? shipment.labelCreatedAt)
                      ? format.date((shipment.shippedAt ?? shipment.labelCreatedAt) as string)
                      : '—'}
                  </span>
                  <span className="order__id" translate="no">
                    {[shipment.carrier, shipment.trackingNumber ?? shipment.shipmentId]
                      .filter(Boolean)
                      .join(' · ')}
                  </span>
                  <span className="order__badges">
                    <span className="badge">
                      <Term group="shipmentStatus" value={shipment.status} />
                    </span>
                  </span>
                  <span className="order__amount muted" translate="no">
                    {shipment.orderId}
                  </span>
                </summary>
                <div className="order__body">
                  {shipment.events.length === 0 ? (
                    <p className="muted">{t('profile.shipments.noEvents')}</p>
                  ) : (
                    <ol className="events" aria-label={t('profile.shipments.events')}>
                      {shipment.events.map((event, index) => (
                        <li key={index}>
                          <time dateTime={event.at} translate="no">
                            {format.dateTime(event.at)}
                          </time>{' '}
                          <Term group="shipmentStatus" value={event.type} />
                        </li>
                      ))}
                    </ol>
                  )}
                </div>
              </details>
            </li>
          ))}
        </ul>
      )}
      {shipments.more > 0 ? (
        <p className="more">
          {t('profile.more', { count: shipments.more, formatted: format.integer(shipments.more) })}
        </p>
      ) : null}
    </Panel>
  );
}

function EmailSection({ email }: { email: CustomerProfile['email'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Panel title={t('profile.email.title')} description={t('profile.email.description')}>
      <Facts
        items={[
          {
            key: 'received',
            label: t('profile.email.received90d'),
            value: format.integer(email.received90d),
          },
          { key: 'opens', label: t('profile.email.opens90d'), value: format.integer(email.opens90d) },
          { key: 'clicks', label: t('profile.email.clicks90d'), value: format.integer(email.clicks90d) },
          {
            key: 'rate',
            label: t('profile.email.clickRate90d'),
            value: email.clickRate90d === null ? null : format.percent(email.clickRate90d, 1),
          },
          {
            key: 'lastOpen',
            label: t('profile.email.lastOpenAt'),
            value: email.lastOpenAt && <Raw>{format.date(email.lastOpenAt)}</Raw>,
          },
          {
            key: 'lastClick',
            label: t('profile.email.lastClickAt'),
            value: email.lastClickAt && <Raw>{format.date(email.lastClickAt)}</Raw>,
          },
        ]}
      />
      {email.recent.length === 0 ? (
        <Empty>{t('profile.email.empty')}</Empty>
      ) : (
        <DataTable
          caption={t('profile.email.recent')}
          rows={email.recent}
          rowKey={(_, index) => String(index)}
          columns={[
            { key: 'at', header: t('profile.email.at'), cell: (row) => <Raw>{format.dateTime(row.at)}</Raw> },
            {
              key: 'metric',
              header: t('profile.email.metric'),
              cell: (row) => (
                <>
                  <Raw>{row.metric}</Raw>
                  {row.isMachineOpen ? (
                    <span className="badge badge--muted">{t('profile.email.machineOpen')}</span>
                  ) : null}
                </>
              ),
            },
            {
              key: 'source',
              header: t('profile.email.source'),
              cell: (row) =>
                row.campaignId ? (
                  <>
                    {t('profile.email.campaign')} <Raw>{row.campaignId}</Raw>
                  </>
                ) : row.flowId ? (
                  <>
                    {t('profile.email.flow')} <Raw>{row.flowId}</Raw>
                  </>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      )}
      {email.more > 0 ? (
        <p className="more">
          {t('profile.more', { count: email.more, formatted: format.integer(email.more) })}
        </p>
      ) : null}
    </Panel>
  );
}

function TicketsSection({ tickets }: { tickets: CustomerProfile['tickets'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Panel
      title={t('profile.tickets.title')}
      description={t('profile.tickets.description', {
        total: format.integer(tickets.total),
        open: format.integer(tickets.open),
      })}
    >
      <Facts
        items={[
          {
            key: 'csat',
            label: t('profile.tickets.csat'),
            value: tickets.csatScore === null ? null : format.percent(tickets.csatScore),
          },
          {
            key: 'resolution',
            label: t('profile.tickets.resolutionHours'),
            value:
              tickets.averageResolutionHours === null ? null : format.decimal(tickets.averageResolutionHours),
          },
        ]}
      />
      {tickets.items.length === 0 ? (
        <Empty>{t('profile.tickets.empty')}</Empty>
      ) : (
        <DataTable
          caption={t('profile.tickets.title')}
          captionHidden
          rows={tickets.items}
          rowKey={(row) => row.ticketId}
          columns={[
            {
              key: 'created',
              header: t('profile.tickets.created'),
              cell: (row) => (row.createdAt ? <Raw>{format.date(row.createdAt)}</Raw> : '—'),
            },
            {
              key: 'subject',
              header: t('profile.tickets.subject'),
              cell: (row) => <Raw>{row.subject ?? row.ticketId}</Raw>,
            },
            {
              key: 'status',
              header: t('profile.tickets.status'),
              cell: (row) => (
                <span className={`badge ${row.isOpen ? 'badge--warn' : 'badge--muted'}`}>
                  <Term group="ticketStatus" value={row.status} />
                </span>
              ),
            },
            {
              key: 'rating',
              header: t('profile.tickets.rating'),
              cell: (row) => <Raw>{row.rating ?? '—'}</Raw>,
            },
          ]}
        />
      )}
      {tickets.more > 0 ? (
        <p className="more">
          {t('profile.more', { count: tickets.more, formatted: format.integer(tickets.more) })}
        </p>
      ) : null}
    </Panel>
  );
}
