import { useTranslation } from 'react-i18next';
import { useSegmentList } from '../../api/queries.ts';
import { useFormat } from '../../format/format.ts';
import { KIND_ORDER, type ColumnCatalogue } from './catalogue.ts';
import { useColumnValues } from './editorQueries.ts';
import { OPERATORS, OPERATORS_BY_KIND, isOperator, valueShape, type Operator } from './operators.ts';
import { problemPosition, problemsAt, type DefinitionProblem } from './problems.ts';
import {
  cloneNode,
  newCondition,
  newId,
  newSegmentCondition,
  type ConditionNode,
  type GroupNode,
  type RuleNode,
  type SegmentNode,
  type SqlNode,
} from './ruleTree.ts';

/** What the funnel says about a top-level rule: customers still in after it, and those it took out. */
export interface StepCount {
  remaining: number;
  removed: number;
}

export interface BuilderContext {
  /** The columns from segments.columns: kinds type the operators, descriptions explain the column. */
  catalogue: ColumnCatalogue;
  paths: ReadonlyMap<string, string>;
  problems: readonly DefinitionProblem[];
  counts: ReadonlyMap<string, StepCount>;
  edit(id: string, change: (node: RuleNode) => RuleNode | RuleNode[] | null): void;
  /** The edited segment's name: it is not offered to "in segment" rules (a segment cannot read itself). */
  self?: string;
}

/** i18n keys of the operators: the symbols are not valid key names. */
const OPERATOR_KEYS: Record<Operator, string> = {
  '=': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
  between: 'between',
  in: 'in',
  not_in: 'not_in',
  contains: 'contains',
  contains_any: 'contains_any',
  contains_all: 'contains_all',
  is_null: 'is_null',
  is_not_null: 'is_not_null',
  is_empty: 'is_empty',
  is_not_empty: 'is_not_empty',
  within_last_days: 'within_last_days',
  more_than_days_ago: 'more_than_days_ago',
  within_next_days: 'within_next_days',
};

function childPaths(node: RuleNode, ctx: BuilderContext): string[] {
  if (node.kind !== 'all' && node.kind !== 'any') return [];
  return node.children.map((child) => ctx.paths.get(child.id) ?? '');
}

function defaultCondition(): ConditionNode {
  return newCondition('total_orders', '>=', ['1']);
}

/** The rule tree as nested AND/OR groups; the root group cannot be removed. */
export function RuleBuilder({ root, ctx }: { root: GroupNode; ctx: BuilderContext }) {
  return <GroupView node={root} ctx={ctx} isRoot />;
}

function GroupView({
  node,
  ctx,
  isRoot = false,
}: {
  node: GroupNode;
  ctx: BuilderContext;
  isRoot?: boolean;
}) {
  const { t } = useTranslation();
  const path = ctx.paths.get(node.id) ?? '';
  const problems = problemsAt(ctx.problems, path, childPaths(node, ctx));
  return (
    <fieldset
      className={`rule-group rule-group--${node.kind}${node.muted ? ' rule-group--muted' : ''}`}
      data-path={path}
      data-muted={node.muted ? 'true' : undefined}
    >
      <legend className="rule-group__legend">
        <select
          className="select"
          aria-label={t('segments.builder.combine')}
          value={node.kind}
          onChange={(event) => {
            const kind = event.target.value === 'any' ? 'any' : 'all';
            ctx.edit(node.id, (current) => ({ ...(current as GroupNode), kind }));
          }}
        >
          <option value="all">{t('segments.builder.all')}</option>
          <option value="any">{t('segments.builder.any')}</option>
        </select>
        {node.label ? (
          <span className="rule-group__label" translate="no">
            {node.label}
          </span>
        ) : null}
        <NodeCount path={path} ctx={ctx} muted={node.muted} />
      </legend>
      <ul className="rule-group__children">
        {node.children.map((child) => (
          <li key={child.id}>
            {child.kind === 'condition' ? (
              <ConditionRow node={child} ctx={ctx} />
            ) : child.kind === 'segment' ? (
              <SegmentRow node={child} ctx={ctx} />
            ) : child.kind === 'sql' ? (
              <SqlRow node={child} ctx={ctx} />
            ) : (
              <GroupView node={child} ctx={ctx} />
            )}
          </li>
        ))}
      </ul>
      <Problems problems={problems} />
      <div className="rule-group__actions">
        <button
          type="button"
          className="button button--small"
          onClick={() =>
            ctx.edit(node.id, (current) => ({
              ...(current as GroupNode),
              children: [...(current as GroupNode).children, defaultCondition()],
            }))
          }
        >
          {t('segments.builder.addCondition')}
        </button>
        <AddSegmentButton group={node} ctx={ctx} />
        <button
          type="button"
          className="button button--small"
          onClick={() =>
            ctx.edit(node.id, (current) => ({
              ...(current as GroupNode),
              children: [
                ...(current as GroupNode).children,
                { id: newId(), kind: node.kind === 'all' ? 'any' : 'all', children: [defaultCondition()] },
              ],
            }))
          }
        >
          {t('segments.builder.addGroup')}
        </button>
        {isRoot ? null : (
          <>
            <MuteButton node={node} ctx={ctx} />
            <button
              type="button"
              className="button button--small"
              onClick={() => ctx.edit(node.id, (current) => [current, cloneNode(current)])}
            >
              {t('segments.builder.duplicateGroup')}
            </button>
            <button
              type="button"
              className="button button--small button--danger"
              onClick={() => ctx.edit(node.id, () => null)}
            >
              {t('segments.builder.removeGroup')}
            </button>
          </>
        )}
      </div>
    </fieldset>
  );
}

