import type { LoadedSegment, Rule } from './definition.ts';

/**
 * Health data (GDPR Art. 9): a segment that selects by pregnancy is sensitive and must require the explicit
 * opt-in. These columns and values reveal a health condition; a segment that uses them without
 * `sensitive: true` gets a warning (validate, preview), and the list sync's guardrail blocks it.
 */
export const HEALTH_COLUMNS = ['has_bought_pregnancy_products', 'pregnancy_opt_in'];
export const HEALTH_VALUES = ['Schwangerschaft'];

function usesHealthData(rule: Rule): string[] {
  if ('all' in rule) return rule.all.flatMap(usesHealthData);
  if ('any' in rule) return rule.any.flatMap(usesHealthData);
  if ('sql' in rule) {
    const text = rule.sql.toLowerCase();
    return [...HEALTH_COLUMNS, ...HEALTH_VALUES].filter((c) => text.includes(c.toLowerCase()));
  }
  const values = Array.isArray(rule.value) ? rule.value : rule.value === undefined ? [] : [rule.value];
  return [
    ...(HEALTH_COLUMNS.includes(rule.column) ? [rule.column] : []),
    ...values.filter((v): v is string => typeof v === 'string' && HEALTH_VALUES.includes(v)),
  ];
}

export function sensitivityWarnings(segment: LoadedSegment): string[] {
  if (segment.definition.sensitive) return [];
  const found = [...new Set(usesHealthData(segment.definition.rules))];
  return found.length
    ? [
        `${segment.definition.name}: rules use ${found.join(', ')}, which reveals a health condition; ` +
          'mark the segment sensitive: true with consent_column: pregnancy_opt_in',
      ]
    : [];
}
