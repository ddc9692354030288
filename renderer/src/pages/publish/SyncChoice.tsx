import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../api/clientContext.tsx';
import { segmentQueryKeys } from '../../api/queries.ts';
import { SYNC_KIND_NAMES, type SyncKindName } from '../../../../core/api/schemas/syncKinds.ts';

export type { SyncKindName };

/** What to publish: the syncs, and for the list sync the segments (none chosen: every saved segment). */
export interface Selection {
  syncs: SyncKindName[];
  segments: string[];
}

function toggle<T>(items: readonly T[], item: T, on: boolean): T[] {
  return on ? [...items.filter((x) => x !== item), item] : items.filter((x) => x !== item);
}

/** The choice of syncs and segments, and the button that makes the plan (a dry run). */
export function SyncChoice({
  selection,
  onChange,
  onPlan,
  disabled,
}: {
  selection: Selection;
  onChange: (selection: Selection) => void;
  onPlan: () => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const segments = useQuery({
    queryKey: segmentQueryKeys.list,
    queryFn: ({ signal }) =>
      client.segments ? client.segments.list(undefined, { signal }) : Promise.resolve(null),
  });
  const all = SYNC_KIND_NAMES.every((kind) => selection.syncs.includes(kind));
  const names = segments.data?.segments.map((segment) => segment.name) ?? [];
  // Keep the order of the syncs as the server runs them.
  const ordered = (syncs: SyncKindName[]) => SYNC_KIND_NAMES.filter((kind) => syncs.includes(kind));
  return (
    <form
      className="panel publish-choice"
      aria-label={t('publish.choose.title')}
      onSubmit={(event) => {
        event.preventDefault();
        onPlan();
      }}
    >
      <h2 className="panel__title">{t('publish.choose.title')}</h2>
      <fieldset className="publish-choice__syncs" disabled={disabled}>
        <legend>{t('publish.choose.syncs')}</legend>
        <label>
          <input
            type="checkbox"
            checked={all}
            onChange={(event) =>
              onChange({ ...selection, syncs: event.target.checked ? [...SYNC_KIND_NAMES] : [] })
            }
          />{' '}
          {t('publish.choose.all')}
        </label>
        {SYNC_KIND_NAMES.map((kind) => (
          <label key={kind}>
            <input
              type="checkbox"
              checked={selection.syncs.includes(kind)}
              onChange={(event) =>
                onChange({
                  ...selection,
                  syncs: ordered(toggle(selection.syncs, kind, event.target.checked)),
                })
              }
            />{' '}
            {t(`publish.sync.${kind}`)}
          </label>
        ))}
      </fieldset>
      {selection.syncs.includes('lists') && names.length ? (
        <fieldset className="publish-choice__segments" disabled={disabled}>
          <legend>{t('publish.choose.segments')}</legend>
          <p className="panel__description">{t('publish.choose.segmentsHint')}</p>
          {names.map((name) => (
            <label key={name} translate="no">
              <input
                type="checkbox"
                checked={selection.segments.includes(name)}
                onChange={(event) =>
                  onChange({ ...selection, segments: toggle(selection.segments, name, event.target.checked) })
                }
              />{' '}
              {name}
            </label>
          ))}
        </fieldset>
      ) : null}
      <button
        type="submit"
        className="button button--primary"
        disabled={disabled || selection.syncs.length === 0}
      >
        {t('publish.choose.plan')}
      </button>
    </form>
  );
}
