/**
 * The committed extract of Klaviyo's OpenAPI document (see `extractSpec.ts`) and the ajv validators compiled
 * from it. Request bodies are checked against the official schemas so that the fake rejects what Klaviyo
 * rejects at the schema level; the semantic limits (counts, sizes, identifiers) live in the handlers.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { OPERATION_IDS, type OperationId } from './operationIds.ts';

export interface SubsetQueryParameter {
  /** Comma-separated list parameter (`fields[profile]`, `include`, …) and the values the spec allows. */
  list?: string[];
  /** Single-valued enumerated parameter (`sort`). */
  enum?: string[];
  /** Integer parameter (`page[size]`) with the spec's bounds. */
  integer?: { default: number; minimum: number; maximum: number };
  /** For `filter`: field → allowed operators, parsed from the spec's description. */
  filters?: Record<string, string[]>;
}

export interface SubsetOperation {
  method: string;
  path: string;
  /** `x-klaviyo-ratelimit`, e.g. `{ "burst": "10/s", "steady": "150/m", "daily": "150/d" }`. */
  rateLimit: Record<string, string>;
  /** `x-klaviyo-scopes`: what a private key needs for this operation, e.g. `["accounts:read"]`. */
  scopes: string[];
  query: Record<string, SubsetQueryParameter>;
  requestBody: Record<string, unknown> | null;
}

export interface SpecSubset {
  revision: string;
  generatedBy: string;
  operations: Record<string, SubsetOperation>;
}

export interface SchemaViolation {
  pointer: string;
  message: string;
}

let cached: SpecSubset | undefined;

export function loadSpecSubset(): SpecSubset {
  if (cached) return cached;
  const text = readFileSync(new URL('./openapi-subset.json', import.meta.url), 'utf8');
  const subset = JSON.parse(text) as SpecSubset;
  const missing = OPERATION_IDS.filter((id) => !subset.operations[id]);
  if (missing.length > 0) {
    throw new Error(
      `openapi-subset.json lacks ${missing.join(', ')}; rerun test/fakes/klaviyo/extractSpec.ts`,
    );
  }
  cached = subset;
  return subset;
}

export function subsetOperation(operationId: OperationId): SubsetOperation {
  const op = loadSpecSubset().operations[operationId];
  if (!op) throw new Error(`Unknown operation ${operationId}`);
  return op;
}

export class BodyValidators {
  private readonly validators = new Map<OperationId, ValidateFunction>();

  constructor(subset: SpecSubset = loadSpecSubset()) {
    // strict: false because the spec carries OpenAPI-only keywords (`format: date-time` without ajv-formats);
    // date-times are checked by the handlers, which need their own range rules anyway.
    const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
    for (const id of OPERATION_IDS) {
      const schema = subset.operations[id]?.requestBody;
      if (schema) this.validators.set(id, ajv.compile(schema));
    }
  }

  hasBody(operationId: OperationId): boolean {
    return this.validators.has(operationId);
  }

  validate(operationId: OperationId, body: unknown): SchemaViolation | null {
    const validate = this.validators.get(operationId);
    if (!validate || validate(body)) return null;
    // For a failed oneOf ajv lists each branch's error first; the oneOf error itself names the real problem.
    const error = validate.errors?.find((e) => e.keyword === 'oneOf') ?? validate.errors?.[0];
    if (!error) return { pointer: '/data', message: 'The payload provided in the request is invalid.' };
    const pointer = error.instancePath || '/';
    const missing = error.keyword === 'required' ? String(error.params['missingProperty']) : undefined;
    const allowed =
      error.keyword === 'enum' ? ` (allowed: ${JSON.stringify(error.params['allowedValues'])})` : '';
    const message = missing
      ? `'${missing}' is a required field.`
      : `${pointer} ${error.message ?? 'is invalid'}${allowed}.`;
    return { pointer: missing ? `${pointer.replace(/\/$/, '')}/${missing}` : pointer, message };
  }
}
