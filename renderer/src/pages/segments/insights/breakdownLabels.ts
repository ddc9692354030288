import type { TFunction } from 'i18next';
import type { SegmentBreakdown } from '../../../../../core/api/schemas/segmentInsights.ts';
import type { Formatters } from '../../../format/format.ts';

/**
 * The one place that says which columns have translated value names, and under which key: lifecycle stage and
 * value tier as the Overview's charts name them, the winback stage here (no other page translates it yet).
 */
const VALUE_KEYS: Record<string, string> = {
  lifecycle_stage: 'lifecycle',
  customer_value_tier: 'valueTier',
  winback_stage: 'winbackStage',
};

/** A breakdown value as a chart label: translated stage and tier names, yes/no, formatted numbers. */
export function valueLabel(
  column: string,
  value: string | number | boolean | null,
  t: TFunction,
  format: Formatters,
): string {
  if (value === null) return t('segmentInsights.breakdown.empty');
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (typeof value === 'number') return format.decimal(value, Number.isInteger(value) ? 0 : 2);
  const key = VALUE_KEYS[column];
  return key ? t(`${key}.${value}`, { defaultValue: value }) : value;
}

/** A bin as "from – to" (numbers formatted, days as dates). */
export function binLabel(
  bucket: SegmentBreakdown['buckets'][number],
  kind: SegmentBreakdown['kind'],
  format: Formatters,
): string {
  const one = (v: string | number | boolean) =>
    typeof v === 'number'
      ? format.decimal(v, Number.isInteger(v) ? 0 : 2)
      : kind === 'date' || kind === 'timestamp'
        ? format.date(String(v))
        : String(v);
  if (bucket.to === undefined || bucket.to === bucket.value) return one(bucket.value);
  return `${one(bucket.value)} – ${one(bucket.to)}`;
}