function ConditionRow({ node, ctx }: { node: ConditionNode; ctx: BuilderContext }) {
  const { t } = useTranslation();
  const path = ctx.paths.get(node.id) ?? '';
  const { catalogue } = ctx;
  const column = catalogue.byName.get(node.column);
  const kind = column?.kind;
  const allowed: readonly string[] = column ? column.operators : kind ? OPERATORS_BY_KIND[kind] : OPERATORS;
  const operators = allowed.includes(node.op) ? allowed : [...allowed, node.op];
  const problems = problemsAt(ctx.problems, path, []);
  const set = (change: Partial<ConditionNode>) =>
    ctx.edit(node.id, (current) => ({ ...(current as ConditionNode), ...change }));

  const changeColumn = (name: string) => {
    const nextKind = catalogue.kindOf(name);
    const nextAllowed: readonly string[] = nextKind ? OPERATORS_BY_KIND[nextKind] : OPERATORS;
    if (nextAllowed.includes(node.op)) return set({ column: name });
    const op = nextAllowed[0] ?? 'is_not_null';
    set({ column: name, op, texts: emptyTexts(op, nextKind === 'boolean') });
  };
  const changeOperator = (op: string) => {
    const same = isOperator(op) && isOperator(node.op) && valueShape(op) === valueShape(node.op);
    set({ op, texts: same ? node.texts : emptyTexts(op, kind === 'boolean') });
  };

  return (
    <div
      className={`rule${node.muted ? ' rule--muted' : ''}`}
      data-path={path}
      data-column={node.column}
      data-muted={node.muted ? 'true' : undefined}
    >
      <div className="rule__fields">
        <select
          className="select rule__column"
          aria-label={t('segments.builder.column')}
          value={node.column}
          onChange={(event) => changeColumn(event.target.value)}
          translate="no"
        >
          {column ? null : <option value={node.column}>{node.column}</option>}
          {KIND_ORDER.map((group) => {
            const inGroup = catalogue.columns.filter((c) => c.kind === group);
            return inGroup.length ? (
              <optgroup key={group} label={t(`segments.kind.${group}`)}>
                {inGroup.map((c) => (
                  <option key={c.name} value={c.name} title={c.description}>
                    {c.name}
                  </option>
                ))}
              </optgroup>
            ) : null;
          })}
        </select>
        <select
          className="select rule__op"
          aria-label={t('segments.builder.operator')}
          value={node.op}
          onChange={(event) => changeOperator(event.target.value)}
        >
          {operators.map((op) => (
            <option key={op} value={op}>
              {isOperator(op) ? t(`segments.op.${OPERATOR_KEYS[op]}`) : op}
            </option>
          ))}
        </select>
        <ValueInputs node={node} catalogue={catalogue} onChange={(texts) => set({ texts })} />
        <NodeCount path={path} ctx={ctx} muted={node.muted} />
        <MuteButton node={node} ctx={ctx} />
        <button
          type="button"
          className="button button--small button--danger"
          onClick={() => ctx.edit(node.id, () => null)}
        >
          {t('segments.builder.removeCondition')}
        </button>
      </div>
      {column?.description ? (
        <p className="rule__hint" translate="no">
          {column.description}
        </p>
      ) : null}
      <Problems problems={problems} />
    </div>
  );
}

