import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { monthCalendar } from '../../core/insights/monthCalendar.ts';

/**
 * The Overview's month buckets put a UTC instant in its month of the shop's calendar without converting each
 * row: checked here against DuckDB's own time-zone conversion, every 17 minutes over two years, for zones east
 * and west of UTC and across their daylight-saving changes.
 */

let db: Database;
beforeAll(async () => {
  db = await openDatabase(':memory:');
});
afterAll(() => db.close());

describe('month calendar', () => {
  it.each([
    ['Europe/Berlin', '2026-11-30 12:00:00', '2024-12', '2026-11'],
    ['America/New_York', '2026-01-01 03:00:00', '2024-01', '2025-12'],
    ['Pacific/Auckland', '2026-03-31 23:30:00', '2024-05', '2026-04'],
  ])('puts every instant in its %s month (as_of %s)', async (zone, asOf, first, last) => {
    const calendar = await monthCalendar(db, asOf, zone, 24);
    expect(calendar.months).toHaveLength(24);
    expect(calendar.months[0]?.month).toBe(first);
    expect(calendar.months.at(-1)?.month).toBe(last);
    const [row] = await db.queryJson(
      `with instants as (
         select t from generate_series(${calendar.firstStartSql}, cast($1 as timestamp), interval 17 minute) as g(t)
       )
       select count(*) as instants,
              count(*) filter (
                where strftime(timezone($2, timezone('UTC', t)), '%Y-%m')
                  is distinct from ($3::varchar[])[${calendar.monthIndex('t')} + 1]
              ) as wrong
       from instants`,
      [asOf, zone, `[${calendar.months.map((m) => `"${m.month}"`).join(',')}]`],
    );
    expect(Number(row?.instants)).toBeGreaterThan(50_000);
    expect(Number(row?.wrong)).toBe(0);
  });
});
