import { isOperator, valueShape, type ColumnKind, type Operator } from './operators.ts';

/**
 * The rule builder's model: the definition's rule tree (core/segments/definition.ts) with an id per node, so
 * React keeps focus and state across edits, and the value of a condition kept as the text the user typed (a
 * half-typed number stays on screen; the compiler names what is wrong with it). Pure functions: every edit
 * returns a new tree.
 */

export type Scalar = string | number | boolean;
export interface VarRef {
  var: string;
}
export type RuleValue = Scalar | VarRef;

export interface GroupNode {
  id: string;
  kind: 'all' | 'any';
  label?: string;
  /** Muted: kept in the file, left out of the count (core/segments/definition.ts `muted: true`). */
  muted?: boolean;
  children: RuleNode[];
}
export interface ConditionNode {
  id: string;
  kind: 'condition';
  column: string;
  op: string;
  /** One text per value slot: one, two for `between`, one comma-separated text for a list. */
  texts: string[];
  label?: string;
  muted?: boolean;
}
/** An expert SQL rule: shown and kept as it is, not edited in the builder. */
export interface SqlNode {
  id: string;
  kind: 'sql';
  sql: string;
  label?: string;
  muted?: boolean;
}
/** "Is (not) in segment X": another saved segment's list members (core/segments/definition.ts SegmentRule). */
export interface SegmentNode {
  id: string;
  kind: 'segment';
  segment: string;
  op: 'in' | 'not_in';
  /** `op:` is written: false for a file's short form `- segment: x` (= in), kept as the file had it. */
  opWritten: boolean;
  label?: string;
  muted?: boolean;
}
export type RuleNode = GroupNode | ConditionNode | SqlNode | SegmentNode;

/** A group's kind is a union ('all' | 'any'), which comparing `kind` does not narrow away: a guard does. */
export function isGroup(node: RuleNode): node is GroupNode {
  return node.kind === 'all' || node.kind === 'any';
}

/** A definition as JSON: what segments.preview takes inline and a segment file holds. */
export type DefinitionJson = Record<string, unknown>;

/** The kind of a column by name (from segments.columns); undefined for a column the catalogue lacks. */
export type KindOf = (column: string) => ColumnKind | undefined;

