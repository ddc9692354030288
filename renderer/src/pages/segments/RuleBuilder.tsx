import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSegmentList } from '../../api/queries.ts';
import { useFormat } from '../../format/format.ts';
import { KIND_ORDER, type ColumnCatalogue } from './catalogue.ts';
import { OPERATORS, OPERATORS_BY_KIND, isOperator, valueShape, type Operator } from './operators.ts';
import { problemPosition, problemsAt, type DefinitionProblem } from './problems.ts';
import { ValueInputs } from './ValueInputs.tsx';
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
            <RemoveButton node={node} ctx={ctx} label={t('segments.builder.removeGroup')} />
          </>
        )}
      </div>
    </fieldset>
  );
}

function ConditionRow({ node, ctx }: { node: ConditionNode; ctx: BuilderContext }) {
  const { t } = useTranslation();
  const { catalogue } = ctx;
  const column = catalogue.byName.get(node.column);
  const kind = column?.kind;
  const allowed: readonly string[] = column ? column.operators : kind ? OPERATORS_BY_KIND[kind] : OPERATORS;
  const operators = allowed.includes(node.op) ? allowed : [...allowed, node.op];
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
    <RuleRow
      node={node}
      ctx={ctx}
      data={{ 'data-column': node.column }}
      hint={
        column?.description ? (
          <p className="rule__hint" translate="no">
            {column.description}
          </p>
        ) : null
      }
    >
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
    </RuleRow>
  );
}

/**
 * One rule of a group: the row of its fields (the part that differs: a column condition, an expert rule, an
 * "in segment" rule), then its count, Mute and Remove; under it a hint and its problems.
 */
function RuleRow({
  node,
  ctx,
  className = '',
  data = {},
  hint,
  children,
}: {
  node: ConditionNode | SqlNode | SegmentNode;
  ctx: BuilderContext;
  /** A modifier of the `rule` class (rule--sql, rule--segment). */
  className?: string;
  /** data-* attributes that name what the rule reads (tests and the e2e find rules by them). */
  data?: Record<`data-${string}`, string>;
  hint: ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const path = ctx.paths.get(node.id) ?? '';
  return (
    <div
      className={`rule${className ? ` ${className}` : ''}${node.muted ? ' rule--muted' : ''}`}
      data-path={path}
      {...data}
      data-muted={node.muted ? 'true' : undefined}
    >
      <div className="rule__fields">
        {children}
        <NodeCount path={path} ctx={ctx} muted={node.muted} />
        <MuteButton node={node} ctx={ctx} />
        <RemoveButton node={node} ctx={ctx} label={t('segments.builder.removeCondition')} />
      </div>
      {hint}
      <Problems problems={problemsAt(ctx.problems, path, [])} />
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

function RemoveButton({ node, ctx, label }: { node: RuleNode; ctx: BuilderContext; label: string }) {
  return (
    <button
      type="button"
      className="button button--small button--danger"
      onClick={() => ctx.edit(node.id, () => null)}
    >
      {label}
    </button>
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
  return (
    <RuleRow
      node={node}
      ctx={ctx}
      className="rule--sql"
      // What makes an expert rule safe to run (core/segments/expertSql.ts), so a marketer can trust it.
      hint={<p className="rule__hint">{t('segments.builder.expertReadOnly')}</p>}
    >
      <span className="rule__kind">{t('segments.builder.expertRule')}</span>
      <code translate="no">{node.sql}</code>
    </RuleRow>
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
  const { segments } = useSegmentChoices(ctx.self);
  const set = (change: Partial<SegmentNode>) =>
    ctx.edit(node.id, (current) => ({ ...(current as SegmentNode), ...change }));
  return (
    <RuleRow
      node={node}
      ctx={ctx}
      className="rule--segment"
      data={{ 'data-segment': node.segment }}
      hint={<p className="rule__hint">{t('segments.builder.segmentHint')}</p>}
    >
      <select
        className="select rule__op"
        aria-label={t('segments.builder.segmentOperator')}
        value={node.op}
        onChange={(event) => set({ op: event.target.value === 'not_in' ? 'not_in' : 'in', opWritten: true })}
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
    </RuleRow>
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
