import { useTranslation } from 'react-i18next';
import {
  ConflictSides,
  fileConflictFromError,
  type FileConflictDetails,
} from '../../components/FileConflict.tsx';

/**
 * A settings save refused because c360.config.yaml changed on disk since the page read it (CONFIG_CONFLICT):
 * the file now and the file this save would write onto it, lines only one side has marked, and the two ways on:
 * save mine over theirs (their other changes stay: the edit is applied to their version) or drop mine and reload.
 */

export type ConfigConflictInfo = FileConflictDetails;

export const configConflictFromError = (error: unknown): ConfigConflictInfo | null =>
  fileConflictFromError(error, 'CONFIG_CONFLICT');

export function ConfigConflict({
  conflict,
  onKeepMine,
  onReload,
}: {
  conflict: ConfigConflictInfo;
  onKeepMine: () => void;
  onReload: () => void;
}) {
  const { t } = useTranslation();
  const theirs = conflict.theirs ?? '';
  const mine = conflict.mine ?? '';
  return (
    <div className="settings-conflict" role="alert" data-config-conflict="">
      <p className="state__title">{t('settings.conflict.title', { file: conflict.file })}</p>
      <p>{t('settings.conflict.description')}</p>
      <div className="conflict">
        <ConflictSides
          theirsTitle={t('settings.conflict.theirs')}
          theirs={theirs}
          mineTitle={t('settings.conflict.mine')}
          mine={mine}
        />
      </div>
      <div className="conflict__actions">
        {conflict.mine !== null ? (
          <button type="button" className="button button--primary" onClick={onKeepMine}>
            {t('settings.conflict.keepMine')}
          </button>
        ) : null}
        <button type="button" className="button" onClick={onReload}>
          {t('settings.conflict.reload')}
        </button>
      </div>
    </div>
  );
}
