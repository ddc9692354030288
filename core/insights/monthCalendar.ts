import type { Database } from '../db/duckdb.ts';

/**
 * The last N months of the shop's calendar up to as_of, each with the UTC instant it starts at. Orders are put in
 * their local month by an ASOF join on these starts instead of converting every order time to the shop's zone:
 * the same months as the models' date_trunc_month (sql/DEFINITIONS.md "Reference time"), a few times faster
 * over millions of orders.
 */
export interface MonthCalendar {
  /** Oldest first; `index` 0..N-1. */
  months: { index: number; month: string; startUtc: string }[];
  /** `(values …) as months(index, month, start_utc)`, for a FROM clause. */
  valuesSql: string;
  /** Start of the oldest month as a SQL timestamp literal. */
  firstStartSql: string;
}

const MONTH = /^\d{4}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export async function monthCalendar(
  db: Database,
  asOfSql: string,
  timeZone: string,
  count: number,
): Promise<MonthCalendar> {
  const rows = await db.queryJson(
    `with last as (
       select date_trunc('month', cast(timezone($2, timezone('UTC', cast($1 as timestamp))) as date)) as m
     ),
     series as (
       select cast(g.i as integer) as i, cast(m - to_months(cast($3 - 1 - g.i as integer)) as date) as month
       from last, range($3) as g(i)
     )
     select i, strftime(month, '%Y-%m') as month,
            strftime(timezone('UTC', timezone($2, cast(month as timestamp))), '%Y-%m-%d %H:%M:%S') as start_utc
     from series order by i`,
    [asOfSql, timeZone, count],
  );
  const months = rows.map((r) => ({
    index: Number(r.i),
    month: String(r.month),
    startUtc: String(r.start_utc),
  }));
  // The literals below are built from DuckDB's own output; checked so nothing else can reach the SQL text.
  for (const m of months)
    if (!MONTH.test(m.month) || !TIMESTAMP.test(m.startUtc))
      throw new Error(`unexpected month bounds ${m.month} / ${m.startUtc}`);
  const values = months.map((m) => `(${m.index}, '${m.month}', timestamp '${m.startUtc}')`).join(', ');
  return {
    months,
    valuesSql: `(values ${values}) as months(index, month, start_utc)`,
    firstStartSql: `timestamp '${months[0]?.startUtc ?? '1970-01-01 00:00:00'}'`,
  };
}
