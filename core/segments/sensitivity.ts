import type { ProjectNode } from '../models/project.ts';
import type { Catalogue } from './catalogue.ts';
import type { LoadedSegment, Rule, SegmentDefinition } from './definition.ts';
import type { ValidatedSql } from './expertSql.ts';

/**
 * Health data (GDPR Art. 9) follows the data, not a flag in a segment file: the model docs tag columns
 * (`tags: [health]`) and values of category columns (`value_tags: { health: [Schwangerschaft] }`), and name the
 * boolean column that records the opt-in per tag (`consent_columns: { health: pregnancy_opt_in }`). A segment
 * that reads tagged data is sensitive whatever its YAML says: its members need the consent column true, and the
 * list sync asks for approval before it publishes. The profile sync sends tagged data only with the consent.
 */

/** The tag that is always sensitive; a shop adds its own tags by naming their consent column in the docs. */
export const HEALTH_TAG = 'health';

export interface HealthTags {
  /** Sensitive tag → the column that must be true (from `consent_columns`). */
  consent: ReadonlyMap<string, string>;
  /** Column → its sensitive tags (the whole column is sensitive). */
  columns: ReadonlyMap<string, string[]>;
  /** Column → sensitive value (lower-case text) → its tags. */
  values: ReadonlyMap<string, ReadonlyMap<string, string[]>>;
}

export const NO_HEALTH_TAGS: HealthTags = { consent: new Map(), columns: new Map(), values: new Map() };

/** The sensitive tags of a documented model (its columns' `tags` / `value_tags`, its `consent_columns`). */
export function healthTagsOf(node: Pick<ProjectNode, 'columns' | 'consentColumns'> | undefined): HealthTags {
  if (!node) return NO_HEALTH_TAGS;
  const consent = new Map(Object.entries(node.consentColumns ?? {}));
  const sensitive = (tag: string) => tag === HEALTH_TAG || consent.has(tag);
  const columns = new Map<string, string[]>();
  const values = new Map<string, Map<string, string[]>>();
  for (const column of node.columns) {
    const tags = (column.tags ?? []).filter(sensitive);
    if (tags.length) columns.set(column.name, tags);
    for (const [tag, tagged] of Object.entries(column.value_tags ?? {})) {
      if (!sensitive(tag)) continue;
      const byValue = values.get(column.name) ?? new Map<string, string[]>();
      for (const value of tagged) {
        const key = String(value).toLowerCase();
        byValue.set(key, [...(byValue.get(key) ?? []), tag]);
      }
      values.set(column.name, byValue);
    }
  }
  return { consent, columns, values };
}

/** One sensitive thing a segment or a profile property reads. */
export interface HealthRead {
  /** As a user reads it: `has_bought_pregnancy_products`, `preferred_categories = Schwangerschaft`. */
  what: string;
  tags: string[];
  /** A consent column the read needs itself: the declared consent_column of a segment read "in segment". */
  consent?: string;
}

export interface HealthUse {
  /** Declared `sensitive: true`, or reads tagged data. */
  sensitive: boolean;
  reads: HealthRead[];
  /** Boolean columns a member must have true: the tags' consent columns and a declared consent_column. */
  consentColumns: string[];
  /** Sensitive tags read whose consent column the docs do not name. */
  missingConsent: string[];
}

function ruleValues(rule: Rule): unknown[] {
  if (!('column' in rule)) return [];
  return Array.isArray(rule.value) ? rule.value : rule.value === undefined ? [] : [rule.value];
}

/** The saved segments an "in segment" rule may read, and the ones already followed (a cycle stops). */
interface RefScope {
  saved?: ReadonlyMap<string, LoadedSegment> | undefined;
  seen: Set<string>;
}

/** Tagged columns and values in one rule tree (expert rules: the columns DuckDB found, quoted values). */
function readsOf(
  rule: Rule,
  tags: HealthTags,
  expertSql: ReadonlyMap<string, ValidatedSql>,
  scope: RefScope = { seen: new Set() },
): HealthRead[] {
  if ('all' in rule) return rule.all.flatMap((r) => readsOf(r, tags, expertSql, scope));
  if ('any' in rule) return rule.any.flatMap((r) => readsOf(r, tags, expertSql, scope));
  if ('segment' in rule) {
    // Members of a sensitive segment are health data too: "in segment pregnancy_opt_in" reads what it reads.
    // Everyone else ("not in") reveals no more than an exclusion does, which does not make a segment sensitive.
    const other = scope.saved?.get(rule.segment)?.definition;
    if (rule.op !== 'in' || !other || scope.seen.has(other.name)) return [];
    scope.seen.add(other.name);
    const declared = other.sensitive && other.consent_column ? [other.consent_column] : [];
    const nested = [
      ...readsOf(other.rules, tags, expertSql, scope),
      ...other.properties.flatMap((p) => columnRead(p, tags)),
    ];
    const inherited = nested.map((r) => ({ what: `${r.what} (in segment ${other.name})`, tags: r.tags }));
    // A declared consent column of the other segment is kept as a read of its own (tag: the column).
    return [
      ...inherited,
      ...declared.map((column) => ({ what: `in segment ${other.name}`, tags: [], consent: column })),
    ];
  }
  if ('sql' in rule) {
    const checked = expertSql.get(rule.sql);
    const text = (checked?.canonical ?? rule.sql).toLowerCase();
    // An unchecked rule is never compiled; matching names in its text keeps the warning for it.
    const columns =
      checked?.columns ?? [...tags.columns.keys(), ...tags.values.keys()].filter((c) => text.includes(c));
    return columns.flatMap((column) => [
      ...columnRead(column, tags),
      ...[...(tags.values.get(column) ?? [])]
        .filter(([value]) => text.includes(`'${value.replace(/'/g, "''")}'`))
        .map(([value, valueTags]) => ({ what: `${column} = ${value}`, tags: valueTags })),
    ]);
  }
  const byValue = [...(tags.values.get(rule.column) ?? [])];
  const values = ruleValues(rule).flatMap((v) => {
    const text = String(v).toLowerCase();
    // A text `contains` is a substring test: "schwanger" finds Schwangerschaft.
    const hit = (value: string) =>
      value === text || (rule.op === 'contains' && text !== '' && value.includes(text));
    return byValue
      .filter(([value]) => hit(value))
      .map(([, valueTags]) => ({ what: `${rule.column} ${rule.op} ${String(v)}`, tags: valueTags }));
  });
  return [...columnRead(rule.column, tags), ...values];
}

