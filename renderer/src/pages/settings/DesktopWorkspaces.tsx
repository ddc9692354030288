import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { C360DesktopApi, WorkspaceChoice, WorkspaceInfo } from '../../../../core/desktop/preloadApi.ts';
import { ErrorState } from '../../components/StateViews.tsx';

type DesktopWorkspaceApi = Pick<C360DesktopApi, 'workspace'>;

/** The desktop app's workspace calls (the preload's `window.c360.workspace`); null in web mode. */
export function desktopWorkspaces(
  win: { c360?: unknown } = window as { c360?: unknown },
): DesktopWorkspaceApi | null {
  const bridge = win.c360 as Partial<C360DesktopApi> | undefined;
  return bridge?.kind === 'electron' && bridge.workspace ? { workspace: bridge.workspace } : null;
}

const RECENT_KEY = ['desktop.workspace.recent'] as const;

/**
 * Open, create or switch workspaces in the desktop app: the folder dialogs and the recent list live in the main
 * process (the page never names a folder it did not get from there). After a switch the app reconnects to the
 * new workspace's service and drops its cached answers.
 */
export function DesktopWorkspaces({ api, current }: { api: DesktopWorkspaceApi; current: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const recent = useQuery({
    queryKey: RECENT_KEY,
    queryFn: () => api.workspace.recent(),
  });
  const action = useMutation<WorkspaceChoice, Error, () => Promise<WorkspaceChoice>>({
    mutationFn: (run) => run(),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: RECENT_KEY }),
  });
  const failed = action.data && action.data.status === 'failed' ? action.data : null;
  const opened = action.data && action.data.status === 'open' ? action.data.workspace : null;
  return (
    <div className="desktop-workspaces" data-desktop-workspaces="">
      <div className="desktop-workspaces__actions">
        <button type="button" className="button" onClick={() => action.mutate(() => api.workspace.open())}>
          {t('settings.workspace.open')}
        </button>
        <button type="button" className="button" onClick={() => action.mutate(() => api.workspace.create())}>
          {t('settings.workspace.create')}
        </button>
      </div>
      {opened ? (
        <p className="settings__saved" role="status">
          {t('settings.workspace.opened', { name: opened.name })}
        </p>
      ) : null}
      {action.isError ? <ErrorState error={action.error} /> : null}
      {failed ? <ErrorState error={Object.assign(new Error(failed.message), { code: failed.code })} /> : null}
      {recent.data && recent.data.length > 0 ? (
        <>
          <p className="desktop-workspaces__title">{t('settings.workspace.recent')}</p>
          <ul className="desktop-workspaces__list">
            {recent.data.map((workspace: WorkspaceInfo) => (
              <li key={workspace.dir}>
                <span translate="no" title={workspace.dir}>
                  {workspace.name}
                </span>{' '}
                {workspace.name === current ? (
                  <span className="badge badge--ok">{t('settings.workspace.current')}</span>
                ) : (
                  <button
                    type="button"
                    className="button button--small"
                    onClick={() => action.mutate(() => api.workspace.switchTo(workspace.dir))}
                  >
                    {t('settings.workspace.switch')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
