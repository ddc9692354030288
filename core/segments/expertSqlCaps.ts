/**
 * Caps on the work one expert rule can ask for per customer (expertSql.ts runs this on the checked tree).
 *
 * Why: `length(lpad(email, 10000000, 'x')) > 0` on 5,000 customers ran past 120 s and 13.4 GB, and DuckDB's
 * `memory_limit` did not bound it. DuckDB checks for an interrupt between vectors of 2,048 rows, so the
 * interactive deadline (core/db/deadline.ts) only helps when each row is cheap: these caps keep the work per row
 * small, the deadline bounds the total. Measured on 5,000 rows of 1,000-character text (DuckDB 1.5):
 * - LIKE / ILIKE / GLOB match by backtracking: `ilike '%a%b'` and `glob '*a*b'` ran > 30 s, and
 *   `ilike '%a%a%a%a%a%b'` on 30-character emails > 30 s; an interrupt is not seen while one vector runs.
 *   `'%abc%'`, `'abc%'`, `'a%b'`, `'%a_b%'` stay linear. So: at most one `%` besides a final one; GLOB is not
 *   allowed (regexp_matches does the same in linear time).
 * - Regular expressions (RE2) run in time linear in the text, never by backtracking (`(a*)*b` 26 ms), but the
 *   cost per character grows with counted repetitions: `[a-z]{1000}[a-z]{1000}b` > 30 s. RE2 rejects a
 *   repetition over 1,000 itself. So: the pattern is a constant of at most MAX_REGEX_LENGTH characters whose
 *   counted repetitions ({n}, {n,m}) add up to at most MAX_REGEX_REPETITION.
 * - Text that is built: lpad/rpad are sized by their length argument (a constant ≤ MAX_PAD_LENGTH); concat and
 *   `||` add their arguments; replace multiplies its text by length(to) / length(from) per occurrence; strftime
 *   writes up to ~32 characters per format character. An upper bound of every value's size is computed as
 *   `growth × (longest column value) + fixed` and both parts are capped (MAX_TEXT_GROWTH, MAX_BUILT_TEXT), so
 *   nesting (replace of replace …) cannot multiply its way past them.
 *
 * Every other allow-listed function returns a number, a boolean, a date, or a value no larger than its largest
 * argument (see the groups of ALLOWED_FUNCTIONS in expertSql.ts): no cap of its own.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** lpad / rpad: the result length. */
export const MAX_PAD_LENGTH = 1000;
/** list_value (and `[a, b, …]`): the number of elements. */
export const MAX_LIST_VALUES = 1000;
/** Characters of one value that come from constants and pads. */
export const MAX_BUILT_TEXT = 2000;
/** How many times the longest column value one value can hold (concat of columns, replace). */
export const MAX_TEXT_GROWTH = 100;
/** regexp_matches / regexp_full_match / SIMILAR TO: pattern length. */
export const MAX_REGEX_LENGTH = 500;
/** regexp patterns: the sum of the counted repetitions ({n}, {n,m}). */
export const MAX_REGEX_REPETITION = 100;

/** Upper bound of a value's size: growth × (longest column value) + fixed. */
interface Size {
  growth: number;
  fixed: number;
}

const SCALAR: Size = { growth: 0, fixed: 32 };

/** Functions whose result is the sum of their arguments. */
const ADDING = new Set(['concat', 'concat_ws', '||', 'list_value']);
const PADS = new Set(['lpad', 'rpad']);
/** Functions (and LIKE operators) whose second argument is a LIKE pattern. */
const LIKE = new Map([
  ['~~', 'LIKE'],
  ['!~~', 'NOT LIKE'],
  ['~~*', 'ILIKE'],
  ['!~~*', 'NOT ILIKE'],
  ['like_escape', 'LIKE … ESCAPE'],
  ['ilike_escape', 'ILIKE … ESCAPE'],
]);
const REGEX = new Set(['regexp_matches', 'regexp_full_match']);

