import { isMap, isScalar, isSeq, parseDocument, stringify, type Document } from 'yaml';

/**
 * Writes a definition (data) into the YAML text it was opened from, keeping what a person wrote around it:
 * comments, key order, quoting and the nodes of every value that did not change. The rule builder (renderer)
 * and `segments.save` (core) use it, so the YAML view shows exactly the text that will be saved. Browser-safe:
 * only the `yaml` package, whose Document API keeps comments attached to their nodes.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyOf(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

function toJs(node: unknown): unknown {
  return node && typeof node === 'object' && 'toJSON' in node
    ? (node as { toJSON(): unknown }).toJSON()
    : node;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The node to keep for `value`: `node` updated in place where its shape allows, else a new node. */
function update(doc: Document, node: unknown, value: unknown): unknown {
  if (isPlainObject(value) && isMap(node)) {
    node.items = node.items.filter((pair) => {
      const key = keyOf(pair.key);
      return typeof key === 'string' && value[key] !== undefined;
    });
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const pair = node.items.find((p) => keyOf(p.key) === key);
      if (pair) pair.value = update(doc, pair.value, item);
      else node.items.push(doc.createPair(key, item));
    }
    return node;
  }
  if (Array.isArray(value) && isSeq(node)) {
    // Items are matched so that a removed or inserted rule does not move the comments of the rules after it:
    // an unchanged item keeps its node; a changed one takes the old node at the same place.
    const old = node.items;
    const used = new Set<number>();
    let cursor = 0;
    node.items = value.map((item, index) => {
      const equal = old.findIndex((o, i) => i >= cursor && !used.has(i) && same(toJs(o), item));
      if (equal >= 0) {
        used.add(equal);
        cursor = equal + 1;
        return old[equal];
      }
      const later = value.slice(index + 1);
      if (cursor < old.length && !used.has(cursor) && !later.some((l) => same(toJs(old[cursor]), l))) {
        used.add(cursor);
        cursor += 1;
        return update(doc, old[cursor - 1], item);
      }
      return doc.createNode(item);
    });
    return node;
  }
  if (isScalar(node) && (value === null || typeof value !== 'object')) {
    if (node.value !== value) node.value = value;
    return node;
  }
  return doc.createNode(value);
}

/**
 * The YAML text of `definition`, written into `original` when there is one that parses (its comments kept);
 * otherwise a fresh document.
 */
export function definitionYaml(definition: Record<string, unknown>, original?: string | null): string {
  if (original) {
    const doc = parseDocument(original);
    if (!doc.errors.length && isMap(doc.contents)) {
      doc.contents = update(doc, doc.contents, definition) as typeof doc.contents;
      // `[a, b]` as segment files write lists (the package's default pads them: `[ a, b ]`)
      return doc.toString({ flowCollectionPadding: false });
    }
  }
  return stringify(definition as Json);
}
