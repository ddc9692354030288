import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SegmentExplanation } from '../../../../../core/api/schemas/segments.ts';
import { Panel } from '../../../components/Panel.tsx';
import { ErrorState, Loading } from '../../../components/StateViews.tsx';
import { routeHref } from '../../../shell/route.ts';
import { useExplainDraft } from './insightQueries.ts';
import type { DraftInput } from './SegmentInsights.tsx';

type RuleOutcome = SegmentExplanation['rules'];

/** "Why is this customer in / out": every step and rule of the unsaved definition for one id or email. */
export function WhyPanel({ draft }: { draft: DraftInput | null }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [customer, setCustomer] = useState<string | null>(null);
  const explain = useExplainDraft(customer && draft ? { ...draft, customer } : null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCustomer(text.trim() || null);
  };
  const result = explain.data;
  return (
    <Panel title={t('segmentInsights.why.title')} description={t('segmentInsights.why.description')}>
      <form className="insights__why-form" onSubmit={submit}>
        <label className="field field--wide">
          <span className="field__label">{t('segmentInsights.why.customer')}</span>
          <input
            className="input"
            value={text}
            spellCheck={false}
            autoComplete="off"
            onChange={(event) => setText(event.target.value)}
          />
        </label>
        <button type="submit" className="button" disabled={!text.trim()}>
          {t('segmentInsights.why.explain')}
        </button>
      </form>
      {!customer ? null : explain.isError ? (
        <ErrorState title={t('segmentInsights.why.error')} error={explain.error} />
      ) : !result ? (
        <Loading rows={3} />
      ) : (
        <div className="insights__why" data-testid="why-result" data-member={result.member}>
          <p className={result.member ? 'insights__in' : 'insights__out'}>
            <a href={routeHref({ page: 'customers', customerId: result.customerId })} translate="no">
              {result.email ?? result.customerId}
            </a>{' '}
            {result.member
              ? t('segmentInsights.why.isIn')
              : result.eligible
                ? t('segmentInsights.why.heldOut')
                : t('segmentInsights.why.isOut', {
                    step: t(`segmentStep.${result.failedStep?.kind ?? 'rule'}`),
                  })}
          </p>
          {result.failedStep && !result.member ? (
            <p className="note" translate="no">
              {result.failedStep.label}
            </p>
          ) : null}
          <ol className="insights__steps" aria-label={t('segmentInsights.why.steps')}>
            {result.steps.map((step, i) => (
              <li key={i} data-holds={step.holds}>
                <span aria-hidden="true">{step.holds ? '✓' : '✗'}</span>{' '}
                <span className="visually-hidden">
                  {step.holds ? t('segmentInsights.why.holds') : t('segmentInsights.why.fails')}
                </span>
                {t(`segmentStep.${step.kind}`)}: <span translate="no">{step.label}</span>
              </li>
            ))}
          </ol>
          <p className="insights__sample-title">{t('segmentInsights.why.rules')}</p>
          <RuleTree rule={result.rules} />
        </div>
      )}
    </Panel>
  );
}

function RuleTree({ rule }: { rule: RuleOutcome }) {
  const { t } = useTranslation();
  const values = Object.entries(rule.values);
  const mark = rule.holds === null ? '∅' : rule.holds ? '✓' : '✗';
  const state =
    rule.holds === null
      ? t('segmentInsights.why.noValue')
      : rule.holds
        ? t('segmentInsights.why.holds')
        : t('segmentInsights.why.fails');
  return (
    <ul className="insights__rules">
      <li data-holds={String(rule.holds)}>
        <span aria-hidden="true">{mark}</span> <span className="visually-hidden">{state}</span>
        <span translate="no">{rule.label}</span>
        {values.length ? (
          <span className="insights__values" translate="no">
            {' '}
            (
            {values
              .map(([k, v]) => `${k} = ${v === null ? '∅' : Array.isArray(v) ? v.join(', ') : String(v)}`)
              .join('; ')}
            )
          </span>
        ) : null}
        {rule.children.map((child) => (
          <RuleTree key={child.path} rule={child} />
        ))}
      </li>
    </ul>
  );
}
