import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { definitionYaml } from '../../../../core/segments/yamlDocument.ts';
import { useSavedSegment, useSegmentPreview } from '../../api/queries.ts';
import type { SavedSegment, SegmentPreview } from '../../api/types.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { Panel } from '../../components/Panel.tsx';
import { ErrorState, Loading } from '../../components/StateViews.tsx';
import { useFormat } from '../../format/format.ts';
import { navigate, routeHref } from '../../shell/route.ts';
import { useDebouncedValue } from '../customers/useDebouncedValue.ts';
import { columnCatalogue, type ColumnCatalogue } from './catalogue.ts';
import { ConflictPanel, conflictFromError, type Conflict } from './ConflictPanel.tsx';
import { useSaveSegment, useSegmentColumns } from './editorQueries.ts';
import { problemsFromError, type DefinitionProblem } from './problems.ts';
import { Problems, RuleBuilder, type BuilderContext, type StepCount } from './RuleBuilder.tsx';
import {
  nodePaths,
  rootFromRules,
  rulesFromRoot,
  updateNode,
  type DefinitionJson,
  type GroupNode,
  type RuleNode,
} from './ruleTree.ts';
import { templateListName, type TemplateList } from './templates.ts';
import { useNewSegmentStart } from './templates/templateQueries.ts';
import { readYaml, YamlView } from './YamlView.tsx';
import { SegmentInsights } from './insights/SegmentInsights.tsx';
import { PublishSegmentLink } from '../publish/PublishSegmentLink.tsx';

/** Every edit is previewed once it has rested this long: a held key sends one request, not twenty. */
export const PREVIEW_DEBOUNCE_MS = 50;

type FunnelStep = SegmentPreview['funnel'][number];
/** A funnel row: a step the service counted, or a muted top-level rule (kept in the file, not counted). */
type FunnelRow = FunnelStep & { muted?: boolean };

const topLevelIndex = (path: string | undefined) => Number(/^rules\.all\.(\d+)/.exec(path ?? '')?.[1] ?? -1);
const AFTER_RULES = new Set<FunnelStep['kind']>(['exclusion', 'priority', 'holdout']);

/** The service's funnel with the muted top-level rules put back where they stand in the rules. */
export function funnelWithMuted(funnel: readonly FunnelStep[], muted: readonly FunnelRow[]): FunnelRow[] {
  const pending = [...muted].sort((a, b) => topLevelIndex(a.path) - topLevelIndex(b.path));
  const rows: FunnelRow[] = [];
  for (const step of funnel) {
    const position =
      step.kind === 'rule' ? topLevelIndex(step.path) : AFTER_RULES.has(step.kind) ? Infinity : -1;
    while (pending.length && topLevelIndex(pending[0]!.path) < position) rows.push(pending.shift()!);
    rows.push(step);
  }
  return [...rows, ...pending];
}

/** How a muted top-level rule is named in the funnel: its condition as written, or its group's kind. */
function mutedRows(
  root: GroupNode,
  paths: ReadonlyMap<string, string>,
  groupLabel: (kind: string) => string,
) {
  return root.children.flatMap((node): FunnelRow[] => {
    if (!node.muted) return [];
    const label =
      node.label ??
      (node.kind === 'condition'
        ? `${node.column} ${node.op} ${node.texts.join(', ')}`.trim()
        : node.kind === 'sql'
          ? node.sql
          : node.kind === 'segment'
            ? `${node.op === 'not_in' ? 'not in' : 'in'} segment ${node.segment}`
            : groupLabel(node.kind));
    return [{ kind: 'rule', label, path: paths.get(node.id) ?? '', remaining: 0, removed: 0, muted: true }];
  });
}

/** The file the editor opened (none for a new segment): a save writes it only if it is still this one. */
export interface OpenedFile {
  file: string;
  contentHash: string;
  yaml: string;
}

function openedOf(saved: SavedSegment): OpenedFile {
  return { file: saved.file, contentHash: saved.contentHash, yaml: saved.yaml };
}