function columnRead(column: string, tags: HealthTags): HealthRead[] {
  const columnTags = tags.columns.get(column);
  return columnTags ? [{ what: column, tags: columnTags }] : [];
}

/** The consent columns that tagged reads need, and the tags without one. */
export function consentFor(
  reads: HealthRead[],
  tags: HealthTags,
): { consentColumns: string[]; missing: string[] } {
  const used = [...new Set(reads.flatMap((r) => r.tags))];
  return {
    consentColumns: [
      ...new Set([
        ...used.flatMap((t) => tags.consent.get(t) ?? []),
        ...reads.flatMap((r) => (r.consent ? [r.consent] : [])),
      ]),
    ],
    missing: used.filter((t) => !tags.consent.has(t)),
  };
}

/**
 * What a segment reads of the tagged data of its catalogue (rules and the properties it sends), and — given
 * the saved segments — of the sensitive segments its "in segment" rules read.
 */
export function healthUse(
  definition: SegmentDefinition,
  catalogue: Pick<Catalogue, 'health'>,
  expertSql: ReadonlyMap<string, ValidatedSql>,
  saved?: ReadonlyMap<string, LoadedSegment>,
): HealthUse {
  const tags = catalogue.health ?? NO_HEALTH_TAGS;
  const reads = [
    ...readsOf(definition.rules, tags, expertSql, { saved, seen: new Set([definition.name]) }),
    ...definition.properties.flatMap((p) => columnRead(p, tags)),
  ];
  const unique = [...new Map(reads.map((r) => [r.what, r])).values()];
  const { consentColumns, missing } = consentFor(unique, tags);
  const declared = definition.sensitive && definition.consent_column ? [definition.consent_column] : [];
  return {
    sensitive: definition.sensitive || unique.length > 0,
    reads: unique,
    consentColumns: [...new Set([...declared, ...consentColumns])],
    missingConsent: missing,
  };
}

/** Validate and preview: say when a segment is sensitive because of what it reads, and which consent applies. */
export function sensitivityWarnings(
  segment: LoadedSegment,
  set: {
    catalogue: Pick<Catalogue, 'health' | 'docsProblem'>;
    expertSql: ReadonlyMap<string, ValidatedSql>;
    saved?: ReadonlyMap<string, LoadedSegment>;
  },
): string[] {
  const def = segment.definition;
  const warnings: string[] = [];
  if (set.catalogue.docsProblem)
    warnings.push(
      `${def.name}: the model docs could not be read, so health tags are unknown (${set.catalogue.docsProblem.split('\n')[0]}); fix them and run again`,
    );
  const use = healthUse(def, set.catalogue, set.expertSql, set.saved);
  if (!use.reads.length) return warnings;
  const what = use.reads.map((r) => r.what).join(', ');
  const consent = use.consentColumns.map((c) => `${c} = true`).join(' and ');
  if (use.missingConsent.length)
    warnings.push(
      `${def.name}: rules read ${what}, tagged ${use.missingConsent.join(', ')} in the model docs, which name no ` +
        `consent column for it: add consent_columns: { ${use.missingConsent[0]}: <opt-in column> } to the model's YAML`,
    );
  const declared = def.sensitive && def.consent_column;
  const extra = use.consentColumns.filter((c) => c !== def.consent_column);
  if (!declared && consent)
    warnings.push(
      `${def.name}: reads health data (${what}), so it is sensitive whatever its file says: only customers ` +
        `with ${consent} are members, and the list sync asks for approval (--approve) before publishing it. ` +
        `Write sensitive: true and consent_column: ${use.consentColumns[0]} in the file to say so.`,
    );
  else if (declared && extra.length)
    warnings.push(
      `${def.name}: reads health data (${what}), which also needs ${extra.map((c) => `${c} = true`).join(' and ')}: ` +
        `members need that as well as ${def.consent_column}`,
    );
  return warnings;
}
