import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { stringify } from 'yaml';
import { useSavedSegment, useSegmentPreview } from '../../api/queries.ts';
import type { SegmentPreview } from '../../api/types.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { Panel } from '../../components/Panel.tsx';
import { ScrollRegion } from '../../components/ScrollRegion.tsx';
import { ErrorState, Loading } from '../../components/StateViews.tsx';
import { useFormat } from '../../format/format.ts';
import { routeHref } from '../../shell/route.ts';
import { useDebouncedValue } from '../customers/useDebouncedValue.ts';
import { problemsFromError } from './problems.ts';
import { Problems, RuleBuilder, type BuilderContext, type StepCount } from './RuleBuilder.tsx';
import {
  nodePaths,
  rootFromRules,
  ruleFromNode,
  updateNode,
  type DefinitionJson,
  type GroupNode,
  type RuleNode,
} from './ruleTree.ts';
import { BLANK_DEFINITION } from './templates.ts';
import { SegmentInsights } from './insights/SegmentInsights.tsx';

/** Every edit is previewed once it has rested this long: a held key sends one request, not twenty. */
export const PREVIEW_DEBOUNCE_MS = 50;

type FunnelStep = SegmentPreview['funnel'][number];

export function NewSegmentEditor() {
  const { t } = useTranslation();
  return (
    <EditorFrame title={t('segments.editor.newTitle')}>
      <SegmentEditor initial={BLANK_DEFINITION} saved={null} />
    </EditorFrame>
  );
}

/**
 * A saved segment: its file as data (segments.get) opens in the builder; its saved figures (segments.preview by
 * name) are what every edit is compared with. A file that cannot be used shows its problems.
 */
export function SavedSegmentEditor({ name }: { name: string }) {
  const { t } = useTranslation();
  const file = useSavedSegment(name);
  const saved = useSegmentPreview({ segment: name });
  const failed = file.isError ? file : saved.isError ? saved : null;
  let body;
  if (failed)
    body = (
      <ErrorState
        title={t('segments.editor.savedError')}
        error={failed.error}
        onRetry={() => void failed.refetch()}
      />
    );
  else if (file.data && saved.data)
    body = <SegmentEditor initial={file.data.definition as DefinitionJson} saved={saved.data} />;
  else body = <Loading rows={6} />;
  return <EditorFrame title={name}>{body}</EditorFrame>;
}

function EditorFrame({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="page segment-editor">
      <div className="page__header">
        <p className="page__back">
          <a href={routeHref({ page: 'segments', segment: null })}>{t('segments.editor.back')}</a>
        </p>
        <h1 className="page__title" translate="no">
          {title}
        </h1>
        <p className="page__subtitle">{t('segments.editor.subtitle')}</p>
      </div>
      {children}
    </div>
  );
}

interface EditorState {
  name: string;
  description: string;
  root: GroupNode;
}

