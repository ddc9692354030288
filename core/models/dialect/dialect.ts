/**
 * The few places where DuckDB and BigQuery SQL differ, exposed to model templates as macros so that
 * model bodies stay portable (`{{ days_between('first_order_at', as_of()) }}`). Every argument is a SQL
 * expression given as a string; every macro returns a SQL expression.
 *
 * Timestamps are UTC instants; calendar questions (which day, which month) are answered in the shop's time
 * zone (var `shop_time_zone`, sql/DEFINITIONS.md "Reference time"): an order at 23:30 UTC on 30 November is a
 * 1 December order in Berlin. A dialect carries its zone; `withTimeZone` gives one for another zone.
 */
export type SqlType =
  'bigint' | 'integer' | 'double' | 'decimal' | 'varchar' | 'boolean' | 'date' | 'timestamp';

/** Declared in sql/vars.yml (`shop_time_zone`); keep the two equal. */
export const DEFAULT_SHOP_TIME_ZONE = 'Europe/Berlin';

export interface Dialect {
  name: 'duckdb' | 'bigquery';
  /** IANA time zone of the shop: the calendar of day counts and month buckets. */
  timeZone: string;
  /** SQL type name for a portable type. */
  type(t: SqlType): string;
  cast(expr: string, t: SqlType): string;
  /** Cast that yields null instead of failing. */
  safe_cast(expr: string, t: SqlType): string;
  /**
   * Calendar date of a UTC timestamp in the shop's time zone. A DATE argument is read as its 00:00 UTC, which
   * keeps the date in zones at or east of UTC (all of Europe); pass timestamps.
   */
  local_date(expr: string): string;
  /** Whole calendar days from start to end (end - start), counted in the shop's time zone. */
  days_between(start: string, end: string): string;
  /** Fractional hours from start to end. */
  hours_between(start: string, end: string): string;
  add_days(expr: string, days: string | number): string;
  /** A timestamp literal. */
  timestamp_literal(iso: string): string;
  /** First day (a date) of the shop-local month of a UTC timestamp. */
  date_trunc_month(expr: string): string;
  /**
   * Canonical text of a UTC timestamp, the same on every engine: ISO-8601 with milliseconds and `Z`
   * (`2026-11-30T09:15:00.000Z`), so hashes over it (event ids) agree between DuckDB and BigQuery.
   */
  iso_utc_text(expr: string): string;
  /** String value at a top-level key of a JSON text column; null when the text is not valid JSON. */
  json_str(column: string, key: string): string;
  /** Ordered list aggregate of the non-null values, optionally truncated to the first `limit` elements. */
  list_agg(expr: string, orderBy: string, limit?: number): string;
  list_contains(list: string, value: string): string;
  list_len(list: string): string;
  /** Empty typed list of strings. */
  empty_string_list(): string;
  /** Joins a list of strings with a separator. */
  list_join(list: string, separator: string): string;
  split(expr: string, delimiter: string): string;
  md5_hex(expr: string): string;
  regex_replace_all(expr: string, pattern: string, replacement: string): string;
  regex_matches(expr: string, pattern: string): string;
  /**
   * A person's name as identity compares it (sql/DEFINITIONS.md, Identity): lower-case, ß → ss, ı → i,
   * umlauts → ae/oe/ue, other accents stripped, white space collapsed and trimmed.
   */
  name_key(expr: string): string;
  count_if(predicate: string): string;
  any_true(predicate: string): string;
  /** Deterministic integer hash bucket 0..buckets-1 of a string expression. */
  hash_bucket(expr: string, buckets: number): string;
  /** Natural log. */
  ln(expr: string): string;
}

const sqlString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/**
 * Letters that accent stripping would lose or get wrong, replaced after lower-casing: German spells an
 * umlaut out as ae/oe/ue (Müller = Mueller), ß as ss; Turkish ı has no dot to strip; ł and ø do not
 * decompose. Upper-case forms are covered because the text is lower-cased first (ẞ → ß, Ä → ä).
 */
const NAME_LETTERS: readonly (readonly [string, string])[] = [
  ['ß', 'ss'],
  ['ı', 'i'],
  ['ä', 'ae'],
  ['ö', 'oe'],
  ['ü', 'ue'],
  ['ł', 'l'],
  ['ø', 'o'],
];