let nextId = 0;
export function newId(): string {
  nextId += 1;
  return `r${nextId}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isVarRef(value: unknown): value is VarRef {
  return isRecord(value) && typeof value.var === 'string';
}

const VAR_TEXT = /^\{?\s*var\s*:\s*([a-z][a-z0-9_]*)\s*\}?$/;

export function formatItem(value: unknown): string {
  if (isVarRef(value)) return `{var: ${value.var}}`;
  return value === undefined || value === null ? '' : String(value);
}

/** The text of a value as the user typed it, read as the column's type; what cannot be read stays text. */
export function parseItem(text: string, kind: ColumnKind | undefined): RuleValue {
  const trimmed = text.trim();
  const variable = VAR_TEXT.exec(trimmed);
  if (variable) return { var: variable[1]! };
  if (kind === 'number' && trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (kind === 'boolean' && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  return trimmed;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function textsOf(op: string, value: unknown): string[] {
  if (!isOperator(op)) return [formatItem(value)];
  const shape = valueShape(op);
  if (shape === 'none') return [];
  if (shape === 'two') return Array.isArray(value) ? [formatItem(value[0]), formatItem(value[1])] : ['', ''];
  if (shape === 'list') return [Array.isArray(value) ? value.map(formatItem).join(', ') : formatItem(value)];
  return [Array.isArray(value) ? value.map(formatItem).join(', ') : formatItem(value)];
}

/** The value a condition sends, from its texts; undefined when the operator takes none. */
export function conditionValue(node: ConditionNode, kindOf: KindOf): RuleValue | RuleValue[] | undefined {
  const kind = kindOf(node.column);
  if (!isOperator(node.op)) return node.texts[0];
  const shape = valueShape(node.op);
  if (shape === 'none') return undefined;
  if (shape === 'two') return [parseItem(node.texts[0] ?? '', kind), parseItem(node.texts[1] ?? '', kind)];
  if (shape === 'days') return parseItem(node.texts[0] ?? '', 'number');
  const itemKind = kind === 'list' ? undefined : kind;
  if (shape === 'list') return splitList(node.texts[0] ?? '').map((item) => parseItem(item, itemKind));
  return parseItem(node.texts[0] ?? '', kind);
}

/** A rule of a definition (as JSON) → a node of the builder. Unknown shapes become an expert-rule node. */
export function nodeFromRule(rule: unknown): RuleNode {
  const label = {
    ...(isRecord(rule) && typeof rule.label === 'string' ? { label: rule.label } : {}),
    ...(isRecord(rule) && rule.muted === true ? { muted: true } : {}),
  };
  if (isRecord(rule) && Array.isArray(rule.all))
    return { id: newId(), kind: 'all', children: rule.all.map(nodeFromRule), ...label };
  if (isRecord(rule) && Array.isArray(rule.any))
    return { id: newId(), kind: 'any', children: rule.any.map(nodeFromRule), ...label };
  if (isRecord(rule) && typeof rule.segment === 'string') {
    const op = typeof rule.op === 'string' && /^not[\s_]?in$/i.test(rule.op.trim()) ? 'not_in' : 'in';
    const opWritten = typeof rule.op === 'string';
    return { id: newId(), kind: 'segment', segment: rule.segment, op, opWritten, ...label };
  }
  if (isRecord(rule) && typeof rule.column === 'string') {
    const op = typeof rule.op === 'string' ? rule.op : '=';
    return {
      id: newId(),
      kind: 'condition',
      column: rule.column,
      op,
      texts: textsOf(op, rule.value),
      ...label,
    };
  }
  const sql = isRecord(rule) && typeof rule.sql === 'string' ? rule.sql : JSON.stringify(rule);
  return { id: newId(), kind: 'sql', sql, ...label };
}

/** The root of the builder is always an AND group: a `rules:` list, or one rule, means the same. */
export function rootFromRules(rules: unknown): GroupNode {
  if (Array.isArray(rules)) return { id: newId(), kind: 'all', children: rules.map(nodeFromRule) };
  const node = nodeFromRule(rules);
  return node.kind === 'all' ? node : { id: newId(), kind: 'all', children: [node] };
}

export function ruleFromNode(node: RuleNode, kindOf: KindOf): Record<string, unknown> {
  const label = { ...(node.label ? { label: node.label } : {}), ...(node.muted ? { muted: true } : {}) };
  if (isGroup(node)) return { [node.kind]: node.children.map((c) => ruleFromNode(c, kindOf)), ...label };
  if (node.kind === 'sql') return { sql: node.sql, ...label };
  if (node.kind === 'segment')
    return {
      segment: node.segment,
      ...(node.opWritten || node.op !== 'in' ? { op: node.op } : {}),
      ...label,
    };
  const value = conditionValue(node, kindOf);
  return { column: node.column, op: node.op, ...(value === undefined ? {} : { value }), ...label };
}

/**
 * The `rules:` of the definition: a plain AND root is written as a list (the form segment files use, so a
 * saved file keeps its shape); an OR, labelled or muted root as the group it is.
 */
export function rulesFromRoot(root: GroupNode, kindOf: KindOf): unknown {
  const rule = ruleFromNode(root, kindOf);
  return root.kind === 'all' && !root.label && !root.muted ? rule.all : rule;
}

/** The YAML path the compiler names a node by: `rules`, `rules.all.0`, `rules.all.1.any.2`. */
export function nodePaths(root: GroupNode): Map<string, string> {
  const paths = new Map<string, string>();
  const walk = (node: RuleNode, path: string) => {
    paths.set(node.id, path);
    if (node.kind === 'all' || node.kind === 'any')
      node.children.forEach((child, i) => walk(child, `${path}.${node.kind}.${i}`));
  };
  walk(root, 'rules');
  return paths;
}

/** Replaces the node with `id` by what `change` returns (null removes it). */
export function updateNode(
  root: GroupNode,
  id: string,
  change: (node: RuleNode) => RuleNode | RuleNode[] | null,
): GroupNode {
  const visit = (node: RuleNode): RuleNode[] => {
    if (node.id === id) {
      const next = change(node);
      return next === null ? [] : Array.isArray(next) ? next : [next];
    }
    if (node.kind === 'all' || node.kind === 'any')
      return [{ ...node, children: node.children.flatMap(visit) }];
    return [node];
  };
  if (root.id === id) {
    // The root stays one group: it can switch between AND and OR, not be removed or repeated.
    const next = change(root);
    return next !== null && !Array.isArray(next) && (next.kind === 'all' || next.kind === 'any')
      ? next
      : root;
  }
  return { ...root, children: root.children.flatMap(visit) };
}

/** A copy with new ids (a duplicated group must not share ids with the original). */
export function cloneNode(node: RuleNode): RuleNode {
  if (node.kind === 'all' || node.kind === 'any')
    return { ...node, id: newId(), children: node.children.map(cloneNode) };
  return { ...node, id: newId() };
}

export function newSegmentCondition(segment: string, op: 'in' | 'not_in' = 'in'): SegmentNode {
  return { id: newId(), kind: 'segment', segment, op, opWritten: true };
}

export function newCondition(column: string, op: Operator, texts: string[]): ConditionNode {
  return { id: newId(), kind: 'condition', column, op, texts };
}
