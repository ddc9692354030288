import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Settings } from '../../api/types.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { Panel } from '../../components/Panel.tsx';
import { SaveButtons, SaveOutcome } from './SaveOutcome.tsx';
import { useSaveSettings } from './settingsQueries.ts';

/**
 * The guardrail thresholds of sync.guardrails, editable: numbers as number fields, switches as checkboxes. Save
 * writes only the changed ones into c360.config.yaml (settings.save checks them with the config's own schema);
 * the next plan uses them.
 */

type Value = string | boolean;

function unitOf(key: string): string | null {
  return key.endsWith('_percent') ? '%' : key.endsWith('_hours') ? 'h' : null;
}

const isBadNumber = (value: Value) =>
  typeof value === 'string' && (value.trim() === '' || !Number.isFinite(Number(value)));

export function GuardrailsForm({
  settings,
  onReload,
}: {
  settings: Settings;
  onReload: () => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const save = useSaveSettings();
  const [draft, setDraft] = useState<Record<string, Value>>({});
  const [invalid, setInvalid] = useState<string[]>([]);
  const label = (key: string) => t(`settings.guardrails.names.${key}`, { defaultValue: key });
  const rows = Object.entries(settings.guardrails).map(([key, saved]) => ({ key, saved }));
  const changes = Object.entries(draft).filter(([key, value]) => {
    const saved = settings.guardrails[key];
    return typeof value === 'boolean' ? value !== saved : isBadNumber(value) || Number(value) !== saved;
  });
  const set = (key: string, value: Value) => setDraft((current) => ({ ...current, [key]: value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const bad = changes.filter(([, value]) => isBadNumber(value)).map(([key]) => key);
    setInvalid(bad);
    if (bad.length || !changes.length) return;
    save.mutate(
      {
        configHash: settings.configHash,
        guardrails: Object.fromEntries(
          changes.map(([key, value]) => [key, typeof value === 'boolean' ? value : Number(value)]),
        ),
      },
      { onSuccess: () => setDraft({}) },
    );
  }

  function field(key: string, saved: Settings['guardrails'][string]) {
    const id = `guardrail-${key}`;
    const value = draft[key] ?? (typeof saved === 'boolean' ? saved : String(saved ?? ''));
    const unit = unitOf(key);
    if (typeof saved === 'boolean')
      return (
        <span className="settings-form__switch">
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            onChange={(event) => set(key, event.target.checked)}
          />{' '}
          {value === true ? t('settings.on') : t('settings.off')}
        </span>
      );
    if (typeof saved !== 'number') return <span id={id}>{String(saved ?? '–')}</span>;
    return (
      <span className="settings-form__number">
        <input
          id={id}
          className="input input--number"
          type="number"
          inputMode="decimal"
          min={0}
          max={unit === '%' ? 100 : undefined}
          step="any"
          value={String(value)}
          aria-invalid={invalid.includes(key) || undefined}
          onChange={(event) => set(key, event.target.value)}
        />
        {unit ? <span translate="no">{unit}</span> : null}
        {invalid.includes(key) ? (
          <span className="settings-form__problem">{t('settings.guardrails.notANumber')}</span>
        ) : null}
      </span>
    );
  }

  return (
    <Panel
      title={t('settings.guardrails.title')}
      description={t('settings.guardrails.description', { file: settings.configFile })}
    >
      <form onSubmit={submit} data-guardrails-form="" noValidate>
        <DataTable
          caption={t('settings.guardrails.title')}
          captionHidden
          rows={rows}
          rowKey={(row) => row.key}
          columns={[
            {
              key: 'name',
              header: t('settings.guardrails.setting'),
              // The label, and the name to look for in the config file (a guardrail without a label: the name).
              cell: ({ key }) => (
                <label htmlFor={`guardrail-${key}`} className="setting-name" data-guardrail={key}>
                  {label(key) !== key ? <span>{label(key)}</span> : null}
                  <code className="muted" translate="no">
                    {key}
                  </code>
                </label>
              ),
            },
            {
              key: 'value',
              header: t('settings.guardrails.value'),
              cell: ({ key, saved }) => field(key, saved),
            },
          ]}
        />
        <div className="settings-form__actions">
          <SaveButtons
            pending={save.isPending}
            canSave={changes.length > 0}
            canDiscard={Object.keys(draft).length > 0}
            onDiscard={() => {
              setDraft({});
              setInvalid([]);
              save.reset();
            }}
          />
        </div>
        <div aria-live="polite">
          <SaveOutcome
            state={save}
            onRetry={(input) => save.mutate(input, { onSuccess: () => setDraft({}) })}
            onReload={() => {
              setDraft({});
              save.reset();
              void onReload();
            }}
          />
        </div>
      </form>
    </Panel>
  );
}
