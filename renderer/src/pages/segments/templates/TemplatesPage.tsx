import { useTranslation } from 'react-i18next';
import { useSegmentList } from '../../../api/queries.ts';
import { ErrorState, Loading } from '../../../components/StateViews.tsx';
import { useFormat } from '../../../format/format.ts';
import { routeHref } from '../../../shell/route.ts';
import { useSegmentTemplates, type SegmentTemplate } from './templateQueries.ts';

/**
 * The built-in templates (the concept's flows): each says which Klaviyo flow it feeds, which profile property the
 * flow splits on, the list it fills and its consent rule; "Use template" opens the editor with it as a new,
 * unsaved segment (`#/segments/+new?template=NAME`).
 */
export function TemplatesPage() {
  const { t } = useTranslation();
  const templates = useSegmentTemplates();
  // Which templates the workspace already has as saved segments (none when the list cannot be read yet).
  const list = useSegmentList();
  const saved = new Set(list.data?.segments.map((s) => s.name) ?? []);
  return (
    <div className="page templates-page">
      <div className="page__header">
        <p className="page__back">
          <a href={routeHref({ page: 'segments', segment: null })}>{t('templates.back')}</a>
        </p>
        <h1 className="page__title">{t('templates.title')}</h1>
        <p className="page__subtitle">{t('templates.subtitle')}</p>
      </div>
      {templates.isPending ? (
        <Loading rows={6} />
      ) : templates.isError ? (
        <ErrorState
          title={t('templates.error')}
          error={templates.error}
          onRetry={() => void templates.refetch()}
        />
      ) : (
        <ul className="template-grid" aria-label={t('templates.title')}>
          {templates.data.templates.map((template) => (
            <TemplateCard key={template.name} template={template} saved={saved.has(template.name)} />
          ))}
        </ul>
      )}
    </div>
  );
}

function monthName(locale: string, month: number): string {
  return new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2026, month - 1, 1)),
  );
}

function TemplateCard({ template, saved }: { template: SegmentTemplate; saved: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { flow } = template;
  const headingId = `template-${template.name}`;
  return (
    <li className="template-card panel" aria-labelledby={headingId} data-template={template.name}>
      <div className="template-card__header">
        <h2 id={headingId} className="panel__title">
          {flow ? t(`templates.flows.${flow.key}`, { defaultValue: flow.name }) : template.name}
        </h2>
        <code className="template-card__name" translate="no">
          {template.name}
        </code>
      </div>
      <p className="template-card__purpose">
        {t(`templates.purpose.${template.name}`, { defaultValue: template.description })}
      </p>
      <dl className="facts">
        <div className="facts__row">
          <dt>{t('templates.feeds')}</dt>
          <dd translate="no" data-template-list={template.name}>
            {template.klaviyoList}
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t('templates.splitsOn')}</dt>
          <dd data-template-split={template.name}>
            {!flow?.splitColumn ? (
              <span className="muted">{t('templates.noSplit')}</span>
            ) : flow.splitProperty ? (
              <>
                <span translate="no">{flow.splitProperty}</span>{' '}
                <span className="muted">
                  (<span translate="no">{flow.splitColumn}</span>)
                </span>
              </>
            ) : (
              <span className="badge badge--warn badge--wrap">
                {t('templates.splitNotSynced', { column: flow.splitColumn })}
              </span>
            )}
          </dd>
        </div>
        {flow?.splitValues.length ? (
          <div className="facts__row">
            <dt>{t('templates.branches')}</dt>
            <dd translate="no">{flow.splitValues.join(' · ')}</dd>
          </div>
        ) : null}
        {flow?.season ? (
          <div className="facts__row">
            <dt>{t('templates.season')}</dt>
            <dd>
              {t('templates.seasonRange', {
                from: monthName(format.locale, flow.season.from),
                to: monthName(format.locale, flow.season.to),
              })}
            </dd>
          </div>
        ) : null}
        <div className="facts__row">
          <dt>{t('templates.consent')}</dt>
          <dd data-template-consent={template.name}>
            {template.sensitive ? (
              <span className="badge badge--warn badge--wrap">
                {t('templates.sensitive', { columns: template.consentColumns.join(', ') })}
              </span>
            ) : (
              <span className="muted">{t('templates.notSensitive')}</span>
            )}
          </dd>
        </div>
        {template.priorityGroup ? (
          <div className="facts__row">
            <dt>{t('templates.priorityGroup')}</dt>
            <dd translate="no">{template.priorityGroup}</dd>
          </div>
        ) : null}
      </dl>
      <p className="template-card__rules-title">{t('templates.rules')}</p>
      <ul className="chips template-card__rules">
        {template.rules.map((rule, index) => (
          <li key={index} className="chip" translate="no">
            {rule}
          </li>
        ))}
      </ul>
      <div className="template-card__actions">
        <a
          className="button"
          href={routeHref({ page: 'segments', segment: { kind: 'new', template: template.name } })}
          aria-describedby={headingId}
        >
          {t('templates.use')}
        </a>
        {saved ? (
          <a
            href={routeHref({ page: 'segments', segment: { kind: 'saved', name: template.name } })}
            className="template-card__saved"
          >
            {t('templates.openSaved')}
          </a>
        ) : null}
      </div>
    </li>
  );
}