function emptyTexts(op: string, isBoolean: boolean): string[] {
  if (!isOperator(op)) return [''];
  const shape = valueShape(op);
  if (shape === 'none') return [];
  if (shape === 'two') return ['', ''];
  return [isBoolean && shape === 'one' ? 'true' : ''];
}

function ValueInputs({
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
        <input
          className="input input--number"
          inputMode="numeric"
          aria-label={t('segments.builder.days')}
          value={text(0)}
          onChange={(event) => update(0, event.target.value)}
        />
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
        <input
          className="input"
          type={inputType}
          aria-label={t('segments.builder.low')}
          value={text(0)}
          onChange={(event) => update(0, event.target.value)}
        />
        <span>{t('segments.builder.and')}</span>
        <input
          className="input"
          type={inputType}
          aria-label={t('segments.builder.high')}
          value={text(1)}
          onChange={(event) => update(1, event.target.value)}
        />
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
        <input
          className="input input--wide"
          aria-label={t('segments.builder.values')}
          placeholder={t('segments.builder.valuesPlaceholder')}
          value={text(0)}
          onChange={(event) => update(0, event.target.value)}
        />
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
      <input
        className="input input--number"
        type={inputType}
        inputMode={kind === 'number' ? 'decimal' : undefined}
        aria-label={t('segments.builder.value')}
        value={text(0)}
        onChange={(event) => update(0, event.target.value)}
      />
      {kind === 'string'
        ? chips(suggestions.filter((s) => s.value !== text(0)).slice(0, 8), (value) => update(0, value))
        : null}
      {range}
    </span>
  );
}

/** Mutes a rule or group (kept in the file, left out of the count) or brings it back. */
function MuteButton({ node, ctx }: { node: RuleNode; ctx: BuilderContext }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="button button--small"
      aria-pressed={node.muted === true}
      onClick={() =>
        ctx.edit(node.id, (current) => {
          const { muted: _muted, ...rest } = current;
          return current.muted ? (rest as RuleNode) : ({ ...current, muted: true } as RuleNode);
        })
      }
    >
      {node.muted ? t('segments.builder.unmute') : t('segments.builder.mute')}
    </button>
  );
}

function SqlRow({ node, ctx }: { node: SqlNode; ctx: BuilderContext }) {
  const { t } = useTranslation();
  const path = ctx.paths.get(node.id) ?? '';
  return (
    <div
      className={`rule rule--sql${node.muted ? ' rule--muted' : ''}`}
      data-path={path}
      data-muted={node.muted ? 'true' : undefined}
    >
      <div className="rule__fields">
        <span className="rule__kind">{t('segments.builder.expertRule')}</span>
        <code translate="no">{node.sql}</code>
        <NodeCount path={path} ctx={ctx} muted={node.muted} />
        <MuteButton node={node} ctx={ctx} />
        <button
          type="button"
          className="button button--small button--danger"
          onClick={() => ctx.edit(node.id, () => null)}
        >
          {t('segments.builder.removeCondition')}
        </button>
      </div>
      {/* What makes an expert rule safe to run (core/segments/expertSql.ts), so a marketer can trust it. */}
      <p className="rule__hint">{t('segments.builder.expertReadOnly')}</p>
      <Problems problems={problemsAt(ctx.problems, path, [])} />
    </div>
  );
}

/** Saved segments an "in segment" rule may read: every saved one but the edited segment itself. */
function useSegmentChoices(self: string | undefined) {
  const list = useSegmentList();
  const segments = (list.data?.segments ?? []).filter((s) => s.name !== self);
  return { segments, loading: list.isPending };
}

