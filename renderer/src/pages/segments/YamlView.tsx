import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { Panel } from '../../components/Panel.tsx';
import { problemPosition, type DefinitionProblem } from './problems.ts';
import type { DefinitionJson } from './ruleTree.ts';

/**
 * The two-way YAML view: the text that Save writes (the opened file with the builder's edits written into it,
 * comments kept). Typing here moves the builder as soon as the text parses; a syntax error is shown with its
 * line:column and the builder keeps the last rules that parsed.
 */

export interface YamlRead {
  definition?: DefinitionJson;
  problems: DefinitionProblem[];
}

export function readYaml(text: string): YamlRead {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length)
    return {
      problems: doc.errors.map((error) => {
        const pos = error.linePos?.[0];
        return {
          path: '',
          message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
          ...(pos ? { line: pos.line, column: pos.col } : {}),
        };
      }),
    };
  const data: unknown = doc.toJS();
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return {
      problems: [{ path: '', message: 'a segment file is a mapping: name, rules, …', line: 1, column: 1 }],
    };
  return { definition: data as DefinitionJson, problems: [] };
}

/**
 * Where a problem found by path (a preview names `rules.all.1.value`) is in the text: the deepest node of the
 * path that the document has. A `rules:` list has no `all` level in the file.
 */
export function locateInYaml(text: string, problems: readonly DefinitionProblem[]): DefinitionProblem[] {
  if (!problems.some((p) => p.line === undefined)) return [...problems];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length) return [...problems];
  return problems.map((problem) => {
    if (problem.line !== undefined || !problem.path) return problem;
    const keys: (string | number)[] = problem.path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    if (keys[0] === 'rules' && keys[1] === 'all' && !isNode(doc.getIn(['rules', 'all'], true)))
      keys.splice(1, 1);
    for (let depth = keys.length; depth > 0; depth--) {
      const node = doc.getIn(keys.slice(0, depth), true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { ...problem, line: pos.line, column: pos.col };
      }
    }
    return problem;
  });
}

export function YamlView({
  text,
  problems,
  onChange,
  onDone,
}: {
  text: string;
  problems: readonly DefinitionProblem[];
  onChange: (text: string) => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const located = locateInYaml(text, problems);
  return (
    <Panel title={t('segments.editor.yamlTitle')} description={t('segments.editor.yamlDescription')}>
      <label className="field__label" htmlFor={id}>
        {t('segments.editor.yamlLabel')}
      </label>
      <textarea
        id={id}
        className="yaml-editor"
        value={text}
        spellCheck={false}
        translate="no"
        rows={Math.min(30, Math.max(8, text.split('\n').length + 1))}
        onChange={(event) => onChange(event.target.value)}
        onBlur={onDone}
      />
      {located.length ? (
        <ul
          className="problem-list problem-list--inline yaml-problems"
          aria-label={t('segments.problems.label')}
        >
          {located.map((problem, index) => (
            <li key={index} className="problem" data-line={problem.line}>
              {problemPosition(problem) ? (
                <code className="problem__position" translate="no">
                  {t('segments.problems.line', { position: problemPosition(problem) })}
                </code>
              ) : null}{' '}
              {problem.path ? (
                <code className="problem__path" translate="no">
                  {problem.path}
                </code>
              ) : null}{' '}
              <span className="problem__message" translate="no">
                {problem.message}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </Panel>
  );
}
