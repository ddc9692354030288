import type { Database } from '../db/duckdb.ts';
import { interruptible } from '../db/interrupt.ts';
import { dialectFor } from '../models/dialect/dialect.ts';

/**
 * SQL pieces the insight queries share. Timestamps in the workspace are UTC instants without a zone
 * (sql/DEFINITIONS.md "Reference time"); the pages get them as ISO text with milliseconds and `Z`.
 */
export const ISO_INSTANT = '%Y-%m-%dT%H:%M:%S.%gZ';

/** `expr` (a UTC timestamp) as ISO-8601 text, null stays null. */
export function isoInstant(expr: string): string {
  return `strftime(${expr}, '${ISO_INSTANT}')`;
}

/** First day of the local month of a UTC timestamp on the shop's calendar (the models' date_trunc_month). */
export function localMonth(expr: string, timeZone: string): string {
  return dialectFor('duckdb', timeZone).date_trunc_month(expr);
}

/** The connection the queries of one call run on: interrupted when `signal` aborts. */
export function forCall(db: Database, signal: AbortSignal | undefined): Database {
  return signal ? interruptible(db, signal) : db;
}

/** JSON-safe values of db.queryJson (BIGINT, HUGEINT and DECIMAL come as strings) as numbers. */
export function num(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Rounds a sum of cent amounts back to cents (floating-point sums drift by fractions of a cent). */
export function cents(value: unknown): number {
  return Math.round(num(value) * 100) / 100;
}