function SegmentEditor({ initial, saved }: { initial: DefinitionJson; saved: SegmentPreview | null }) {
  const { t } = useTranslation();
  const [state, setState] = useState<EditorState>(() => ({
    name: typeof initial.name === 'string' ? initial.name : '',
    description: typeof initial.description === 'string' ? initial.description : '',
    root: rootFromRules(initial.rules),
  }));
  // Keys the builder does not edit (list, priority, holdout, consent, properties) are sent as they were.
  const definition = useMemo<DefinitionJson>(
    () => ({ ...initial, name: state.name, description: state.description, rules: ruleFromNode(state.root) }),
    [initial, state],
  );
  const debounced = useDebouncedValue(definition, PREVIEW_DEBOUNCE_MS);
  const preview = useSegmentPreview({ definition: debounced });
  const problems = useMemo(
    () => (preview.isError ? problemsFromError(preview.error) : null) ?? [],
    [preview.isError, preview.error],
  );
  const failedOtherwise = preview.isError && problemsFromError(preview.error) === null;
  const paths = useMemo(() => nodePaths(state.root), [state.root]);
  // After a failed call the last figures would describe other rules: counts are shown only for a good answer.
  const shown = preview.isError ? undefined : preview.data;
  const counts = useMemo(() => {
    const map = new Map<string, StepCount>();
    for (const step of shown?.funnel ?? [])
      if (step.kind === 'rule' && step.path)
        map.set(step.path, { remaining: step.remaining, removed: step.removed });
    return map;
  }, [shown]);
  const edit = useCallback(
    (id: string, change: (node: RuleNode) => RuleNode | RuleNode[] | null) =>
      setState((current) => ({ ...current, root: updateNode(current.root, id, change) })),
    [],
  );
  const ctx: BuilderContext = { paths, problems, counts, edit };
  const topProblems = problems.filter((p) => !p.path.startsWith('rules'));

  return (
    <div className="segment-editor__layout">
      <Panel title={t('segments.editor.rulesTitle')} description={t('segments.editor.rulesDescription')}>
        <div className="segment-meta">
          <label className="field">
            <span className="field__label">{t('segments.editor.name')}</span>
            <input
              className="input"
              value={state.name}
              spellCheck={false}
              onChange={(event) => setState((current) => ({ ...current, name: event.target.value }))}
            />
          </label>
          <label className="field field--wide">
            <span className="field__label">{t('segments.editor.description')}</span>
            <input
              className="input"
              value={state.description}
              onChange={(event) => setState((current) => ({ ...current, description: event.target.value }))}
            />
          </label>
        </div>
        <Problems problems={topProblems} />
        <RuleBuilder root={state.root} ctx={ctx} />
        <p className="note">{t('segments.editor.notSaved')}</p>
      </Panel>
      <div className="segment-editor__side">
        {failedOtherwise ? (
          <ErrorState
            title={t('segments.editor.previewError')}
            error={preview.error}
            onRetry={() => void preview.refetch()}
          />
        ) : shown ? (
          <SummaryPanel preview={shown} fetching={preview.isFetching} saved={saved} />
        ) : problems.length ? (
          <Panel title={t('segments.editor.totalTitle')}>
            <p className="note">{t('segments.editor.fixProblems')}</p>
          </Panel>
        ) : (
          <Loading rows={4} />
        )}
        <details className="panel yaml-view">
          <summary>{t('segments.editor.yamlTitle')}</summary>
          <ScrollRegion label={t('segments.editor.yamlTitle')}>
            <pre translate="no">{stringify(definition)}</pre>
          </ScrollRegion>
        </details>
      </div>
      <SegmentInsights definition={definition} savedName={saved?.segment ?? null} />
    </div>
  );
}

function SummaryPanel({
  preview,
  fetching,
  saved,
}: {
  preview: SegmentPreview;
  fetching: boolean;
  saved: SegmentPreview | null;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const columns: Column<FunnelStep>[] = [
    {
      key: 'step',
      header: t('segments.funnel.step'),
      cell: (step) => (
        <>
          <span className="funnel__kind">{t(`segments.funnel.kind.${step.kind}`)}</span>{' '}
          {/* The step kind says it all for these two; the others name their rule, list or column. */}
          {step.kind === 'all' || step.kind === 'marketable' ? null : (
            <span translate="no">{step.label}</span>
          )}
        </>
      ),
    },
    {
      key: 'remaining',
      header: t('segments.funnel.remaining'),
      numeric: true,
      cell: (s) => format.integer(s.remaining),
    },
    {
      key: 'removed',
      header: t('segments.funnel.removed'),
      numeric: true,
      cell: (s) => format.integer(s.removed),
    },
  ];
  return (
    <Panel title={t('segments.editor.totalTitle')}>
      <div className="segment-total" aria-live="polite" aria-busy={fetching}>
        <span className="segment-total__count" data-count={preview.count}>
          {format.integer(preview.count)}
        </span>
        <span className="segment-total__of">
          {t('segments.editor.ofBase', {
            base: format.integer(preview.base),
            share: format.percent(preview.share, 1),
          })}
        </span>
      </div>
      <p className="segment-total__meta">
        {fetching
          ? t('segments.editor.counting')
          : t('segments.editor.countedIn', { ms: format.integer(preview.engine.ms) })}
        {preview.holdout > 0
          ? ` · ${t('segments.editor.holdout', { eligible: format.integer(preview.eligible), holdout: format.integer(preview.holdout) })}`
          : ''}
      </p>
      {saved && saved !== preview ? (
        <p className="segment-total__saved">
          {t('segments.editor.savedCount', {
            formatted: format.integer(saved.count),
            delta: `${preview.count - saved.count >= 0 ? '+' : '−'}${format.integer(Math.abs(preview.count - saved.count))}`,
          })}
        </p>
      ) : null}
      <DataTable
        caption={t('segments.funnel.title')}
        columns={columns}
        rows={preview.funnel}
        rowKey={(step, i) => `${i}:${step.path ?? step.kind}`}
      />
      {preview.warnings.length ? (
        <ul className="problem-list" aria-label={t('segments.editor.warnings')}>
          {preview.warnings.map((warning, i) => (
            <li key={i} translate="no">
              {warning}
            </li>
          ))}
        </ul>
      ) : null}
    </Panel>
  );
}