const replaceNameLetters = (expr: string): string =>
  NAME_LETTERS.reduce((sql, [from, to]) => `replace(${sql}, ${sqlString(from)}, ${sqlString(to)})`, expr);

const duckTypes: Record<SqlType, string> = {
  bigint: 'bigint',
  integer: 'integer',
  double: 'double',
  decimal: 'decimal(18,2)',
  varchar: 'varchar',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
};

const bigQueryTypes: Record<SqlType, string> = {
  bigint: 'int64',
  integer: 'int64',
  double: 'float64',
  decimal: 'numeric',
  varchar: 'string',
  boolean: 'bool',
  date: 'date',
  timestamp: 'timestamp',
};

// timezone('UTC', ts) reads the naive timestamp as UTC; timezone(zone, tstz) gives the wall-clock time there.
// Neither depends on the session's TimeZone setting.
const duckLocalDate = (expr: string, zone: string): string =>
  `cast(timezone(${sqlString(zone)}, timezone('UTC', ${expr})) as date)`;

function duckdbFor(timeZone: string): Dialect {
  return {
    name: 'duckdb',
    timeZone,
    type: (t) => duckTypes[t],
    cast: (expr, t) => `cast(${expr} as ${duckTypes[t]})`,
    safe_cast: (expr, t) => `try_cast(${expr} as ${duckTypes[t]})`,
    local_date: (expr) => duckLocalDate(expr, timeZone),
    days_between: (start, end) =>
      `date_diff('day', ${duckLocalDate(start, timeZone)}, ${duckLocalDate(end, timeZone)})`,
    hours_between: (start, end) => `(date_diff('second', ${start}, ${end}) / 3600.0)`,
    add_days: (expr, days) => `(${expr} + to_days(cast(${days} as integer)))`,
    timestamp_literal: (iso) => `cast(${sqlString(iso)} as timestamp)`,
    date_trunc_month: (expr) => `cast(date_trunc('month', ${duckLocalDate(expr, timeZone)}) as date)`,
    iso_utc_text: (expr) => `strftime(cast(${expr} as timestamp), '%Y-%m-%dT%H:%M:%S.%gZ')`,
    // Malformed JSON yields null instead of failing the query.
    json_str: (column, key) =>
      `json_extract_string(case when json_valid(${column}) then ${column} end, ${sqlString(`$.${key}`)})`,
    // NULLs are left out, as BigQuery's `ignore nulls` does. Sorting the finished list is much faster than an
    // ordered aggregate when the list is ordered by its own values.
    list_agg: (expr, orderBy, limit) => {
      const notNull = `filter (where (${expr}) is not null)`;
      const list =
        orderBy.trim() === expr.trim()
          ? `list_sort(list(${expr}) ${notNull})`
          : `list(${expr} order by ${orderBy}) ${notNull}`;
      return limit === undefined ? list : `list_slice(${list}, 1, ${limit})`;
    },
    list_contains: (list, value) => `list_contains(${list}, ${value})`,
    list_len: (list) => `len(${list})`,
    empty_string_list: () => `cast([] as varchar[])`,
    list_join: (list, separator) => `array_to_string(${list}, ${sqlString(separator)})`,
    split: (expr, delimiter) => `string_split(${expr}, ${sqlString(delimiter)})`,
    md5_hex: (expr) => `md5(${expr})`,
    regex_replace_all: (expr, pattern, replacement) =>
      `regexp_replace(${expr}, ${sqlString(pattern)}, ${sqlString(replacement)}, 'g')`,
    regex_matches: (expr, pattern) => `regexp_matches(${expr}, ${sqlString(pattern)})`,
    name_key: (expr) =>
      `trim(regexp_replace(strip_accents(${replaceNameLetters(`lower(nfc_normalize(${expr}))`)}), '[[:space:]]+', ' ', 'g'))`,
    count_if: (predicate) => `count_if(${predicate})`,
    any_true: (predicate) => `bool_or(${predicate})`,
    hash_bucket: (expr, buckets) => `(hash(${expr}) % ${buckets})`,
    ln: (expr) => `ln(${expr})`,
  };
}

