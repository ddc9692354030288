import { useTranslation } from 'react-i18next';
import type { SettingsSaveInput } from '../../../../core/api/schemas/settings.ts';
import { ErrorState } from '../../components/StateViews.tsx';
import { ConfigConflict, configConflictFromError } from './ConfigConflict.tsx';

/** A settings form's Save and Discard; Save shows that it is saving. */
export function SaveButtons({
  pending,
  canSave,
  canDiscard,
  onDiscard,
}: {
  pending: boolean;
  canSave: boolean;
  canDiscard: boolean;
  onDiscard: () => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <button
        type="submit"
        className="button button--primary"
        disabled={!canSave || pending}
        aria-busy={pending}
      >
        {pending ? t('settings.save.saving') : t('settings.save.button')}
      </button>
      <button type="button" className="button" disabled={!canDiscard} onClick={onDiscard}>
        {t('settings.save.discard')}
      </button>
    </>
  );
}

/**
 * What a settings save came to, under the form that saved: saved (and that the next plan uses it), their version
 * against mine when the file changed on disk, or the service's message (an invalid value names the setting).
 */
export function SaveOutcome({
  state,
  onRetry,
  onReload,
}: {
  state: { isSuccess: boolean; error: Error | null; variables: SettingsSaveInput | undefined };
  /** Saves the same edit again with another hash (after a conflict: theirs, on purpose). */
  onRetry: (input: SettingsSaveInput) => void;
  /** Drops the edit and reads the settings again. */
  onReload: () => void;
}) {
  const { t } = useTranslation();
  const { error, variables } = state;
  if (error) {
    const conflict = configConflictFromError(error);
    if (conflict && variables)
      return (
        <ConfigConflict
          conflict={conflict}
          onKeepMine={() => onRetry({ ...variables, configHash: conflict.contentHash })}
          onReload={onReload}
        />
      );
    return <ErrorState title={t('settings.save.failed')} error={error} />;
  }
  return state.isSuccess ? (
    <p className="settings__saved" role="status" data-settings-saved="">
      {t('settings.save.saved')}
    </p>
  ) : null;
}
