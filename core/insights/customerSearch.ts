import { quoteText, type Database } from '../db/duckdb.ts';
import { requirePublishedTables, SEARCH_TABLES } from './publishedTables.ts';
import { fold, KEY_KIND, KEYS_PER_CUSTOMER, searchIndex, type SearchIndex } from './searchIndex.ts';
import {
  customerSearchInputSchema,
  SEARCH_TOTAL_CAP,
  type CustomerSearchHit,
  type CustomerSearchInput,
  type CustomerSearchResult,
} from './schemas.ts';
import { cents, forCall, num, textOrNull } from './sqlText.ts';

/**
 * Search as you type over dim_customers: by customer id (prefix), email (prefix, case-insensitive: contact emails
 * are stored lower-case) or name (prefix of first name, last name, "first last" or "last first"; case and accents
 * ignored, so "mul" finds Müller). A keystroke reads key ranges of the search index (searchIndex.ts: the keys folded
 * once per published build, sorted), not dim_customers; only `limit` rows leave DuckDB.
 */

/** Customer ids are 'c_' + 16 hex digits (sql/DEFINITIONS.md "Identity"). */
const ID_PREFIX = /^c_[0-9a-f]*$/;

interface SearchPlan {
  where: string[];
  rank: string;
  params: Record<string, string>;
}

/**
 * Which predicates a text can satisfy: an id only when it looks like one, an email only without spaces, names
 * only without @ and digits. Fewer predicates = a faster scan.
 */
