import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Panel } from '../../components/Panel.tsx';
import { ErrorState, Loading } from '../../components/StateViews.tsx';
import { useFormat } from '../../format/format.ts';
import { LanguageSelect } from '../../shell/LanguageSwitch.tsx';
import type { KlaviyoConnection, Settings } from '../../api/types.ts';
import { DesktopKlaviyoKey, desktopKlaviyoKey } from './DesktopKlaviyoKey.tsx';
import { DesktopWorkspaces, desktopWorkspaces } from './DesktopWorkspaces.tsx';
import { GuardrailsForm } from './GuardrailsForm.tsx';
import { ProfileMappingForm } from './ProfileMappingForm.tsx';
import { useKlaviyoConnectionTest, useSettings, useWorkspaceDetails } from './settingsQueries.ts';

/**
 * Settings: the open workspace (open / create / switch in the desktop app; in web mode the served one and how
 * to serve another), the Klaviyo connection (key entry in the desktop app; in web mode the server's environment
 * variable; Test connection with the serving process's key, which never reaches the page), the guardrail
 * thresholds and the profile property mapping (edited here, saved into c360.config.yaml), the lists sync
 * settings (read-only: the page says where to edit) and the language.
 */
export function SettingsPage() {
  const { t } = useTranslation();
  const settings = useSettings();
  const reload = async () => (await settings.refetch()).data;
  return (
    <div className="page settings-page">
      <div className="page__header">
        <h1 className="page__title">{t('settings.title')}</h1>
        <p className="page__subtitle">{t('settings.subtitle')}</p>
      </div>
      <div className="grid grid--2">
        <WorkspacePanel />
        <LanguagePanel />
      </div>
      {settings.isPending ? (
        <Loading rows={6} />
      ) : settings.isError ? (
        <ErrorState
          title={t('settings.error')}
          error={settings.error}
          onRetry={() => void settings.refetch()}
        />
      ) : (
        <>
          <div className="grid grid--2">
            <KlaviyoPanel settings={settings.data} />
            <ListsPanel settings={settings.data} />
          </div>
          {/* Full width: a conflict shows two versions of the file side by side. */}
          <GuardrailsForm settings={settings.data} onReload={reload} />
          <ProfileMappingForm settings={settings.data} onReload={reload} />
        </>
      )}
    </div>
  );
}

function WorkspacePanel() {
  const { t } = useTranslation();
  const format = useFormat();
  const info = useWorkspaceDetails();
  const desktop = desktopWorkspaces();
  const megabytes = new Intl.NumberFormat(format.locale, {
    style: 'unit',
    unit: 'megabyte',
    maximumFractionDigits: 1,
  });
  return (
    <Panel
      title={t('settings.workspace.title')}
      description={desktop ? t('settings.workspace.desktopHint') : t('settings.workspace.webHint')}
    >
      {info.isPending ? (
        <Loading rows={3} />
      ) : info.isError ? (
        <ErrorState error={info.error} onRetry={() => void info.refetch()} />
      ) : (
        <dl className="facts" data-settings-workspace="">
          <div className="facts__row">
            <dt>{t('settings.workspace.folder')}</dt>
            <dd translate="no">{info.data.name}</dd>
          </div>
          {info.data.databaseBytes !== undefined ? (
            <div className="facts__row">
              <dt>{t('settings.workspace.size')}</dt>
              <dd translate="no">{megabytes.format(info.data.databaseBytes / 1_000_000)}</dd>
            </div>
          ) : null}
          <div className="facts__row">
            <dt>{t('settings.workspace.lastBuild')}</dt>
            <dd>
              {info.data.lastBuild ? (
                <>
                  <span translate="no">{format.dateTime(`${info.data.lastBuild.finishedAt}Z`)}</span>{' '}
                  <span
                    className={`badge ${info.data.lastBuild.published ? 'badge--published' : 'badge--failed'}`}
                  >
                    {info.data.lastBuild.published
                      ? t('settings.workspace.published')
                      : t('settings.workspace.notPublished')}
                  </span>
                </>
              ) : (
                <span className="muted">{t('settings.workspace.noBuild')}</span>
              )}
            </dd>
          </div>
          <div className="facts__row">
            <dt>{t('settings.workspace.asOf')}</dt>
            <dd>
              {info.data.asOf ? (
                <span translate="no">{format.date(info.data.asOf)}</span>
              ) : (
                <span className="muted">{t('settings.workspace.noBuild')}</span>
              )}
            </dd>
          </div>
        </dl>
      )}
      {desktop ? <DesktopWorkspaces api={desktop} current={info.data?.name ?? ''} /> : null}
    </Panel>
  );
}