/** Adds "is in segment X" with the first saved segment; there is nothing to add before one is saved. */
function AddSegmentButton({ group, ctx }: { group: GroupNode; ctx: BuilderContext }) {
  const { t } = useTranslation();
  const { segments } = useSegmentChoices(ctx.self);
  const first = segments[0]?.name;
  return (
    <button
      type="button"
      className="button button--small"
      disabled={first === undefined}
      title={first === undefined ? t('segments.builder.noSavedSegments') : undefined}
      onClick={() =>
        first !== undefined &&
        ctx.edit(group.id, (current) => ({
          ...(current as GroupNode),
          children: [...(current as GroupNode).children, newSegmentCondition(first)],
        }))
      }
    >
      {t('segments.builder.addSegment')}
    </button>
  );
}

/** "Is (not) in segment X": the other segment's list members now, picked from the saved segments. */
function SegmentRow({ node, ctx }: { node: SegmentNode; ctx: BuilderContext }) {
  const { t } = useTranslation();
  const format = useFormat();
  const path = ctx.paths.get(node.id) ?? '';
  const { segments } = useSegmentChoices(ctx.self);
  const set = (change: Partial<SegmentNode>) =>
    ctx.edit(node.id, (current) => ({ ...(current as SegmentNode), ...change }));
  return (
    <div
      className={`rule rule--segment${node.muted ? ' rule--muted' : ''}`}
      data-path={path}
      data-segment={node.segment}
      data-muted={node.muted ? 'true' : undefined}
    >
      <div className="rule__fields">
        <select
          className="select rule__op"
          aria-label={t('segments.builder.segmentOperator')}
          value={node.op}
          onChange={(event) =>
            set({ op: event.target.value === 'not_in' ? 'not_in' : 'in', opWritten: true })
          }
        >
          <option value="in">{t('segments.builder.inSegment')}</option>
          <option value="not_in">{t('segments.builder.notInSegment')}</option>
        </select>
        <select
          className="select rule__segment"
          aria-label={t('segments.builder.segment')}
          value={node.segment}
          onChange={(event) => set({ segment: event.target.value })}
          translate="no"
        >
          {segments.some((s) => s.name === node.segment) ? null : (
            <option value={node.segment}>{node.segment}</option>
          )}
          {segments.map((s) => (
            <option key={s.name} value={s.name} title={s.description}>
              {`${s.name} (${format.integer(s.count)})`}
            </option>
          ))}
        </select>
        <NodeCount path={path} ctx={ctx} muted={node.muted} />
        <MuteButton node={node} ctx={ctx} />
        <button
          type="button"
          className="button button--small button--danger"
          onClick={() => ctx.edit(node.id, () => null)}
        >
          {t('segments.builder.removeCondition')}
        </button>
      </div>
      <p className="rule__hint">{t('segments.builder.segmentHint')}</p>
      <Problems problems={problemsAt(ctx.problems, path, [])} />
    </div>
  );
}

/** The funnel's figures for a top-level rule (the service counts no deeper yet); a muted rule counts nothing. */
function NodeCount({ path, ctx, muted }: { path: string; ctx: BuilderContext; muted?: boolean | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (muted) return <span className="rule-count rule-count--muted">{t('segments.builder.muted')}</span>;
  const count = ctx.counts.get(path);
  if (!count) return null;
  return (
    <span className="rule-count" data-keeps={count.remaining} data-removes={count.removed}>
      {t('segments.builder.keeps', { formatted: format.integer(count.remaining) })}
      {' · '}
      {t('segments.builder.removes', { formatted: format.integer(count.removed) })}
    </span>
  );
}

export function Problems({ problems }: { problems: readonly DefinitionProblem[] }) {
  const { t } = useTranslation();
  if (!problems.length) return null;
  return (
    <ul className="problem-list problem-list--inline" aria-label={t('segments.problems.label')}>
      {problems.map((problem, index) => (
        <li key={index} className="problem">
          <code className="problem__path" translate="no">
            {problem.path || t('segments.problems.topLevel')}
          </code>{' '}
          {problemPosition(problem) ? (
            <span className="problem__position" translate="no">
              {t('segments.problems.at', { position: problemPosition(problem) })}
            </span>
          ) : null}{' '}
          <span className="problem__message" translate="no">
            {problem.message}
          </span>
        </li>
      ))}
    </ul>
  );
}
