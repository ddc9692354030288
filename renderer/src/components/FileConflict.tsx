import { summarizeError } from '../api/errors.ts';

/**
 * A save the API refused because the file changed on disk since it was read (SEGMENT_CONFLICT,
 * CONFIG_CONFLICT): the error's details, and the two versions side by side with the lines only one side has
 * marked. The pages around it say what the conflict means for their file and offer their ways on.
 */

export interface FileConflictDetails {
  file: string;
  /** The file on disk now; null when it was deleted (or, for a new file, never there). */
  theirs: string | null;
  /** The file this save would write, when the API computed it (their version with this edit); else null. */
  mine: string | null;
  contentHash: string | null;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** The conflict's details when `error` is a refusal with this code, else null. */
export function fileConflictFromError(error: unknown, code: string): FileConflictDetails | null {
  if (summarizeError(error).code !== code) return null;
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

/** Theirs and mine side by side; a line only one side has is marked on that side. */
export function ConflictSides({
  theirsTitle,
  theirs,
  mineTitle,
  mine,
}: {
  theirsTitle: string;
  theirs: string;
  mineTitle: string;
  mine: string;
}) {
  return (
    <>
      <Side title={theirsTitle} text={theirs} other={new Set(mine.split('\n'))} />
      <Side title={mineTitle} text={mine} other={new Set(theirs.split('\n'))} />
    </>
  );
}