function LanguagePanel() {
  const { t } = useTranslation();
  const id = useId();
  return (
    <Panel title={t('settings.language.title')} description={t('settings.language.description')}>
      <label htmlFor={id} className="field__label">
        {t('settings.language.label')}
      </label>{' '}
      <LanguageSelect id={id} />
    </Panel>
  );
}

function KlaviyoPanel({ settings }: { settings: Settings }) {
  const { t } = useTranslation();
  const test = useKlaviyoConnectionTest();
  const desktopKey = desktopKlaviyoKey();
  const { klaviyo } = settings;
  return (
    <Panel
      title={t('settings.klaviyo.title')}
      description={t('settings.klaviyo.description')}
      actions={
        <button
          type="button"
          className="button"
          onClick={() => test.mutate()}
          disabled={test.isPending}
          aria-busy={test.isPending}
        >
          {test.isPending ? t('settings.klaviyo.testing') : t('settings.klaviyo.test')}
        </button>
      }
    >
      <dl className="facts">
        <div className="facts__row">
          <dt>{t('settings.klaviyo.key')}</dt>
          <dd data-settings-key={klaviyo.keySource}>
            {klaviyo.keySource === 'none' ? (
              <span className="badge badge--warn">{t('settings.klaviyo.keyMissing')}</span>
            ) : klaviyo.keySource === 'app' ? (
              <span className="badge badge--ok">{t('settings.klaviyo.keyFromApp')}</span>
            ) : (
              <span className="badge badge--ok">
                {t('settings.klaviyo.keyFromEnv', { name: klaviyo.apiKeyEnv })}
              </span>
            )}
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t('settings.klaviyo.envVar')}</dt>
          <dd>
            <code translate="no">{klaviyo.apiKeyEnv}</code>
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t('settings.klaviyo.host')}</dt>
          <dd translate="no">{klaviyo.host}</dd>
        </div>
      </dl>
      {desktopKey ? (
        <DesktopKlaviyoKey api={desktopKey} envName={klaviyo.apiKeyEnv} />
      ) : (
        <p className="settings__hint" data-web-key="">
          {t('settings.klaviyo.webOnly')}{' '}
          {klaviyo.keySource === 'none' ? t('settings.klaviyo.howToSet', { name: klaviyo.apiKeyEnv }) : null}
        </p>
      )}
      <div aria-live="polite" className="connection-result">
        {test.isError ? (
          <ErrorState error={test.error} onRetry={() => test.mutate()} />
        ) : test.data ? (
          <ConnectionResult result={test.data} />
        ) : null}
      </div>
    </Panel>
  );
}

function ConnectionResult({ result }: { result: KlaviyoConnection }) {
  const { t } = useTranslation();
  if (result.ok)
    return (
      <p className="connection-result__ok" data-connection="ok">
        <span className="badge badge--ok">{t('settings.klaviyo.connected')}</span>{' '}
        {result.accountName ? (
          <>
            {t('settings.klaviyo.account')} <strong translate="no">{result.accountName}</strong>
          </>
        ) : (
          t('settings.klaviyo.accountUnnamed')
        )}{' '}
        <span className="muted" translate="no">
          ({result.host})
        </span>
      </p>
    );
  return (
    <div className="connection-result__failed" role="alert" data-connection={result.reason}>
      <p className="state__title">{t(`settings.klaviyo.reason.${result.reason}`)}</p>
      <p translate="no">{result.message}</p>
    </div>
  );
}

function ListsPanel({ settings }: { settings: Settings }) {
  const { t } = useTranslation();
  const { lists } = settings;
  return (
    <Panel
      title={t('settings.lists.title')}
      description={t('settings.editIn', { file: settings.configFile, section: 'sync.lists' })}
    >
      <dl className="facts">
        <div className="facts__row">
          <dt>{t('settings.lists.enabled')}</dt>
          <dd>{lists.enabled ? t('settings.on') : t('settings.off')}</dd>
        </div>
        <div className="facts__row">
          <dt>{t('settings.lists.segments')}</dt>
          <dd translate={lists.segments === 'all' ? undefined : 'no'}>
            {lists.segments === 'all' ? t('settings.lists.allSegments') : lists.segments.join(', ')}
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t('settings.lists.prefix')}</dt>
          <dd>
            {lists.prefix ? (
              <code translate="no">{lists.prefix}</code>
            ) : (
              <span className="muted">{t('settings.lists.noPrefix')}</span>
            )}
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t('settings.lists.mirror')}</dt>
          <dd>{lists.mirror ? t('settings.lists.mirrorOn') : t('settings.lists.mirrorOff')}</dd>
        </div>
      </dl>
    </Panel>
  );
}
