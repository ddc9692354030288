/**
 * Query-parameter checks driven by the spec extract: unknown parameters, values outside a sparse-fieldset or
 * sort enum, and `page[size]` outside its bounds are 400 `invalid` with `source.parameter`, as Klaviyo does.
 */
import { invalidParameter } from './errors.ts';
import type { SubsetOperation } from './specSubset.ts';

export class QueryReader {
  constructor(
    readonly params: URLSearchParams,
    private readonly op: SubsetOperation,
  ) {
    for (const name of new Set(params.keys())) {
      const spec = op.query[name];
      if (!spec) throw invalidParameter(name, `'${name}' is not a valid query parameter for this endpoint.`);
      if (params.getAll(name).length > 1) throw invalidParameter(name, `'${name}' was given more than once.`);
      const value = params.get(name) ?? '';
      if (spec.list) {
        for (const item of value.split(',')) {
          if (!spec.list.includes(item))
            throw invalidParameter(name, `'${item}' is not a valid value for ${name}.`);
        }
      }
      if (spec.enum && !spec.enum.includes(value)) {
        throw invalidParameter(
          name,
          `'${value}' is not a valid value for ${name}; use one of ${spec.enum.join(', ')}.`,
        );
      }
      if (spec.integer) {
        const n = Number(value);
        const { minimum, maximum } = spec.integer;
        if (!/^\d+$/.test(value) || n < minimum || n > maximum) {
          throw invalidParameter(name, `${name} must be an integer between ${minimum} and ${maximum}.`);
        }
      }
    }
  }

  string(name: string): string | null {
    return this.params.get(name);
  }

  list(name: string): string[] | null {
    const value = this.params.get(name);
    return value === null ? null : value.split(',');
  }

  /** Integer parameter with the spec's default. */
  integer(name: string): number {
    const value = this.params.get(name);
    const spec = this.op.query[name]?.integer;
    if (value !== null) return Number(value);
    if (!spec) throw new Error(`${name} has no integer default in the spec extract`);
    return spec.default;
  }

  allowedFilters(): Record<string, string[]> {
    return this.op.query['filter']?.filters ?? {};
  }
}
