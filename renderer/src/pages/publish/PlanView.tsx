import { useTranslation } from 'react-i18next';
import { useFormat } from '../../format/format.ts';
import { PreflightView } from './PreflightView.tsx';
import type { SyncPlanData } from './publishClient.ts';
import { ENDPOINTS } from '../../../../core/sync/klaviyo/rateLimits.ts';

type TargetPlan = SyncPlanData['targets'][number];

/** How many samples of each kind a target card shows (the plan carries a few more). */
const SAMPLES = 5;

/** A sample diff's value as text: strings as they are, other values as JSON, nothing as a dash. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function Figures({ items }: { items: [label: string, value: number][] }) {
  const format = useFormat();
  return (
    <dl className="publish-figures">
      {items.map(([label, value]) => (
        <div key={label} className="publish-figures__item">
          <dt>{label}</dt>
          <dd className="num">{format.integer(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function SkipReasons({ skipped }: { skipped: Partial<Record<string, number>> }) {
  const { t } = useTranslation();
  const format = useFormat();
  const reasons = Object.entries(skipped).filter((entry): entry is [string, number] => Boolean(entry[1]));
  if (!reasons.length) return null;
  return (
    <div className="publish-target__section">
      <h4>{t('publish.plan.skipReasons')}</h4>
      <ul className="publish-list">
        {reasons.map(([reason, count]) => (
          <li key={reason}>
            {t(`publish.skipReason.${reason}`, { defaultValue: reason })}:{' '}
            <span className="num">{format.integer(count)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Samples({ title, items }: { title: string; items: string[] }) {
  if (!items.length) return null;
  return (
    <div className="publish-target__section">
      <h4>{title}</h4>
      <ul className="publish-list publish-list--samples" translate="no">
        {items.slice(0, SAMPLES).map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </div>
  );
}

function ProfilesTarget({ plan }: { plan: Extract<TargetPlan, { sync: 'profiles' }> }) {
  const { t } = useTranslation();
  return (
    <>
      <Figures
        items={[
          [t('publish.plan.create'), plan.create],
          [t('publish.plan.update'), plan.update],
          [t('publish.plan.unchanged'), plan.unchanged],
          [t('publish.plan.clears'), plan.clears],
          [t('publish.plan.retrying'), plan.retrying],
        ]}
      />
      <SkipReasons skipped={plan.skipped} />
      {plan.samples.update.length ? (
        <div className="publish-target__section">
          <h4>{t('publish.plan.sampleChanges')}</h4>
          <ul className="publish-list publish-list--samples">
            {plan.samples.update.slice(0, SAMPLES).map((sample) => (
              <li key={sample.email}>
                <span translate="no">{sample.email}</span>
                <ul className="publish-diff">
                  {sample.changes.map((change) => (
                    <li key={change.key} translate="no">
                      <code>{change.key}</code>: <del>{valueText(change.from)}</del> →{' '}
                      <ins>{valueText(change.to)}</ins>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <Samples title={t('publish.plan.sampleCreates')} items={plan.samples.create} />
    </>
  );
}

function ListTarget({ plan }: { plan: Extract<TargetPlan, { sync: 'lists' }> }) {
  const { t } = useTranslation();
  return (
    <>
      {plan.refused ? (
        <p className="publish-note publish-note--error" role="alert">
          {plan.refused}
        </p>
      ) : null}
      <Figures
        items={[
          [t('publish.plan.add'), plan.add],
          [t('publish.plan.remove'), plan.remove],
          [t('publish.plan.unchanged'), plan.unchanged],
          [t('publish.plan.members'), plan.members],
          [t('publish.plan.heldOut'), plan.heldOut],
          [t('publish.plan.retrying'), plan.retrying],
        ]}
      />
      <p className="publish-target__meta">
        {plan.listId ? t('publish.plan.existingList') : t('publish.plan.newList')}
        {plan.sensitive ? (
          <span className="badge badge--warn publish-badge">{t('publish.plan.sensitive')}</span>
        ) : null}
      </p>
      <Samples title={t('publish.plan.sampleAdds')} items={plan.samples.add} />
      <Samples title={t('publish.plan.sampleRemoves')} items={plan.samples.remove} />
    </>
  );
}

function EventsTarget({ plan }: { plan: Extract<TargetPlan, { sync: 'events' }> }) {
  const { t } = useTranslation();
  const format = useFormat();
  const metrics = Object.entries(plan.byMetric);
  return (
    <>
      <Figures
        items={[
          [t('publish.plan.send'), plan.send],
          [t('publish.plan.alreadySent'), plan.alreadySent],
          [t('publish.plan.backfill'), plan.backfill],
          [t('publish.plan.retrying'), plan.retrying + plan.inflight],
          [t('publish.plan.newProfiles'), plan.newProfiles],
        ]}
      />
      {metrics.length ? (
        <div className="publish-target__section">
          <h4>{t('publish.plan.byMetric')}</h4>
          <ul className="publish-list">
            {metrics.map(([metric, count]) => (
              <li key={metric}>
                <span translate="no">{metric}</span>: <span className="num">{format.integer(count)}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <SkipReasons skipped={plan.skipped} />
    </>
  );
}

/** A target's display name: the Klaviyo list for a list sync, else the sync's own name. */
export function targetLabel(plan: TargetPlan): string {
  return plan.sync === 'lists' ? plan.listName : plan.target;
}