const bigQueryLocalDate = (expr: string, zone: string): string =>
  `date(cast(${expr} as timestamp), ${sqlString(zone)})`;

function bigqueryFor(timeZone: string): Dialect {
  return {
    name: 'bigquery',
    timeZone,
    type: (t) => bigQueryTypes[t],
    cast: (expr, t) => `cast(${expr} as ${bigQueryTypes[t]})`,
    safe_cast: (expr, t) => `safe_cast(${expr} as ${bigQueryTypes[t]})`,
    local_date: (expr) => bigQueryLocalDate(expr, timeZone),
    days_between: (start, end) =>
      `date_diff(${bigQueryLocalDate(end, timeZone)}, ${bigQueryLocalDate(start, timeZone)}, day)`,
    hours_between: (start, end) => `(timestamp_diff(${end}, ${start}, second) / 3600.0)`,
    add_days: (expr, days) => `date_add(${expr}, interval cast(${days} as int64) day)`,
    // A literal without a zone is UTC in BigQuery, as as_of is.
    timestamp_literal: (iso) => `timestamp(${sqlString(iso)})`,
    date_trunc_month: (expr) => `date_trunc(${bigQueryLocalDate(expr, timeZone)}, month)`,
    // %E3S: seconds with three fractional digits, as DuckDB's %S.%g.
    iso_utc_text: (expr) => `format_timestamp('%Y-%m-%dT%H:%M:%E3SZ', ${expr}, 'UTC')`,
    // Malformed JSON yields null instead of failing the query.
    json_str: (column, key) => `json_value(safe.parse_json(${column}), ${sqlString(`$.${key}`)})`,
    list_agg: (expr, orderBy, limit) =>
      `array_agg(${expr} ignore nulls order by ${orderBy}${limit === undefined ? '' : ` limit ${limit}`})`,
    list_contains: (list, value) => `(${value} in unnest(${list}))`,
    list_len: (list) => `array_length(${list})`,
    empty_string_list: () => `cast([] as array<string>)`,
    list_join: (list, separator) => `array_to_string(${list}, ${sqlString(separator)})`,
    split: (expr, delimiter) => `split(${expr}, ${sqlString(delimiter)})`,
    md5_hex: (expr) => `to_hex(md5(${expr}))`,
    regex_replace_all: (expr, pattern, replacement) =>
      `regexp_replace(${expr}, ${sqlString(pattern)}, ${sqlString(replacement)})`,
    regex_matches: (expr, pattern) => `regexp_contains(${expr}, ${sqlString(pattern)})`,
    // Accents are stripped by decomposing (NFD) and dropping the combining marks.
    name_key: (expr) =>
      `trim(regexp_replace(regexp_replace(normalize(${replaceNameLetters(`lower(normalize(${expr}, NFC))`)}, NFD), r'\\p{M}', ''), '[[:space:]]+', ' '))`,
    count_if: (predicate) => `countif(${predicate})`,
    any_true: (predicate) => `logical_or(${predicate})`,
    hash_bucket: (expr, buckets) => `mod(abs(farm_fingerprint(${expr})), ${buckets})`,
    ln: (expr) => `ln(${expr})`,
  };
}

export const duckdbDialect: Dialect = duckdbFor(DEFAULT_SHOP_TIME_ZONE);
export const bigqueryDialect: Dialect = bigqueryFor(DEFAULT_SHOP_TIME_ZONE);

/** Throws a user-facing error unless `zone` is an IANA time zone name the runtime knows. */
export function checkTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new Error(
      `var shop_time_zone = '${zone}' is not a time zone; use an IANA name such as Europe/Berlin or Europe/Vienna`,
    );
  }
  return zone;
}

export function dialectFor(name: Dialect['name'], timeZone = DEFAULT_SHOP_TIME_ZONE): Dialect {
  checkTimeZone(timeZone);
  return name === 'duckdb' ? duckdbFor(timeZone) : bigqueryFor(timeZone);
}

/** The same engine's dialect in another time zone. */
export function withTimeZone(dialect: Dialect, timeZone: string): Dialect {
  return dialect.timeZone === timeZone ? dialect : dialectFor(dialect.name, timeZone);
}