function fmt(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** The text of a string constant, or undefined when the node is something else. */
function textConstant(node: Json | undefined): string | undefined {
  if (!isObject(node) || node.class !== 'CONSTANT' || !isObject(node.value)) return undefined;
  const value = node.value;
  if (!isObject(value.type) || value.type.id !== 'VARCHAR' || value.is_null === true) return undefined;
  return typeof value.value === 'string' ? value.value : undefined;
}

/** The value of a whole-number constant, or undefined. */
function integerConstant(node: Json | undefined): number | undefined {
  if (!isObject(node) || node.class !== 'CONSTANT' || !isObject(node.value)) return undefined;
  const value = node.value;
  const type = isObject(value.type) ? String(value.type.id) : '';
  if (!/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)$/.test(type) || value.is_null === true) return undefined;
  const number = Number(value.value);
  return Number.isSafeInteger(number) ? number : undefined;
}

function constantSize(node: { [key: string]: Json }): Size {
  const value = isObject(node.value) ? node.value.value : null;
  return {
    growth: 0,
    fixed: typeof value === 'string' ? value.length : JSON.stringify(value ?? null).length,
  };
}

const sum = (sizes: Size[]): Size =>
  sizes.reduce((a, b) => ({ growth: a.growth + b.growth, fixed: a.fixed + b.fixed }), {
    growth: 0,
    fixed: 0,
  });
const max = (sizes: Size[]): Size =>
  sizes.reduce((a, b) => ({ growth: Math.max(a.growth, b.growth), fixed: Math.max(a.fixed, b.fixed) }), {
    growth: 0,
    fixed: 0,
  });

/** `%` wildcards of a LIKE pattern that make DuckDB backtrack: all but one at the very end. */
function likeWildcards(pattern: string, escape: string | undefined): number {
  let count = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (escape && c === escape) i++;
    else if (c === '%' && pattern[i - 1] !== '%' && !/^%*$/.test(pattern.slice(i))) count++;
  }
  return count;
}

/** Sum of the upper bounds of the counted repetitions ({n}, {n,}, {n,m}) of a regular expression. */
export function regexRepetitions(pattern: string): number {
  let total = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === ']') i++; // `[]…]` starts with a literal ]
    } else if (c === '{') {
      const match = /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(i));
      if (match) total += Math.max(Number(match[1]), Number(match[2] || 0));
    }
  }
  return total;
}

/**
 * Checks the caps on a checked expression tree (expertSql.ts checkExpressionTree) and returns the size bound of
 * its value; `fail` is called with the reason of the first cap broken.
 */
