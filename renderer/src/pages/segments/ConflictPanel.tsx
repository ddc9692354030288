import { useTranslation } from 'react-i18next';
import { summarizeError } from '../../api/errors.ts';
import { Panel } from '../../components/Panel.tsx';

/**
 * A save refused because the file changed on disk since it was opened (SEGMENT_CONFLICT): their version and
 * yours side by side, lines only one side has marked, and the two ways on — keep yours (save over their
 * version, on purpose) or take theirs into the editor.
 */

export interface Conflict {
  file: string;
  /** The file's text now; null when it was deleted (or, for a new segment, never opened). */
  theirs: string | null;
  contentHash: string | null;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

export function conflictFromError(error: unknown): Conflict | null {
  if (summarizeError(error).code !== 'SEGMENT_CONFLICT') return null;
  const details = field(field(error, 'data'), 'details');
  const file = field(details, 'file');
  const theirs = field(details, 'theirs');
  const hash = field(details, 'contentHash');
  return {
    file: typeof file === 'string' ? file : '',
    theirs: typeof theirs === 'string' ? theirs : null,
    contentHash: typeof hash === 'string' ? hash : null,
  };
}

function Side({ title, text, other }: { title: string; text: string; other: ReadonlySet<string> }) {
  return (
    <figure className="conflict__side">
      <figcaption className="conflict__title">{title}</figcaption>
      <pre translate="no">
        {text.split('\n').map((line, i) => (
          <span
            key={i}
            className={other.has(line) ? 'conflict__line' : 'conflict__line conflict__line--only'}
          >
            {line}
            {'\n'}
          </span>
        ))}
      </pre>
    </figure>
  );
}

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
        <Side title={t('segments.conflict.theirs')} text={theirs} other={new Set(mine.split('\n'))} />
        <Side title={t('segments.conflict.mine')} text={mine} other={new Set(theirs.split('\n'))} />
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
