import { useTranslation } from 'react-i18next';
import type { CustomerProfile } from '../../../api/types.ts';
import { Panel } from '../../../components/Panel.tsx';
import { Empty } from '../../../components/StateViews.tsx';
import { Raw } from './Facts.tsx';

type Membership = CustomerProfile['segments'][number];
type RuleOutcome = Membership['rules'];

/**
 * Every saved segment, evaluated for this customer, with the why: the steps (marketable, consent, rule,
 * exclusion, priority, holdout) and the rule tree with the values each condition read (the explain API).
 */
export function SegmentsSection({
  segments,
  problems,
}: {
  segments: CustomerProfile['segments'];
  problems: CustomerProfile['segmentProblems'];
}) {
  const { t } = useTranslation();
  const members = segments.filter((segment) => segment.member).length;
  return (
    <Panel
      title={t('profile.segments.title')}
      description={t('profile.segments.description', { members, total: segments.length })}
    >
      {segments.length === 0 ? (
        <Empty>{t('profile.segments.empty')}</Empty>
      ) : (
        <ul className="segments">
          {segments.map((segment) => (
            <li key={segment.segment}>
              <SegmentWhy segment={segment} />
            </li>
          ))}
        </ul>
      )}
      {problems.length > 0 ? (
        <div className="notice notice--warn" role="note">
          <p className="notice__title">{t('profile.segments.problems')}</p>
          <ul>
            {problems.map((problem, index) => (
              <li key={index}>
                <Raw>
                  {problem.segment ? `${problem.segment}: ` : ''}
                  {problem.message}
                </Raw>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </Panel>
  );
}

function SegmentWhy({ segment }: { segment: Membership }) {
  const { t } = useTranslation();
  const verdict = segment.member
    ? { className: 'badge--ok', text: t('profile.segments.member') }
    : segment.eligible
      ? { className: 'badge--accent', text: t('profile.segments.holdout') }
      : { className: 'badge--muted', text: t('profile.segments.notMember') };
  return (
    <details className="segment">
      <summary className="segment__summary">
        <span className="segment__name" translate="no">
          {segment.segment}
        </span>
        <span className={`badge ${verdict.className}`}>{verdict.text}</span>
        {segment.failedStep ? (
          <span className="segment__failed">
            {t('profile.segments.failedAt', { step: t(`segmentStep.${segment.failedStep.kind}`) })}
          </span>
        ) : null}
      </summary>
      <div className="segment__body">
        {segment.description ? (
          <p className="muted">
            <Raw>{segment.description}</Raw>
          </p>
        ) : null}
        <ol className="steps" aria-label={t('profile.segments.steps')}>
          {segment.steps.map((step, index) => (
            <li key={index} className={step.holds ? 'step step--holds' : 'step step--fails'}>
              <span className="step__mark" aria-hidden="true">
                {step.holds ? '✓' : '✗'}
              </span>
              <span className="visually-hidden">
                {step.holds ? t('profile.segments.holds') : t('profile.segments.fails')}:{' '}
              </span>
              {t(`segmentStep.${step.kind}`)}
              {step.label ? (
                <span className="muted">
                  {' — '}
                  <Raw>{step.label}</Raw>
                </span>
              ) : null}
            </li>
          ))}
        </ol>
        <p className="segment__rules-title">{t('profile.segments.rules')}</p>
        <RuleTree rule={segment.rules} />
      </div>
    </details>
  );
}

function RuleTree({ rule }: { rule: RuleOutcome }) {
  const { t } = useTranslation();
  const state = rule.holds === null ? 'empty' : rule.holds ? 'holds' : 'fails';
  const values = Object.entries(rule.values);
  return (
    <ul className="rule-tree">
      <li className={`rule rule--${state}`}>
        <span className="rule__mark" aria-hidden="true">
          {state === 'holds' ? '✓' : state === 'fails' ? '✗' : '∅'}
        </span>
        <span className="visually-hidden">{t(`profile.segments.rule_${state}`)}: </span>
        {rule.kind === 'all' || rule.kind === 'any' ? (
          <span className="rule__group">{t(`profile.segments.${rule.kind}`)}</span>
        ) : (
          <code translate="no">{rule.label}</code>
        )}
        {values.length > 0 ? (
          <span className="rule__values" translate="no">
            {values.map(([name, value]) => `${name} = ${formatValue(value)}`).join(', ')}
          </span>
        ) : null}
        {rule.children.map((child) => (
          <RuleTree key={child.path} rule={child} />
        ))}
      </li>
    </ul>
  );
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
