import type { VarDeclarations, Vars } from '../models/index.ts';
import {
  isVarRef,
  locateProblem,
  ruleKind,
  type ConditionRule,
  type LiteralConditionRule,
  type LoadedSegment,
  type Rule,
  type RuleValue,
  type Scalar,
  type SegmentProblem,
} from './definition.ts';

/**
 * Model variables in segment rules (`value: {var: lifecycle_active_days}`): a threshold a segment shares with the
 * models is written once, in sql/vars.yml, and follows the workspace's `vars:` and `--var`. A segment can still
 * write a number to differ from the model on purpose.
 */

/** Replaces `{var: name}` values by the variable's value; an unknown variable is a problem at its path. */
export function resolveVarRefs(
  rule: ConditionRule,
  vars: Vars,
  path: string,
  problem: (path: string, message: string) => void,
): LiteralConditionRule {
  const { value, ...rest } = rule;
  if (value === undefined) return rest;
  const resolve = (item: RuleValue, at: string): Scalar => {
    if (!isVarRef(item)) return item;
    const resolved = vars[item.var];
    if (resolved !== undefined) return resolved;
    const known = Object.keys(vars).sort();
    problem(
      at,
      `'${item.var}' is not a model variable with a value; variables (sql/vars.yml): ${known.join(', ') || 'none'}`,
    );
    return 0;
  };
  return {
    ...rest,
    value: Array.isArray(value)
      ? value.map((item, i) => resolve(item, `${path}.value.${i}`))
      : resolve(value, `${path}.value`),
  };
}

function conditionsWithPaths(rule: Rule, path: string): { rule: ConditionRule; path: string }[] {
  const kind = ruleKind(rule);
  if (kind === 'condition') return [{ rule: rule as ConditionRule, path }];
  if ('all' in rule) return rule.all.flatMap((r, i) => conditionsWithPaths(r, `${path}.all.${i}`));
  if ('any' in rule) return rule.any.flatMap((r, i) => conditionsWithPaths(r, `${path}.any.${i}`));
  return [];
}

/**
 * Numbers that repeat a model variable: a rule on a column the variable is declared for (`columns:` in
 * vars.yml) whose value equals the variable's current value, as templates copied by older versions wrote
 * (`days_since_last_order >= 60`). Such a rule silently stops following the model when the variable changes;
 * the fix is `value: {var: name}`. A number that differs from the variable is a deliberate override.
 */
export function hardCodedVarProblems(
  loaded: LoadedSegment,
  declarations: VarDeclarations,
  vars: Vars,
): SegmentProblem[] {
  const problems: SegmentProblem[] = [];
  for (const { rule, path } of conditionsWithPaths(loaded.definition.rules, 'rules')) {
    const items = Array.isArray(rule.value) ? rule.value : rule.value === undefined ? [] : [rule.value];
    items.forEach((item, i) => {
      if (typeof item !== 'number') return;
      const matches = [...declarations].filter(
        ([name, d]) => d.columns?.includes(rule.column) && vars[name] === item,
      );
      if (!matches.length) return;
      // Several variables can share a value (say two 60-day bounds of one column): the one whose name shares
      // words with the segment's (winback_candidates → winback_…) is the likelier meaning.
      const words = new Set(loaded.definition.name.split('_'));
      const shared = (name: string) => name.split('_').filter((w) => words.has(w)).length;
      matches.sort((a, b) => shared(b[0]) - shared(a[0]));
      const [name, declaration] = matches[0]!;
      const at = Array.isArray(rule.value) ? `${path}.value.${i}` : `${path}.value`;
      problems.push(
        locateProblem(loaded, {
          segment: loaded.definition.name,
          path: at,
          message:
            `${rule.column} ${rule.op} ${item} repeats the model variable ${name} (${declaration.description.trim()}); ` +
            `write value: {var: ${name}} so the segment follows it when it changes` +
            (matches.length > 1
              ? ` (also matches ${matches
                  .slice(1)
                  .map(([n]) => n)
                  .join(', ')})`
              : ''),
        }),
      );
    });
  }
  return problems;
}
