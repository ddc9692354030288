import { useTranslation } from 'react-i18next';
import type { PlanPreflightData } from '../../../../core/api/schemas/sync.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { useFormat } from '../../format/format.ts';

type PreflightList = PlanPreflightData['eligible']['lists'][number];

/**
 * The plan's Klaviyo preflight (core/sync/preflight.ts): how old the data is, who is eligible after consent and
 * suppression, how many list creations this plan needs against Klaviyo's daily budget as far as c360's own
 * creates show, and rows over Klaviyo's size limits. The warnings come from the server in plain English.
 */
export function PreflightView({ preflight }: { preflight: PlanPreflightData | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (!preflight) return null;
  const { build, eligible, listCreations, overLimits, warnings } = preflight;
  const published = build?.published ?? null;
  const count = (value: number | null) => (value === null ? '—' : format.integer(value));
  const listColumns: Column<PreflightList>[] = [
    {
      key: 'segment',
      header: t('publish.preflight.segment'),
      rowHeader: true,
      cell: (list) => <span translate="no">{list.segment}</span>,
    },
    {
      key: 'matched',
      header: t('publish.preflight.matched'),
      numeric: true,
      cell: (list) => count(list.matched),
    },
    {
      key: 'members',
      header: t('publish.preflight.onList'),
      numeric: true,
      cell: (list) => count(list.members),
    },
    {
      key: 'notEligible',
      header: t('publish.preflight.notEligible'),
      numeric: true,
      cell: (list) => count(list.notEligible),
    },
    { key: 'heldOut', header: t('publish.plan.heldOut'), numeric: true, cell: (list) => count(list.heldOut) },
  ];
  return (
    <section className="publish-preflight" aria-label={t('publish.preflight.title')}>
      <h3>{t('publish.preflight.title')}</h3>
      {warnings.length ? (
        <ul className="publish-list" role="alert">
          {warnings.map((warning) => (
            <li key={warning} className="publish-note publish-note--error" translate="no">
              {warning}
            </li>
          ))}
        </ul>
      ) : null}
      <ul className="publish-list">
        {published ? (
          <li>
            {t('publish.preflight.data', {
              build: published.runId,
              when: format.dateTime(published.finishedAt),
              // The age the plan measured, from the build's end: "3 hours ago", "vor 3 Stunden".
              ago: format.relative(
                published.finishedAt,
                new Date(Date.parse(published.finishedAt) + published.ageHours * 3_600_000),
              ),
            })}
          </li>
        ) : null}
        {eligible.profiles ? (
          <li>
            {t('publish.preflight.profiles', {
              eligible: format.integer(eligible.profiles.eligible),
              total: format.integer(eligible.profiles.sourceRows),
              notMarketable: format.integer(eligible.profiles.notMarketable),
            })}
          </li>
        ) : null}
        {eligible.events && eligible.events.nonMarketable > 0 ? (
          <li>
            {t('publish.preflight.events', {
              nonMarketable: format.integer(eligible.events.nonMarketable),
              send: format.integer(eligible.events.send),
            })}
          </li>
        ) : null}
        <li>
          {t('publish.preflight.listCreations', {
            planned: format.integer(listCreations.planned),
            left: format.integer(listCreations.left),
            limit: format.integer(listCreations.dailyLimit),
            used: format.integer(listCreations.usedLast24h),
          })}
        </li>
        <li>
          {t('publish.preflight.overLimits', {
            profiles: format.integer(overLimits.profilesTooLarge),
            events: format.integer(overLimits.eventPropertiesTooLarge),
          })}
        </li>
      </ul>
      {eligible.lists.length ? (
        <DataTable
          caption={t('publish.preflight.listsCaption')}
          columns={listColumns}
          rows={eligible.lists}
          rowKey={(list) => list.segment}
        />
      ) : null}
      <p className="panel__description">{t('publish.preflight.sources')}</p>
    </section>
  );
}
