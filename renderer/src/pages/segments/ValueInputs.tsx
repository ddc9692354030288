import type { InputHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../format/format.ts';
import type { ColumnCatalogue } from './catalogue.ts';
import { useColumnValues } from './editorQueries.ts';
import { isOperator, valueShape } from './operators.ts';
import type { ConditionNode } from './ruleTree.ts';

/**
 * The value part of a column condition, shaped by its operator (one value, two, a list, a number of days, none)
 * and typed by its column, with the data's suggestions: common values with counts, the range and quartiles of
 * numbers and dates, "in the last N days" presets.
 */
export function ValueInputs({
  node,
  catalogue,
  onChange,
}: {
  node: ConditionNode;
  catalogue: ColumnCatalogue;
  onChange: (texts: string[]) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const column = catalogue.byName.get(node.column);
  const kind = column?.kind;
  const shape = isOperator(node.op) ? valueShape(node.op) : null;
  // What the column holds, for the pickers (not for yes/no columns, whose two values need no lookup).
  const wanted = shape !== null && shape !== 'none' && column !== undefined && kind !== 'boolean';
  const data = useColumnValues(wanted ? node.column : null).data;
  if (shape === null) return null;
  const text = (i: number) => node.texts[i] ?? '';
  const update = (i: number, value: string) => {
    const texts = [...node.texts];
    texts[i] = value;
    onChange(texts);
  };
  /** The text box of value `i` (class, type and the rest as given). */
  const field = (i: number, label: string, props: InputHTMLAttributes<HTMLInputElement> = {}) => (
    <input
      className="input"
      aria-label={label}
      value={text(i)}
      onChange={(event) => update(i, event.target.value)}
      {...props}
    />
  );
  if (shape === 'none') return null;
  // Suggestions of the data: the common values with their counts (the documented values until they come).
  const suggestions =
    data?.values?.map((v) => ({ value: String(v.value), label: format.integer(v.count) })) ??
    column?.values?.map((v) => ({ value: String(v), label: '' })) ??
    [];
  const number = (value: string | number) =>
    typeof value !== 'number'
      ? value
      : Number.isInteger(value)
        ? format.integer(value)
        : format.decimal(value, 2);
  // The range of a number or date column, and where its quartiles lie (a threshold to start from).
  const range =
    data?.min !== undefined && data.max !== undefined ? (
      <span className="rule__range" data-min={data.min} data-max={data.max}>
        {t('segments.values.range', { min: number(data.min), max: number(data.max) })}
        {data.quantiles?.length
          ? ` · ${data.quantiles.map((q) => t('segments.values.quantileShort', { percent: Math.round(q.q * 100), value: number(q.value) })).join(' · ')}`
          : ''}
      </span>
    ) : null;
  /** Common values as buttons (a text input with a datalist would stop being a plain text box). */
  const chips = (offered: typeof suggestions, pick: (value: string) => void) =>
    offered.length ? (
      <span className="rule__values" role="group" aria-label={t('segments.values.add')}>
        {offered.map((s) => (
          <button
            key={s.value}
            type="button"
            className="button button--small button--chip"
            translate="no"
            onClick={() => pick(s.value)}
          >
            {s.value}
            {s.label ? <span className="chip__count"> {s.label}</span> : null}
          </button>
        ))}
      </span>
    ) : null;
  if (shape === 'days')
    return (
      <span className="rule__value">
        {field(0, t('segments.builder.days'), { className: 'input input--number', inputMode: 'numeric' })}
        <span>{t('segments.builder.daysUnit')}</span>
        {data?.presets?.length && node.op === 'within_last_days' ? (
          <span className="rule__presets" role="group" aria-label={t('segments.values.presets')}>
            {data.presets.map((p) => (
              <button
                key={p.days}
                type="button"
                className="button button--small button--chip"
                aria-pressed={text(0) === String(p.days)}
                onClick={() => update(0, String(p.days))}
                title={t('segments.values.presetCount', { formatted: format.integer(p.count) })}
              >
                {t('segments.values.preset', { days: p.days })}
              </button>
            ))}
          </span>
        ) : null}
      </span>
    );
  const inputType = kind === 'date' || kind === 'timestamp' ? 'date' : 'text';
  if (shape === 'two')
    return (
      <span className="rule__value">
        {field(0, t('segments.builder.low'), { type: inputType })}
        <span>{t('segments.builder.and')}</span>
        {field(1, t('segments.builder.high'), { type: inputType })}
      </span>
    );
  if (shape === 'list') {
    const chosen = text(0)
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const offered = suggestions.filter((s) => !chosen.includes(s.value)).slice(0, 12);
    return (
      <span className="rule__value">
        {field(0, t('segments.builder.values'), {
          className: 'input input--wide',
          placeholder: t('segments.builder.valuesPlaceholder'),
        })}
        {chips(offered, (value) => update(0, [...chosen, value].join(', ')))}
        {range}
      </span>
    );
  }
  if (kind === 'boolean')
    return (
      <select
        className="select"
        aria-label={t('segments.builder.value')}
        value={text(0)}
        onChange={(event) => update(0, event.target.value)}
      >
        {text(0) !== 'true' && text(0) !== 'false' ? <option value={text(0)}>{text(0)}</option> : null}
        <option value="true">{t('segments.builder.true')}</option>
        <option value="false">{t('segments.builder.false')}</option>
      </select>
    );
  return (
    <span className="rule__value">
      {field(0, t('segments.builder.value'), {
        className: 'input input--number',
        type: inputType,
        ...(kind === 'number' ? { inputMode: 'decimal' as const } : {}),
      })}
      {kind === 'string'
        ? chips(suggestions.filter((s) => s.value !== text(0)).slice(0, 8), (value) => update(0, value))
        : null}
      {range}
    </span>
  );
}
