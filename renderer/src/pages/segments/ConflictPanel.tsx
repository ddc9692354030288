import { useTranslation } from 'react-i18next';
import {
  ConflictSides,
  fileConflictFromError,
  type FileConflictDetails,
} from '../../components/FileConflict.tsx';
import { Panel } from '../../components/Panel.tsx';

/**
 * A save refused because the file changed on disk since it was opened (SEGMENT_CONFLICT): their version and
 * yours side by side, lines only one side has marked, and the two ways on — keep yours (save over their
 * version, on purpose) or take theirs into the editor.
 */

export type Conflict = FileConflictDetails;

export const conflictFromError = (error: unknown): Conflict | null =>
  fileConflictFromError(error, 'SEGMENT_CONFLICT');

export function ConflictPanel({
  conflict,
  mine,
  onKeepMine,
  onTakeTheirs,
}: {
  conflict: Conflict;
  mine: string;
  /** Only for the file the editor opened: a new segment never overwrites another segment's file. */
  onKeepMine: (() => void) | null;
  onTakeTheirs: () => void;
}) {
  const { t } = useTranslation();
  const theirs = conflict.theirs ?? '';
  return (
    <Panel
      title={t('segments.conflict.title')}
      description={t('segments.conflict.description', { file: `segments/${conflict.file}` })}
    >
      <div className="conflict" role="alert" data-file={conflict.file}>
        <ConflictSides
          theirsTitle={t('segments.conflict.theirs')}
          theirs={theirs}
          mineTitle={t('segments.conflict.mine')}
          mine={mine}
        />
      </div>
      <div className="conflict__actions">
        {onKeepMine ? (
          <button type="button" className="button button--primary" onClick={onKeepMine}>
            {t('segments.conflict.keepMine')}
          </button>
        ) : null}
        {conflict.theirs !== null ? (
          <button type="button" className="button" onClick={onTakeTheirs}>
            {t('segments.conflict.takeTheirs')}
          </button>
        ) : null}
      </div>
    </Panel>
  );
}
