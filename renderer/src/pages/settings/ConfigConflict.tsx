import { useTranslation } from 'react-i18next';
import { summarizeError } from '../../api/errors.ts';

/**
 * A settings save refused because c360.config.yaml changed on disk since the page read it (CONFIG_CONFLICT):
 * the file now and the file this save would write onto it, lines only one side has marked, and the two ways on:
 * save mine over theirs (their other changes stay: the edit is applied to their version) or drop mine and reload.
 */

export interface ConfigConflictInfo {
  file: string;
  /** The file on disk now; null when it was deleted. */
  theirs: string | null;
  /** Their version with this edit applied (what "save mine" writes); null if theirs is not valid YAML. */
  mine: string | null;
  contentHash: string | null;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

export function configConflictFromError(error: unknown): ConfigConflictInfo | null {
  if (summarizeError(error).code !== 'CONFIG_CONFLICT') return null;
  const details = field(field(error, 'data'), 'details');
  const text = (name: string) => {
    const value = field(details, name);
    return typeof value === 'string' ? value : null;
  };
  return {
    file: text('file') ?? '',
    theirs: text('theirs'),
    mine: text('mine'),
    contentHash: text('contentHash'),
  };
}

function Side({ title, text, other }: { title: string; text: string; other: ReadonlySet<string> }) {
  return (
    <figure className="conflict__side">
      <figcaption className="conflict__title">{title}</figcaption>
      {/* Focusable: a long file scrolls, and keyboard users must be able to scroll it too. */}
      <pre translate="no" tabIndex={0} aria-label={title}>
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
        <Side title={t('settings.conflict.theirs')} text={theirs} other={new Set(mine.split('\n'))} />
        <Side title={t('settings.conflict.mine')} text={mine} other={new Set(theirs.split('\n'))} />
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