/** `POST /api/profile-bulk-import-jobs` for the plan's `bulkImport` (plain data, no zod: fine in the bundle). */
function endpointLabel(endpoint: string): string {
  return endpoint in ENDPOINTS ? ENDPOINTS[endpoint as keyof typeof ENDPOINTS].label : endpoint;
}

/** The dry run of a publish: what changes per target, the API calls it takes and the account it writes to. */
export function PlanView({ plan }: { plan: SyncPlanData }) {
  const { t } = useTranslation();
  const format = useFormat();
  const endpoints = Object.entries(plan.apiCalls).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number',
  );
  return (
    <div className="publish-plan">
      <dl className="publish-summary">
        <div>
          <dt>{t('publish.plan.account')}</dt>
          <dd translate="no">
            {plan.account
              ? `${plan.account.name ?? plan.account.id} (${plan.account.id})`
              : t('publish.plan.noAccount')}
          </dd>
        </div>
        <div>
          <dt>{t('publish.plan.writeCalls')}</dt>
          <dd className="num">{format.integer(plan.writeCalls)}</dd>
        </div>
        <div>
          <dt>{t('publish.plan.expected')}</dt>
          <dd>
            {plan.expectedSeconds < 0.95
              ? t('publish.plan.underASecond')
              : t('publish.plan.seconds', { value: format.decimal(plan.expectedSeconds, 1) })}
          </dd>
        </div>
        <div>
          <dt>{t('publish.plan.planHash')}</dt>
          <dd translate="no">
            <code>{plan.hash.slice(0, 12)}</code>
          </dd>
        </div>
      </dl>
      <PreflightView preflight={plan.preflight} />
      <div className="publish-targets">
        {plan.targets.map((target) => (
          <section
            key={`${target.sync}:${target.target}`}
            className="publish-target"
            aria-label={`${t(`publish.sync.${target.sync}`)}: ${targetLabel(target)}`}
          >
            <h3 className="publish-target__title">
              <span className="badge badge--muted">{t(`publish.sync.${target.sync}`)}</span>{' '}
              <span translate="no">{targetLabel(target)}</span>
            </h3>
            {target.sync === 'profiles' ? (
              <ProfilesTarget plan={target} />
            ) : target.sync === 'lists' ? (
              <ListTarget plan={target} />
            ) : (
              <EventsTarget plan={target} />
            )}
          </section>
        ))}
      </div>
      {endpoints.length ? (
        <table className="table publish-calls">
          <caption>{t('publish.plan.apiCalls')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('publish.plan.endpoint')}</th>
              <th scope="col" className="num">
                {t('publish.plan.calls')}
              </th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map(([endpoint, calls]) => (
              <tr key={endpoint}>
                <td translate="no">
                  <code>{endpointLabel(endpoint)}</code>
                </td>
                <td className="num">{format.integer(calls)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
