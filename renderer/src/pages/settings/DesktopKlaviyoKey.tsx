import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { C360DesktopApi, KlaviyoKeyStatus } from '../../../../core/desktop/preloadApi.ts';
import { ErrorState } from '../../components/StateViews.tsx';
import { useFormat } from '../../format/format.ts';
import { settingsQueryKeys } from './settingsQueries.ts';

type DesktopKeyApi = Pick<C360DesktopApi, 'klaviyoKey'>;

/** The desktop app's key store (the preload's `window.c360.klaviyoKey`); null in web mode. */
export function desktopKlaviyoKey(
  win: { c360?: unknown } = window as { c360?: unknown },
): DesktopKeyApi | null {
  const bridge = win.c360 as Partial<C360DesktopApi> | undefined;
  return bridge?.kind === 'electron' && bridge.klaviyoKey ? { klaviyoKey: bridge.klaviyoKey } : null;
}

const STATUS_KEY = ['desktop.klaviyoKey.status'] as const;

/** What the main process accepts (core/desktop/keyStore.ts klaviyoKeySchema), checked here to answer at once. */
const PRIVATE_KEY = /^pk_[A-Za-z0-9]{16,128}$/;

/** Electron puts "Error invoking remote method '<channel>': <Name>: " before the main process's message. */
function mainMessage(error: Error): Error {
  const message = error.message.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '');
  return Object.assign(new Error(message), { code: (error as { code?: unknown }).code });
}

/**
 * Key entry of the desktop app: the key goes to the main process, which encrypts it with the OS key store
 * (safeStorage) and hands it to the workspace service; the page only ever learns whether a key is stored.
 * Without an OS key store nothing can be saved: the page says so and points to the environment variable.
 */
export function DesktopKlaviyoKey({ api, envName }: { api: DesktopKeyApi; envName: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const id = useId();
  const queryClient = useQueryClient();
  const [key, setKey] = useState('');
  const [badFormat, setBadFormat] = useState(false);
  const status = useQuery({ queryKey: STATUS_KEY, queryFn: () => api.klaviyoKey.status() });
  const change = useMutation<KlaviyoKeyStatus, Error, () => Promise<KlaviyoKeyStatus>>({
    mutationFn: async (run) => {
      try {
        return await run();
      } catch (error) {
        throw mainMessage(error instanceof Error ? error : new Error(String(error)));
      }
    },
    onSuccess: (next) => {
      queryClient.setQueryData(STATUS_KEY, next);
      setKey('');
      // The service now has (or no longer has) the key: settings.get says where the key comes from.
      void queryClient.invalidateQueries({ queryKey: settingsQueryKeys.settings });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = key.trim();
    setBadFormat(!PRIVATE_KEY.test(trimmed));
    if (!PRIVATE_KEY.test(trimmed)) return;
    change.mutate(() => api.klaviyoKey.save(trimmed));
  }

  if (status.isError) return <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  const current = status.data;
  const noStore = current !== undefined && !current.encryptionAvailable;
  return (
    <form className="settings-key" onSubmit={submit} data-desktop-key="" noValidate>
      <p className="settings-key__status" data-key-stored={current?.isSet ? 'yes' : 'no'}>
        {current?.isSet ? (
          <>
            <span className="badge badge--ok">{t('settings.klaviyo.desktop.stored')}</span>{' '}
            {current.savedAt ? (
              <span className="muted">
                {t('settings.klaviyo.desktop.savedAt')}{' '}
                <span translate="no">{format.dateTime(current.savedAt)}</span>
              </span>
            ) : null}
          </>
        ) : (
          <span className="badge badge--muted">{t('settings.klaviyo.desktop.notStored')}</span>
        )}
      </p>
      {noStore ? (
        <p className="settings__hint" role="note" data-no-key-store="">
          <span className="badge badge--warn">{t('settings.klaviyo.desktop.noKeyStore')}</span>{' '}
          {t('settings.klaviyo.desktop.noKeyStoreHint', { name: envName })}
        </p>
      ) : null}
      <label htmlFor={id} className="field__label">
        {current?.isSet ? t('settings.klaviyo.desktop.replace') : t('settings.klaviyo.desktop.enter')}
      </label>
      <div className="settings-key__row">
        <input
          id={id}
          className="input"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="pk_…"
          value={key}
          disabled={noStore}
          aria-invalid={badFormat || undefined}
          onChange={(event) => {
            setKey(event.target.value);
            setBadFormat(false);
          }}
        />
        <button
          type="submit"
          className="button button--primary"
          disabled={noStore || key.trim() === '' || change.isPending}
        >
          {t('settings.klaviyo.desktop.save')}
        </button>
        {current?.isSet ? (
          <button
            type="button"
            className="button"
            disabled={change.isPending}
            onClick={() => change.mutate(() => api.klaviyoKey.clear())}
          >
            {t('settings.klaviyo.desktop.clear')}
          </button>
        ) : null}
      </div>
      <p className="settings__hint">{t('settings.klaviyo.desktop.hint')}</p>
      {badFormat ? (
        <p className="settings-form__problem" role="alert">
          {t('settings.klaviyo.desktop.badFormat')}
        </p>
      ) : null}
      {change.isError ? <ErrorState error={change.error} /> : null}
    </form>
  );
}