/** The columns rules can read come from the service (segments.columns): the editor waits for them. */
function WithColumns({ children }: { children: (catalogue: ColumnCatalogue) => ReactNode }) {
  const { t } = useTranslation();
  const columns = useSegmentColumns();
  const catalogue = useMemo(() => (columns.data ? columnCatalogue(columns.data) : null), [columns.data]);
  if (columns.isError)
    return (
      <ErrorState
        title={t('segments.editor.columnsError')}
        error={columns.error}
        onRetry={() => void columns.refetch()}
      />
    );
  return catalogue ? <>{children(catalogue)}</> : <Loading rows={6} />;
}

export function NewSegmentEditor() {
  const { t } = useTranslation();
  // `#/segments/+new?template=NAME` starts from a built-in template (the gallery's "Use template").
  const start = useNewSegmentStart();
  return (
    <EditorFrame title={t('segments.editor.newTitle')}>
      {start.error ? (
        <p className="note" role="alert">
          {t('segments.editor.templateMissing', { name: start.templateName ?? '' })}
        </p>
      ) : null}
      {start.pending ? (
        <Loading rows={6} />
      ) : (
        <WithColumns>
          {(catalogue) => (
            <SegmentEditor
              key={start.templateName ?? ''}
              initial={start.definition}
              listFrom={start.listFrom}
              opened={null}
              saved={null}
              catalogue={catalogue}
            />
          )}
        </WithColumns>
      )}
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
  else if (file.data && saved.data) {
    const opened = file.data;
    const preview = saved.data;
    body = (
      <WithColumns>
        {(catalogue) => (
          <SegmentEditor
            initial={opened.definition}
            opened={openedOf(opened)}
            saved={preview}
            catalogue={catalogue}
          />
        )}
      </WithColumns>
    );
  } else body = <Loading rows={6} />;
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
  /** The definition's keys the builder does not edit (list, priority, holdout, consent, properties). */
  base: DefinitionJson;
  name: string;
  description: string;
  root: GroupNode;
}

function stateFrom(definition: DefinitionJson): EditorState {
  return {
    base: definition,
    name: typeof definition.name === 'string' ? definition.name : '',
    description: typeof definition.description === 'string' ? definition.description : '',
    root: rootFromRules(definition.rules),
  };
}

export function SegmentEditor({
  initial,
  listFrom: listFromTemplate = null,
  opened: openedAtStart,
  saved,
  catalogue,
}: {
  initial: DefinitionJson;
  /** A new segment from a template: its Klaviyo list follows its name until the YAML names one by hand. */
  listFrom?: TemplateList | null;
  opened: OpenedFile | null;
  saved: SegmentPreview | null;
  catalogue: ColumnCatalogue;
}) {
  const { t } = useTranslation();
  const [state, setState] = useState<EditorState>(() => stateFrom(initial));
  const [opened, setOpened] = useState<OpenedFile | null>(openedAtStart);
  /** The YAML the builder's edits are written into: the opened file, then the last text typed in the YAML view. */
  const [yamlBase, setYamlBase] = useState<string | null>(openedAtStart?.yaml ?? null);
  /** What the YAML view shows while the user types in it (it may not parse yet). */
  const [yamlDraft, setYamlDraft] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [listFrom, setListFrom] = useState<TemplateList | null>(listFromTemplate);
  const save = useSaveSegment();

  const definition = useMemo<DefinitionJson>(() => {
    const { name: _n, description: _d, rules: _r, ...rest } = state.base;
    return {
      name: state.name,
      ...(state.description || 'description' in state.base ? { description: state.description } : {}),
      ...rest,
      ...(listFrom ? { klaviyo_list: templateListName(listFrom, state.name) } : {}),
      rules: rulesFromRoot(state.root, catalogue.kindOf),
    };
  }, [state, catalogue, listFrom]);
  /** The text that is saved: the definition written into the file as opened (its comments kept). */
  const generatedYaml = useMemo(() => definitionYaml(definition, yamlBase), [definition, yamlBase]);
  const yamlText = yamlDraft ?? generatedYaml;
  const yamlRead = useMemo(() => (yamlDraft === null ? null : readYaml(yamlDraft)), [yamlDraft]);

  const debounced = useDebouncedValue(definition, PREVIEW_DEBOUNCE_MS);
  const preview = useSegmentPreview({ definition: debounced });
  const saveProblems = useMemo(
    () => (save.isError && !conflictFromError(save.error) ? (problemsFromError(save.error) ?? []) : []),
    [save.isError, save.error],
  );
  const problems = useMemo<DefinitionProblem[]>(
    () => [...((preview.isError ? problemsFromError(preview.error) : null) ?? []), ...saveProblems],
    [preview.isError, preview.error, saveProblems],
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
  const edited = useCallback(() => {
    setYamlDraft(null);
    save.reset();
  }, [save]);
  const edit = useCallback(
    (id: string, change: (node: RuleNode) => RuleNode | RuleNode[] | null) => {
      edited();
      setState((current) => ({ ...current, root: updateNode(current.root, id, change) }));
    },
    [edited],
  );
  const ctx: BuilderContext = { catalogue, paths, problems, counts, edit, self: state.name };
  const topProblems = problems.filter((p) => !p.path.startsWith('rules'));

  const typeYaml = (text: string) => {
    setYamlDraft(text);
    // The text names the list now (the one shown, or one typed by hand): it no longer follows the name.
    setListFrom(null);
    save.reset();
    const read = readYaml(text);
    // The builder follows the text as soon as it parses; until then it keeps the last good rules.
    if (read.definition) {
      setYamlBase(text);
      setState(stateFrom(read.definition));
    }
  };

  const saveAs = (contentHash: string | null | undefined, text: string) => {
    setConflict(null);
    save.mutate(
      {
        yaml: text,
        ...(opened ? { file: opened.file } : {}),
        ...(contentHash ? { contentHash } : {}),
      },
      {
        onSuccess: (result) => {
          setOpened(openedOf(result));
          setYamlBase(result.yaml);
          setYamlDraft(null);
          if (!opened || state.name !== saved?.segment)
            navigate({ page: 'segments', segment: { kind: 'saved', name: result.name } });
        },
        onError: (error) => setConflict(conflictFromError(error)),
      },
    );
  };
  const takeTheirs = (theirs: Conflict) => {
    if (theirs.theirs !== null && theirs.contentHash) {
      const read = readYaml(theirs.theirs);
      setOpened({ file: theirs.file, contentHash: theirs.contentHash, yaml: theirs.theirs });
      setYamlBase(theirs.theirs);
      setYamlDraft(null);
      if (read.definition) setState(stateFrom(read.definition));
    }
    setConflict(null);
    save.reset();
  };

  const saveFailed = save.isError && !conflict && saveProblems.length === 0;
  return (
    <div className="segment-editor__layout">
      <div className="segment-editor__main">
        <Panel title={t('segments.editor.rulesTitle')} description={t('segments.editor.rulesDescription')}>
          <div className="segment-meta">
            <label className="field">
              <span className="field__label">{t('segments.editor.name')}</span>
              <input
                className="input"
                value={state.name}
                spellCheck={false}
                onChange={(event) => {
                  edited();
                  setState((current) => ({ ...current, name: event.target.value }));
                }}
              />
            </label>
            <label className="field field--wide">
              <span className="field__label">{t('segments.editor.description')}</span>
              <input
                className="input"
                value={state.description}
                onChange={(event) => {
                  edited();
                  setState((current) => ({ ...current, description: event.target.value }));
                }}
              />
            </label>
          </div>
          <Problems problems={topProblems} />
          <ConsentRule definition={definition} preview={shown} />
          <RuleBuilder root={state.root} ctx={ctx} />
          <div className="segment-save">
            <button
              type="button"
              className="button button--primary"
              disabled={save.isPending || Boolean(yamlRead?.problems.length)}
              onClick={() => saveAs(opened?.contentHash, yamlText)}
            >
              {save.isPending ? t('segments.editor.saving') : t('segments.editor.save')}
            </button>
            {/* Publishing sends the saved file's members: offered for a segment that has one. */}
            {saved ? <PublishSegmentLink segment={saved.segment} /> : null}
            <span className="note" role="status">
              {save.isSuccess && opened
                ? t('segments.editor.savedTo', { file: `segments/${opened.file}` })
                : opened
                  ? t('segments.editor.opened', { file: `segments/${opened.file}` })
                  : t('segments.editor.notSaved', { file: `segments/${state.name || '…'}.yaml` })}
            </span>
          </div>
          {saveProblems.length ? (
            <p className="notice notice--error" role="alert">
              {t('segments.editor.saveInvalid')}
            </p>
          ) : null}
          {saveFailed ? <ErrorState title={t('segments.editor.saveError')} error={save.error} /> : null}
        </Panel>
        {conflict ? (
          <ConflictPanel
            conflict={conflict}
            mine={yamlText}
            onKeepMine={opened ? () => saveAs(conflict.contentHash, yamlText) : null}
            onTakeTheirs={() => takeTheirs(conflict)}
          />
        ) : null}
        <YamlView
          text={yamlText}
          problems={yamlRead?.problems ?? problems}
          onChange={typeYaml}
          onDone={() => setYamlDraft(null)}
        />
      </div>
      <div className="segment-editor__side">
        {failedOtherwise ? (
          <ErrorState
            title={t('segments.editor.previewError')}
            error={preview.error}
            onRetry={() => void preview.refetch()}
          />
        ) : shown ? (
          <SummaryPanel
            preview={shown}
            fetching={preview.isFetching}
            saved={saved}
            muted={mutedRows(state.root, paths, (kind) => t(`segments.builder.${kind}`))}
          />
        ) : problems.length ? (
          <Panel title={t('segments.editor.totalTitle')}>
            <p className="note">{t('segments.editor.fixProblems')}</p>
          </Panel>
        ) : (
          <Loading rows={4} />
        )}
        {/* Further panels (insights: what-if, breakdowns, overlaps) are appended to this column. */}
      </div>
      <SegmentInsights definition={definition} savedName={saved?.segment ?? null} />
    </div>
  );
}

/**
 * A sensitive segment's consent rule: the columns a member must have true. The preview's consent steps are the
 * judge (they follow the health data the rules read, core/segments/sensitivity.ts); the file's `sensitive` /
 * `consent_column` says the same before the first count arrives.
 */
export function ConsentRule({
  definition,
  preview,
}: {
  definition: DefinitionJson;
  preview: SegmentPreview | undefined;
}) {
  const { t } = useTranslation();
  const declared =
    definition.sensitive === true && typeof definition.consent_column === 'string'
      ? definition.consent_column
      : null;
  const required = preview
    ? preview.funnel.flatMap((step) => (step.kind === 'consent' && step.column ? [step.column] : []))
    : declared
      ? [declared]
      : [];
  if (!required.length && definition.sensitive !== true) return null;
  const inferred = required.filter((c) => c !== declared);
  return (
    <div className="notice notice--warn consent-rule" role="note" data-consent={required.join(',')}>
      <strong>{t('segments.editor.consentTitle')}</strong>{' '}
      {required.length ? (
        <>
          {t('segments.editor.consentRule')}{' '}
          {required.map((column, i) => (
            <span key={column}>
              {i ? ` ${t('segments.builder.and')} ` : ''}
              <code translate="no">{`${column} = true`}</code>
            </span>
          ))}
          {'. '}
          {declared ? t('segments.editor.consentDeclared', { column: declared }) : null}
          {inferred.length ? ` ${t('segments.editor.consentFromData')}` : null}
        </>
      ) : (
        t('segments.editor.consentMissing')
      )}
    </div>
  );
}

function SummaryPanel({
  preview,
  fetching,
  saved,
  muted,
}: {
  preview: SegmentPreview;
  fetching: boolean;
  saved: SegmentPreview | null;
  muted: FunnelRow[];
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const columns: Column<FunnelRow>[] = [
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
      cell: (s) => (s.muted ? t('segments.funnel.muted') : format.integer(s.remaining)),
    },
    {
      key: 'removed',
      header: t('segments.funnel.removed'),
      numeric: true,
      cell: (s) => (s.muted ? '–' : format.integer(s.removed)),
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
        rows={funnelWithMuted(preview.funnel, muted)}
        rowKey={(step, i) => `${i}:${step.path ?? step.kind}${step.muted ? ':muted' : ''}`}
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
