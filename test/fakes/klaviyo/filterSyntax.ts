/**
 * Klaviyo's `filter` query syntax: `equals(email,"a@b.com")`, `any(email,["a@b.com","c@d.com"])`, conditions
 * joined by commas (implicit AND) or wrapped in `and(...)`. Strings come double-quoted (the SDK's FilterBuilder
 * uses JSON.stringify) or single-quoted (the spec's examples); datetimes, numbers and booleans come bare.
 */
import { invalidParameter, type KlaviyoApiError } from './errors.ts';

export type FilterScalar = string | number | boolean | null;
export type FilterValue = FilterScalar | FilterScalar[];

export interface FilterCondition {
  operator: string;
  field: string;
  value: FilterValue;
}

function syntaxError(text: string, position: number, expected: string): KlaviyoApiError {
  return invalidParameter(
    'filter',
    `Invalid filter provided. Expected ${expected} at position ${position} in ${JSON.stringify(text)}.`,
  );
}

class FilterParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): FilterCondition[] {
    const conditions = this.conditionList();
    this.skipSpace();
    if (this.pos !== this.text.length) throw syntaxError(this.text, this.pos, 'end of filter');
    return conditions;
  }

  private conditionList(): FilterCondition[] {
    const conditions = this.condition();
    this.skipSpace();
    while (this.peek() === ',') {
      this.pos += 1;
      conditions.push(...this.condition());
      this.skipSpace();
    }
    return conditions;
  }

  private condition(): FilterCondition[] {
    this.skipSpace();
    const operator = this.identifier();
    this.expect('(');
    if (operator === 'and') {
      const inner = this.conditionList();
      this.expect(')');
      return inner;
    }
    if (operator === 'or' || operator === 'not') {
      throw invalidParameter('filter', `The '${operator}' operator is not supported by this fake.`);
    }
    this.skipSpace();
    const field = this.identifier();
    this.expect(',');
    const value = this.value();
    this.expect(')');
    return [{ operator, field, value }];
  }

  private value(): FilterValue {
    this.skipSpace();
    if (this.peek() !== '[') return this.scalar();
    this.pos += 1;
    const items: FilterScalar[] = [];
    this.skipSpace();
    if (this.peek() === ']') {
      this.pos += 1;
      return items;
    }
    for (;;) {
      items.push(this.scalar());
      this.skipSpace();
      const next = this.peek();
      this.pos += 1;
      if (next === ']') return items;
      if (next !== ',') throw syntaxError(this.text, this.pos - 1, "',' or ']'");
    }
  }

  private scalar(): FilterScalar {
    this.skipSpace();
    const quote = this.peek();
    if (quote === '"' || quote === "'") return this.quoted(quote);
    const start = this.pos;
    while (this.pos < this.text.length && !',)]'.includes(this.text.charAt(this.pos))) this.pos += 1;
    const raw = this.text.slice(start, this.pos).trim();
    if (raw === '') throw syntaxError(this.text, start, 'a value');
    if (raw === 'true' || raw === 'false') return raw === 'true';
    if (raw === 'null') return null;
    if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
    return raw;
  }

  private quoted(quote: string): string {
    const start = this.pos;
    this.pos += 1;
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text.charAt(this.pos);
      if (ch === quote) {
        this.pos += 1;
        return out;
      }
      if (ch === '\\') {
        const escaped = this.text.charAt(this.pos + 1);
        if (escaped === 'u') {
          out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
          continue;
        }
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
        out += map[escaped] ?? escaped;
        this.pos += 2;
        continue;
      }
      out += ch;
      this.pos += 1;
    }
    throw syntaxError(this.text, start, `a closing ${quote}`);
  }

  private identifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_$][\w.$-]*/.exec(this.text.slice(this.pos));
    if (!match) throw syntaxError(this.text, this.pos, 'an operator or field name');
    this.pos += match[0].length;
    return match[0];
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.peek() !== ch) throw syntaxError(this.text, this.pos, `'${ch}'`);
    this.pos += 1;
  }

  private peek(): string {
    return this.text.charAt(this.pos);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text.charAt(this.pos))) this.pos += 1;
  }
}

export function parseFilter(text: string): FilterCondition[] {
  return new FilterParser(text).parse();
}

/**
 * Parses and checks a filter against the fields/operators the spec allows for the operation, and the subset
 * this fake evaluates; `any` must get a list.
 */
export function parseAllowedFilter(
  text: string | null,
  allowedBySpec: Record<string, string[]>,
  implemented: ReadonlySet<string>,
): FilterCondition[] {
  if (text === null) return [];
  const conditions = parseFilter(text);
  for (const c of conditions) {
    const operators = allowedBySpec[c.field];
    if (!operators) throw invalidParameter('filter', `'${c.field}' is not a valid field for this filter.`);
    if (!operators.includes(c.operator)) {
      throw invalidParameter('filter', `'${c.operator}' is not a valid operator for '${c.field}'.`);
    }
    if (!implemented.has(`${c.operator}:${c.field}`)) {
      throw invalidParameter(
        'filter',
        `Filter ${c.operator}(${c.field},…) is valid for Klaviyo but not implemented by this fake.`,
      );
    }
    if (c.operator === 'any' && !Array.isArray(c.value)) {
      throw invalidParameter('filter', `'any' expects a list of values for '${c.field}'.`);
    }
  }
  return conditions;
}

/** The values a condition matches, as strings (`equals` with a list is read as `any`, as in the spec's examples). */
export function conditionValues(condition: FilterCondition): string[] {
  const values = Array.isArray(condition.value) ? condition.value : [condition.value];
  return values.map((v) => String(v));
}