function plan(query: string): SearchPlan {
  const lowered = query.toLowerCase();
  const name = query.replace(/[,;]/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
  const params: Record<string, string> = { q: lowered, name };
  const where: string[] = [];
  const ranks: string[] = [];
  if (ID_PREFIX.test(lowered)) {
    where.push('starts_with(customer_id, $q)');
    ranks.push('when customer_id = $q then 0', 'when starts_with(customer_id, $q) then 2');
  }
  if (!/\s/.test(lowered)) {
    where.push('starts_with(email, $q)');
    ranks.push('when email = $q then 1', 'when starts_with(email, $q) then 3');
  }
  // names hold no @ and no digits: such a text can only be an email or an id
  if (!/[@\d]/.test(lowered) && name) {
    if (name.includes(' ')) {
      const firstLast = fold(`concat_ws(' ', first_name, last_name)`);
      const lastFirst = fold(`concat_ws(' ', last_name, first_name)`);
      where.push(
        `starts_with(${firstLast}, ${fold('$name')})`,
        `starts_with(${lastFirst}, ${fold('$name')})`,
      );
      ranks.push(`when ${firstLast} = ${fold('$name')} or ${lastFirst} = ${fold('$name')} then 4`);
    } else {
      where.push(
        `starts_with(${fold('last_name')}, ${fold('$name')})`,
        `starts_with(${fold('first_name')}, ${fold('$name')})`,
      );
      ranks.push(`when ${fold('last_name')} = ${fold('$name')} then 4`);
    }
  }
  return { where, rank: `case ${ranks.join(' ')} else 5 end`, params };
}

const MATCHED_ON: Record<number, CustomerSearchHit['matchedOn']> = {
  0: 'customer_id',
  1: 'email',
  2: 'customer_id',
  3: 'email',
  4: 'name',
  5: 'name',
};

/** The smallest text greater than every text that starts with `prefix` (byte order = code point order). */
const MAX_CHAR = String.fromCodePoint(0x10ffff);

interface IndexPlan {
  /** Key ranges to read: kinds with the (folded) prefix. */
  ranges: { kinds: number[]; prefix: string }[];
  /** SQL rank of a matched key, as in `plan`'s ranks. */
  rank: string;
}

/**
 * The same predicates as `plan`, as key ranges of the search index: the name prefix is folded by DuckDB (the
 * same fold the index was made with) and put into the SQL as literals, so that the range bounds are constants
 * DuckDB compares with each row group's min/max.
 */
async function indexPlan(db: Database, query: string): Promise<IndexPlan | undefined> {
  const lowered = query.toLowerCase();
  const name = query.replace(/[,;]/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
  const ranges: IndexPlan['ranges'] = [];
  const q = quoteText(lowered);
  const ranks: string[] = [];
  if (ID_PREFIX.test(lowered)) {
    ranges.push({ kinds: [KEY_KIND.customerId], prefix: lowered });
    ranks.push(`when kind = ${KEY_KIND.customerId} and key = ${q} then 0`);
  }
  if (!/\s/.test(lowered)) {
    ranges.push({ kinds: [KEY_KIND.email], prefix: lowered });
    ranks.push(`when kind = ${KEY_KIND.email} and key = ${q} then 1`);
  }
  if (ID_PREFIX.test(lowered)) ranks.push(`when kind = ${KEY_KIND.customerId} then 2`);
  if (!/\s/.test(lowered)) ranks.push(`when kind = ${KEY_KIND.email} then 3`);
  if (!/[@\d]/.test(lowered) && name) {
    const [row] = await db.queryJson(`select ${fold('$name')} as folded`, { name });
    const folded = String(row?.folded ?? '');
    if (folded) {
      const f = quoteText(folded);
      ranges.push({ kinds: [KEY_KIND.firstLast, KEY_KIND.lastFirst], prefix: folded });
      ranks.push(
        name.includes(' ')
          ? `when kind in (${KEY_KIND.firstLast}, ${KEY_KIND.lastFirst}) and key = ${f} then 4`
          : // the last name alone is the start of "last first" and exact_length long
            `when kind = ${KEY_KIND.lastFirst} and exact_length = length(${f}) then 4`,
      );
    }
  }
  if (!ranges.length) return undefined;
  return { ranges, rank: `case ${ranks.join(' ')} else 5 end` };
}

function rangeSql(keys: string, range: IndexPlan['ranges'][number]): string {
  const low = quoteText(range.prefix);
  const high = quoteText(range.prefix + MAX_CHAR);
  return `select kind, key, exact_length, row, lifetime_revenue from ${keys}
          where key >= ${low} and key <= ${high} and starts_with(key, ${low})
            and kind in (${range.kinds.join(', ')})`;
}

async function searchWithIndex(
  db: Database,
  index: SearchIndex,
  query: string,
  limit: number,
): Promise<CustomerSearchResult> {
  const planned = await indexPlan(db, query);
  if (!planned) return { query, total: 0, totalCapped: false, hits: [] };
  const matched = planned.ranges.map((r) => rangeSql(index.keys, r)).join('\n union all \n');
  // The best `limit` customers without grouping every matched key (a one-letter prefix matches ~100k): sorted
  // by (rank, revenue, row), a customer's first key carries their best rank, and `limit` customers are among
  // the first `limit` × KEYS_PER_CUSTOMER keys. Counting stops the same way one past the cap.
  // (One connection runs one statement at a time: the two queries go one after the other.)
  const page = await db.queryJson(
    `select row, ${planned.rank} as match_rank from (${matched})
     order by match_rank, lifetime_revenue desc, row limit ${limit * KEYS_PER_CUSTOMER}`,
  );
  if (!page.length) return { query, total: 0, totalCapped: false, hits: [] };
  const rankOf = new Map<number, number>();
  for (const r of page) {
    const row = num(r.row);
    if (rankOf.size < limit && !rankOf.has(row)) rankOf.set(row, num(r.match_rank));
  }
  const [counted] =
    page.length < limit * KEYS_PER_CUSTOMER
      ? [{ total: new Set(page.map((r) => num(r.row))).size }]
      : await db.queryJson(
          `select count(distinct row) as total from (
             select row from (${matched}) limit ${(SEARCH_TOTAL_CAP + 1) * KEYS_PER_CUSTOMER})`,
        );
  const cards = await db.queryJson(
    `select row, customer_id, email, first_name, last_name, city, lifecycle_stage, total_orders, lifetime_revenue
     from ${index.cards} where row in (${[...rankOf.keys()].join(', ')})`,
  );
  const byRow = new Map(cards.map((c) => [num(c.row), c]));
  const total = num(counted?.total);
  return {
    query,
    total: Math.min(total, SEARCH_TOTAL_CAP),
    totalCapped: total > SEARCH_TOTAL_CAP,
    hits: [...rankOf].flatMap(([row, rank]) => {
      const card = byRow.get(row);
      return card ? [hit({ ...card, match_rank: rank })] : [];
    }),
  };
}

function hit(r: Record<string, unknown>): CustomerSearchHit {
  return {
    customerId: String(r.customer_id),
    email: textOrNull(r.email),
    firstName: textOrNull(r.first_name),
    lastName: textOrNull(r.last_name),
    city: textOrNull(r.city),
    lifecycleStage: String(r.lifecycle_stage) as CustomerSearchHit['lifecycleStage'],
    totalOrders: num(r.total_orders),
    lifetimeRevenue: cents(r.lifetime_revenue),
    matchedOn: MATCHED_ON[num(r.match_rank)] ?? 'name',
  };
}

export async function customerSearch(
  db: Database,
  input: CustomerSearchInput,
  signal?: AbortSignal,
): Promise<CustomerSearchResult> {
  const { query, limit } = customerSearchInputSchema.parse(input);
  const call = forCall(db, signal);
  const index = await searchIndex(call, signal);
  if (index) return searchWithIndex(call, index, query, limit);
  // No index: dim_customers is missing (say what to do) or the instance is read-only (scan it).
  await requirePublishedTables(call, SEARCH_TABLES, 'customer search');
  return searchByScan(call, query, limit);
}

/** Without an index (a read-only workspace): one scan of dim_customers with the predicates of `plan`. */
async function searchByScan(call: Database, query: string, limit: number): Promise<CustomerSearchResult> {
  const { where, rank, params } = plan(query);
  if (!where.length) return { query, total: 0, totalCapped: false, hits: [] };
  const used = (sql: string) =>
    Object.fromEntries(Object.entries(params).filter(([key]) => new RegExp(`\\$${key}\\b`).test(sql)));
  const matches = where.map((w) => `(${w})`).join(' or ');
  const pageSql = `select customer_id, email, first_name, last_name, city, lifecycle_stage, total_orders,
            lifetime_revenue, ${rank} as match_rank
     from main.dim_customers
     where ${matches}
     order by match_rank, lifetime_revenue desc, customer_id
     limit ${limit}`;
  const rows = await call.queryJson(pageSql, used(pageSql));
  // Counting stops one past the cap: a broad text ("a") does not count a million rows on every keystroke.
  const countSql = `select count(*) as total from (select 1 from main.dim_customers where ${matches} limit ${SEARCH_TOTAL_CAP + 1})`;
  const [counted] =
    rows.length < limit ? [{ total: rows.length }] : await call.queryJson(countSql, used(countSql));
  const total = num(counted?.total);
  return {
    query,
    total: Math.min(total, SEARCH_TOTAL_CAP),
    totalCapped: total > SEARCH_TOTAL_CAP,
    hits: rows.map(hit),
  };
}
