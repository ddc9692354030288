import { useTranslation } from 'react-i18next';
import type { PlanPreflightData } from '../../../../core/api/schemas/sync.ts';
import { useFormat } from '../../format/format.ts';

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
        <table className="table publish-preflight__lists">
          <caption>{t('publish.preflight.listsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('publish.preflight.segment')}</th>
              <th scope="col" className="num">
                {t('publish.preflight.matched')}
              </th>
              <th scope="col" className="num">
                {t('publish.preflight.onList')}
              </th>
              <th scope="col" className="num">
                {t('publish.preflight.notEligible')}
              </th>
              <th scope="col" className="num">
                {t('publish.plan.heldOut')}
              </th>
            </tr>
          </thead>
          <tbody>
            {eligible.lists.map((list) => (
              <tr key={list.segment}>
                <th scope="row" translate="no">
                  {list.segment}
                </th>
                <td className="num">{list.matched === null ? '—' : format.integer(list.matched)}</td>
                <td className="num">{format.integer(list.members)}</td>
                <td className="num">{list.notEligible === null ? '—' : format.integer(list.notEligible)}</td>
                <td className="num">{format.integer(list.heldOut)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="panel__description">{t('publish.preflight.sources')}</p>
    </section>
  );
}
