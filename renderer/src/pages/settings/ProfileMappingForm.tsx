import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Settings } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { Panel } from '../../components/Panel.tsx';
import { SaveButtons, SaveOutcome } from './SaveOutcome.tsx';
import { useSaveSettings } from './settingsQueries.ts';

/**
 * sync.profiles.properties, editable: Klaviyo property name → a column of the profile model (chosen from its
 * columns, never typed). Names are checked here as the service checks them (empty, spaces around, `$…` is
 * Klaviyo's own, twice), so the message is in the page's language; the service checks again before it writes.
 * Klaviyo's own fields (first name, city, …) are listed below, read-only.
 */

interface Row {
  id: number;
  property: string;
  column: string;
}

type Problem = 'empty' | 'spaces' | 'reserved' | 'twice' | 'noColumn';

function problemsOf(rows: Row[], columns: readonly string[]): Map<number, Problem> {
  const problems = new Map<number, Problem>();
  const seen = new Set<string>();
  for (const row of rows) {
    const problem: Problem | null =
      row.property.trim() === ''
        ? 'empty'
        : row.property !== row.property.trim()
          ? 'spaces'
          : row.property.startsWith('$')
            ? 'reserved'
            : seen.has(row.property)
              ? 'twice'
              : !columns.includes(row.column)
                ? 'noColumn'
                : null;
    if (problem) problems.set(row.id, problem);
    seen.add(row.property);
  }
  return problems;
}

const rowsOf = (settings: Settings): Row[] =>
  settings.profiles.properties.map((pair, id) => ({ id, ...pair }));

export function ProfileMappingForm({
  settings,
  onReload,
}: {
  settings: Settings;
  onReload: () => Promise<Settings | undefined>;
}) {
  const { t } = useTranslation();
  const save = useSaveSettings();
  const [rows, setRows] = useState<Row[]>(() => rowsOf(settings));
  const [checked, setChecked] = useState(false);
  const { profiles, profileColumns: columns } = settings;
  const editable = columns.length > 0;
  const changed =
    JSON.stringify(rows.map(({ property, column }) => ({ property, column }))) !==
    JSON.stringify(profiles.properties);
  const problems = problemsOf(rows, columns);
  const update = (id: number, patch: Partial<Row>) =>
    setRows((current) => current.map((row) => (row.id === id ? { ...row, ...patch } : row)));
  const reset = (next: Settings) => {
    setRows(rowsOf(next));
    setChecked(false);
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    setChecked(true);
    if (problems.size || !changed) return;
    save.mutate(
      {
        configHash: settings.configHash,
        profileProperties: rows.map(({ property, column }) => ({ property, column })),
      },
      { onSuccess: reset },
    );
  }

  const nameCell = (row: Row) => {
    const problem = checked ? problems.get(row.id) : undefined;
    return (
      <span className="settings-form__property" data-profile-property={row.property}>
        <input
          className="input"
          value={row.property}
          aria-label={t('settings.profiles.propertyOf', { column: row.column || '–' })}
          aria-invalid={problem !== undefined || undefined}
          onChange={(event) => update(row.id, { property: event.target.value })}
          translate="no"
        />
        {problem ? (
          <span className="settings-form__problem" role="alert">
            {t(`settings.profiles.problem.${problem}`)}
          </span>
        ) : null}
      </span>
    );
  };

  const columnCell = (row: Row) => (
    <select
      className="select"
      value={row.column}
      aria-label={t('settings.profiles.columnOf', { property: row.property || '–' })}
      onChange={(event) => update(row.id, { column: event.target.value })}
      translate="no"
    >
      {columns.includes(row.column) ? null : (
        <option value={row.column}>{t('settings.profiles.missingColumn', { column: row.column })}</option>
      )}
      {columns.map((column) => (
        <option key={column} value={column}>
          {column}
        </option>
      ))}
    </select>
  );

  return (
    <Panel
      title={t('settings.profiles.title')}
      description={t('settings.profiles.description', { file: settings.configFile, model: profiles.model })}
    >
      {editable ? (
        <form onSubmit={submit} data-mapping-form="" noValidate>
          <DataTable
            caption={t('settings.profiles.title')}
            captionHidden
            rows={rows}
            rowKey={(row) => String(row.id)}
            columns={[
              { key: 'property', header: t('settings.profiles.property'), cell: nameCell },
              { key: 'column', header: t('settings.profiles.column'), cell: columnCell },
              {
                key: 'remove',
                header: t('settings.profiles.remove'),
                cell: (row) => (
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={t('settings.profiles.removeOne', { property: row.property || '–' })}
                    onClick={() => setRows((current) => current.filter((r) => r.id !== row.id))}
                  >
                    ×
                  </button>
                ),
              },
            ]}
          />
          <div className="settings-form__actions">
            <button
              type="button"
              className="button"
              onClick={() =>
                setRows((current) => [
                  ...current,
                  { id: Math.max(-1, ...current.map((r) => r.id)) + 1, property: '', column: columns[0]! },
                ])
              }
            >
              {t('settings.profiles.add')}
            </button>
            <SaveButtons
              pending={save.isPending}
              canSave={changed}
              canDiscard={changed}
              onDiscard={() => {
                reset(settings);
                save.reset();
              }}
            />
          </div>
          <div aria-live="polite">
            <SaveOutcome
              state={save}
              onRetry={(input) => save.mutate(input, { onSuccess: reset })}
              onReload={() => {
                save.reset();
                void onReload().then((next) => next && reset(next));
              }}
            />
          </div>
        </form>
      ) : (
        <>
          <p className="settings__hint">{t('settings.profiles.notBuilt', { model: profiles.model })}</p>
          <DataTable
            caption={t('settings.profiles.title')}
            captionHidden
            rows={profiles.properties}
            rowKey={(row) => row.property}
            columns={[
              {
                key: 'property',
                header: t('settings.profiles.property'),
                cell: (row) => (
                  <span translate="no" data-profile-property={row.property}>
                    {row.property}
                  </span>
                ),
              },
              {
                key: 'column',
                header: t('settings.profiles.column'),
                cell: (row) => <code translate="no">{row.column}</code>,
              },
            ]}
          />
        </>
      )}
      <p className="settings-form__subtitle">{t('settings.profiles.attributes')}</p>
      <DataTable
        caption={t('settings.profiles.attributes')}
        captionHidden
        rows={profiles.attributes}
        rowKey={(row) => row.property}
        columns={[
          {
            key: 'property',
            header: t('settings.profiles.attribute'),
            cell: (row) => <span translate="no">{row.property}</span>,
          },
          {
            key: 'column',
            header: t('settings.profiles.column'),
            cell: (row) => <code translate="no">{row.column}</code>,
          },
        ]}
      />
    </Panel>
  );
}