export function checkCaps(tree: Json, fail: (reason: string) => never): Size {
  const childExpressions = (node: Json): { [key: string]: Json }[] => {
    const found: { [key: string]: Json }[] = [];
    const collect = (value: Json) => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (isObject(value)) {
        if (typeof value.class === 'string') found.push(value);
        else Object.values(value).forEach(collect);
      }
    };
    if (isObject(node)) for (const [key, value] of Object.entries(node)) if (key !== 'value') collect(value);
    return found;
  };

  const capped = (name: string, size: Size): Size => {
    if (size.fixed > MAX_BUILT_TEXT)
      fail(
        `${name}(…) builds values of up to ${fmt(size.fixed)} characters from constants and pads; ` +
          `the cap is ${fmt(MAX_BUILT_TEXT)} per value (so a preview cannot run away); use shorter pads or constants`,
      );
    if (size.growth > MAX_TEXT_GROWTH)
      fail(
        `${name}(…) builds values up to ${fmt(size.growth)} times as long as a column value; the cap is ` +
          `${MAX_TEXT_GROWTH} times (so a preview cannot run away); nest fewer replace / concat calls`,
      );
    return size;
  };

  const functionSize = (node: { [key: string]: Json }): Size => {
    const name = String(node.function_name ?? '').toLowerCase();
    const args = Array.isArray(node.children) ? node.children : [];
    const sizes = args.map(visit);
    if (LIKE.has(name)) {
      const pattern = textConstant(args[1]);
      const escape = name.endsWith('_escape') ? textConstant(args[2]) : undefined;
      if (pattern === undefined)
        fail(
          `the pattern of ${LIKE.get(name)} (argument 2) must be a text constant: patterns computed per customer ` +
            'could make DuckDB backtrack for minutes',
        );
      const wildcards = likeWildcards(pattern, escape);
      if (wildcards > 1)
        fail(
          `the ${LIKE.get(name)} pattern '${pattern.length > 40 ? `${pattern.slice(0, 39)}…` : pattern}' has ` +
            `${wildcards} % wildcards before its end; DuckDB matches such patterns by backtracking, which can ` +
            "take minutes. The cap is one % plus one at the very end ('abc%', '%abc%', 'a%b'); for more, use " +
            "regexp_matches(column, 'a.*b.*c'), which runs in linear time",
        );
      return SCALAR;
    }
    if (REGEX.has(name)) {
      const pattern = textConstant(args[1]);
      if (pattern === undefined)
        fail(
          `the pattern of ${name} (argument 2) must be a text constant (a pattern per customer is compiled per customer)`,
        );
      if (pattern.length > MAX_REGEX_LENGTH)
        fail(
          `the pattern of ${name} (argument 2) is ${fmt(pattern.length)} characters long; the cap is ` +
            `${MAX_REGEX_LENGTH} (matching time grows with the pattern)`,
        );
      const repetitions = regexRepetitions(pattern);
      if (repetitions > MAX_REGEX_REPETITION)
        fail(
          `the pattern of ${name} (argument 2) repeats ${fmt(repetitions)} times in {n} / {n,m} counts; the cap ` +
            `is ${MAX_REGEX_REPETITION} in total (matching time grows with them); use + or * instead`,
        );
      if (args.length > 2 && textConstant(args[2]) === undefined)
        fail(`the options of ${name} (argument 3) must be a text constant such as 'i'`);
      return SCALAR;
    }
    if (PADS.has(name)) {
      const length = integerConstant(args[1]);
      if (length === undefined || length < 0 || length > MAX_PAD_LENGTH)
        fail(
          `the length argument of ${name} (argument 2) sizes its result, so it must be a whole-number constant ` +
            `from 0 to ${fmt(MAX_PAD_LENGTH)}${length === undefined ? ', not a column or an expression' : `, not ${fmt(length)}`}`,
        );
      return capped(name, { growth: 0, fixed: length });
    }
    if (name === 'replace') {
      const to = textConstant(args[2]);
      if (to === undefined)
        fail(
          'the replacement of replace (argument 3) sizes its result, so it must be a text constant, not a column ' +
            'or an expression',
        );
      const from = textConstant(args[1]);
      const factor = Math.max(1, from ? to.length / from.length : to.length);
      return capped(name, { growth: sizes[0]!.growth * factor, fixed: sizes[0]!.fixed * factor });
    }
    if (name === 'strftime') {
      const format = sizes[1] ?? SCALAR;
      return capped(name, { growth: format.growth * 32, fixed: format.fixed * 32 });
    }
    if (name === 'list_value' && args.length > MAX_LIST_VALUES)
      fail(`list_value / [ … ] has ${fmt(args.length)} elements; the cap is ${fmt(MAX_LIST_VALUES)}`);
    if (ADDING.has(name)) return capped(name === '||' ? 'concat' : name, sum(sizes));
    return max(sizes);
  };

  const visit = (node: Json): Size => {
    if (!isObject(node)) return { growth: 0, fixed: 0 };
    switch (node.class) {
      case 'COLUMN_REF':
        return { growth: 1, fixed: 0 };
      case 'CONSTANT':
        return constantSize(node);
      case 'FUNCTION':
        return functionSize(node);
      case 'CAST': {
        const size = max(childExpressions(node).map(visit));
        return { growth: size.growth, fixed: size.fixed + 32 };
      }
      default:
        return max(childExpressions(node).map(visit));
    }
  };
  return visit(tree);
}
