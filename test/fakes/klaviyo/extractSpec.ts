/**
 * Generates `openapi-subset.json` from Klaviyo's official OpenAPI document:
 *
 *   npx tsx test/fakes/klaviyo/extractSpec.ts /path/to/openapi-stable-2026-07-15.json
 *
 * CI clones the repository without the 3 MB spec, so the fake validates against this committed extract. It
 * keeps, for the operations the fake serves only: method, path, `x-klaviyo-ratelimit`, `x-klaviyo-scopes`, the query parameters
 * (with the filter fields/operators that the spec lists only in prose) and the request-body schema with every
 * `$ref` inlined. OpenAPI 3.0 `nullable` is rewritten into plain JSON Schema (`type: [t, "null"]`), because
 * ajv's own `nullable` support refuses schemas where `nullable` sits next to `oneOf` without a `type`, which
 * the Klaviyo spec does for latitude/longitude and `patch_properties.unset`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { OPERATION_IDS } from './operationIds.ts';
import type { SpecSubset, SubsetOperation, SubsetQueryParameter } from './specSubset.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface OpenApiParameter {
  name: string;
  in: string;
  description?: string;
  schema?: JsonObject;
}

interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonObject }> };
  'x-klaviyo-ratelimit'?: Record<string, string>;
  'x-klaviyo-scopes'?: string[];
}

interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonObject> };
}

const DROPPED_KEYWORDS = new Set(['description', 'example', 'examples', 'default', 'x-klaviyo-deprecated']);

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function inlineSchema(doc: OpenApiDocument, node: Json, seen: readonly string[]): Json {
  if (Array.isArray(node)) return node.map((item) => inlineSchema(doc, item, seen));
  if (!isObject(node)) return node;
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '');
    if (seen.includes(name)) throw new Error(`Recursive schema ${name} cannot be inlined`);
    const target = doc.components.schemas[name];
    if (!target) throw new Error(`Unresolved $ref ${ref}`);
    return inlineSchema(doc, target, [...seen, name]);
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYWORDS.has(key)) continue;
    if (key === 'properties' && isObject(value)) {
      // Keys of `properties` are field names, not keywords: a field called "description" must survive.
      out[key] = Object.fromEntries(
        Object.entries(value).map(([field, schema]) => [field, inlineSchema(doc, schema, seen)]),
      );
    } else {
      out[key] = inlineSchema(doc, value, seen);
    }
  }
  return rewriteNullable(out);
}

function rewriteNullable(schema: JsonObject): JsonObject {
  if (schema['nullable'] !== true) return schema;
  const { nullable: _nullable, ...rest } = schema;
  const type = rest['type'];
  if (typeof type === 'string') rest['type'] = [type, 'null'];
  if (Array.isArray(rest['enum'])) rest['enum'] = [...rest['enum'], null];
  const oneOf = rest['oneOf'];
  if (type === undefined && Array.isArray(oneOf)) rest['oneOf'] = [...oneOf, { type: 'null' }];
  return rest;
}

/** The spec lists filterable fields only in the description: "`email`: `any`, `equals`<br>…". */
function parseAllowedFilters(description: string): Record<string, string[]> {
  const allowed: Record<string, string[]> = {};
  for (const line of description.split('<br>')) {
    const match = /^`([^`]+)`:\s*(.+)$/.exec(line.trim());
    if (!match?.[1] || !match[2]) continue;
    allowed[match[1]] = [...match[2].matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
  }
  return allowed;
}

function extractQuery(op: OpenApiOperation): Record<string, SubsetQueryParameter> {
  const query: Record<string, SubsetQueryParameter> = {};
  for (const param of op.parameters ?? []) {
    if (param.in !== 'query') continue;
    const schema = param.schema ?? {};
    const entry: SubsetQueryParameter = {};
    const items = schema['items'];
    if (schema['type'] === 'array' && isObject(items) && Array.isArray(items['enum'])) {
      entry.list = items['enum'].filter((v): v is string => typeof v === 'string');
    } else if (Array.isArray(schema['enum'])) {
      entry.enum = schema['enum'].filter((v): v is string => typeof v === 'string');
    }
    if (schema['type'] === 'integer') {
      entry.integer = {
        default: Number(schema['default']),
        minimum: Number(schema['minimum']),
        maximum: Number(schema['maximum']),
      };
    }
    if (param.name === 'filter') entry.filters = parseAllowedFilters(param.description ?? '');
    query[param.name] = entry;
  }
  return query;
}

export function extractSubset(doc: OpenApiDocument): SpecSubset {
  const operations: Record<string, SubsetOperation> = {};
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!op.operationId || !(OPERATION_IDS as readonly string[]).includes(op.operationId)) continue;
      const content = op.requestBody?.content ?? {};
      const bodySchema = Object.values(content)[0]?.schema;
      operations[op.operationId] = {
        method: method.toUpperCase(),
        path,
        rateLimit: op['x-klaviyo-ratelimit'] ?? {},
        scopes: op['x-klaviyo-scopes'] ?? [],
        query: extractQuery(op),
        requestBody: bodySchema ? (inlineSchema(doc, bodySchema, []) as JsonObject) : null,
      };
    }
  }
  const missing = OPERATION_IDS.filter((id) => !operations[id]);
  if (missing.length > 0) throw new Error(`Operations missing from the spec: ${missing.join(', ')}`);
  const sorted = Object.fromEntries(OPERATION_IDS.map((id) => [id, operations[id] as SubsetOperation]));
  return {
    revision: doc.info.version,
    generatedBy: 'test/fakes/klaviyo/extractSpec.ts from klaviyo/openapi openapi/stable.json',
    operations: sorted,
  };
}

async function main(): Promise<void> {
  const specPath = process.argv[2];
  if (!specPath) {
    console.error('usage: npx tsx test/fakes/klaviyo/extractSpec.ts <openapi-stable.json>');
    process.exit(2);
  }
  const doc = JSON.parse(readFileSync(specPath, 'utf8')) as OpenApiDocument;
  const subset = extractSubset(doc);
  const target = fileURLToPath(new URL('./openapi-subset.json', import.meta.url));
  // Written through prettier so that `prettier --check` passes on the committed file without a second step.
  const config = (await prettier.resolveConfig(target)) ?? {};
  const text = await prettier.format(JSON.stringify(subset), { ...config, filepath: target });
  writeFileSync(target, text);
  console.log(`wrote ${target} (${Object.keys(subset.operations).length} operations, ${text.length} bytes)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
