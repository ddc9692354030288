import type { Database } from '../db/duckdb.ts';
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
 * ignored, so "mul" finds Müller). One scan per keystroke with cheap predicates; only `limit` rows leave DuckDB.
 */

/** Case and accents folded the same way on both sides of a name comparison. */
const fold = (expr: string) => `strip_accents(lower(${expr}))`;

/** Customer ids are 'c_' + 16 hex digits (sql/DEFINITIONS.md "Identity"). */
const ID_PREFIX = /^c_[0-9a-f]*$/;

interface SearchPlan {
  where: string[];
  rank: string;
  params: Record<string, string>;
}

/**
 * Which predicates a text can satisfy: an id only when it looks like one, an email only without spaces, names
 * unless it holds an @ (then it can only be an email). Fewer predicates = a faster scan.
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
  if (!lowered.includes('@') && name) {
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

export async function customerSearch(
  db: Database,
  input: CustomerSearchInput,
  signal?: AbortSignal,
): Promise<CustomerSearchResult> {
  const { query, limit } = customerSearchInputSchema.parse(input);
  const call = forCall(db, signal);
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
    hits: rows.map((r) => ({
      customerId: String(r.customer_id),
      email: textOrNull(r.email),
      firstName: textOrNull(r.first_name),
      lastName: textOrNull(r.last_name),
      city: textOrNull(r.city),
      lifecycleStage: String(r.lifecycle_stage) as CustomerSearchHit['lifecycleStage'],
      totalOrders: num(r.total_orders),
      lifetimeRevenue: cents(r.lifetime_revenue),
      matchedOn: MATCHED_ON[num(r.match_rank)] ?? 'name',
    })),
  };
}
