import type { Database } from '../db/duckdb.ts';
import { rawSchemaName, type SourceName } from '../sources/rawTables.ts';

/**
 * The generator fills build tables next to the real ones and swaps them in at the end, so a failed run
 * leaves the previous raw tables untouched (see index.ts).
 */
export const BUILD_SUFFIX = '__demo_build';

export function buildTableName(source: SourceName, table: string): string {
  return `${rawSchemaName(source)}."${table}${BUILD_SUFFIX}"`;
}

/** Days of order history before `asOf`: three years, as the issue asks. */
export const HISTORY_DAYS = 1095;
/** Days of Klaviyo email events kept: enough for the 90-day metrics, small enough for a fast 1M build. */
export const EMAIL_WINDOW_DAYS = 180;
/** Line items per order are keyed `order_key * 8 + line_no`; orders `person_id * 128 + k`. */
export const MAX_ORDERS_PER_PERSON = 80;

/**
 * What every generator stage needs. Times are epoch seconds (UTC): `asOfEpoch` is midnight of `asOf`
 * and nothing (except deliberate dirty rows) happens at or after it, because the models treat
 * `as_of` as the build day at 00:00 and drop later rows as future timestamps.
 */
export interface DemoContext {
  db: Database;
  seed: number;
  asOf: string;
  asOfEpoch: number;
  startEpoch: number;
  customers: number;
  /** Klaviyo-only prospects: people ids customers+1 .. customers+prospects. */
  prospects: number;
  /** Zendesk-only people (asked support but never bought): the ids after the prospects. */
  supportOnly: number;
  dirty: number;
  /** Offsets for the id scrambler, so different seeds give different-looking ids. */
  offset(salt: number): number;
  /** The (build) table that a raw table's rows are written to. */
  raw(source: SourceName, table: string): string;
}

export function createDemoContext(
  db: Database,
  options: { seed: number; asOf: string; customers: number; dirty: number },
): DemoContext {
  const asOfEpoch = Date.parse(`${options.asOf}T00:00:00Z`) / 1000;
  const seed = options.seed;
  return {
    db,
    seed,
    asOf: options.asOf,
    asOfEpoch,
    startEpoch: asOfEpoch - HISTORY_DAYS * 86_400,
    customers: options.customers,
    prospects: Math.max(1, Math.round(options.customers * 0.19)),
    supportOnly: Math.max(1, Math.round(options.customers * 0.012)),
    dirty: options.dirty,
    offset(salt: number) {
      // Small integer mix (fits a double exactly) so offsets stay below 10^9 and never overflow BIGINT maths.
      const x = Math.imul((seed ^ (salt * 0x9e3779b1)) >>> 0, 0x85ebca6b) >>> 0;
      return x % 1_000_000_000;
    },
    raw: buildTableName,
  };
}
