import { useTranslation } from 'react-i18next';
import type { GuardrailApproval, SyncPlanData } from './publishClient.ts';

type Guardrail = SyncPlanData['guardrails'][number];

export function guardrailKey(guardrail: GuardrailApproval): string {
  return `${guardrail.id}|${guardrail.sync}|${guardrail.target}`;
}

/**
 * The plan's tripped guardrails, each a blocking card with its reason and an Approve button. An approval is
 * local until Publish sends it with the plan (the server records it with the plan's hash, the user and the time).
 */
export function GuardrailCards({
  guardrails,
  approved,
  onApprove,
  disabled,
}: {
  guardrails: Guardrail[];
  approved: ReadonlySet<string>;
  onApprove: (guardrail: Guardrail) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  if (!guardrails.length) return null;
  return (
    <section className="publish-guardrails" aria-label={t('publish.guardrails.title')}>
      <h2 className="panel__title">{t('publish.guardrails.title')}</h2>
      <p className="panel__description">{t('publish.guardrails.description')}</p>
      <ul className="publish-guardrails__list">
        {guardrails.map((guardrail) => {
          const key = guardrailKey(guardrail);
          const isApproved = approved.has(key);
          return (
            <li
              key={key}
              className={`publish-guardrail${isApproved ? ' publish-guardrail--approved' : ''}`}
              data-guardrail={guardrail.id}
            >
              <p className="publish-guardrail__title">
                <span className={`badge ${isApproved ? 'badge--ok' : 'badge--failed'}`}>
                  {isApproved ? t('publish.guardrails.approved') : t('publish.guardrails.blocking')}
                </span>{' '}
                {t(`publish.guardrailId.${guardrail.id}`, { defaultValue: guardrail.id })} ·{' '}
                {t(`publish.sync.${guardrail.sync}`)} · <span translate="no">{guardrail.target}</span>
              </p>
              <p className="publish-guardrail__message" translate="no">
                {guardrail.message}
              </p>
              {isApproved ? null : (
                <button
                  type="button"
                  className="button button--small"
                  disabled={disabled}
                  onClick={() => onApprove(guardrail)}
                  aria-label={t('publish.guardrails.approveLabel', {
                    guardrail: t(`publish.guardrailId.${guardrail.id}`, { defaultValue: guardrail.id }),
                    target: guardrail.target,
                  })}
                >
                  {t('publish.guardrails.approve')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
