import type { DemoContext } from './context.ts';
import { HISTORY_DAYS, MAX_ORDERS_PER_PERSON } from './context.ts';
import { FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, UNISEX_FIRST_NAMES } from './germanNames.ts';
import { CITIES, EMAIL_DOMAINS, MOBILE_PREFIXES } from './places.ts';
import { createSlotTable, slotOf, weightedCase, type SlotRow } from './randomSql.ts';
import { quoteText } from '../db/duckdb.ts';

/**
 * People behind all sources (`demo_people`) and the buying behaviour of the customers among them
 * (`demo_customers`). Person ids 1..customers are customers; the ids after them are prospects (Klaviyo
 * only) and support-only contacts (Zendesk only). Each person has one clean identity here; the source
 * modules derive the variants (case, Gmail dots, relay addresses, name spellings) from it.
 */

async function createLookupTables(ctx: DemoContext): Promise<void> {
  const { db } = ctx;
  // The ASCII spelling for email local parts is computed here once per name, not per person in SQL.
  const names = (list: readonly (readonly [string, number])[]): SlotRow[] =>
    list.map(([name, weight]) => ({ weight, values: { name, ascii: emailSpelling(name) } }));
  await createSlotTable(
    db,
    'demo_first_names',
    new Map([
      ['female', names(FEMALE_FIRST_NAMES)],
      ['male', names(MALE_FIRST_NAMES)],
      ['diverse', names(UNISEX_FIRST_NAMES)],
    ]),
  );
  await createSlotTable(db, 'demo_last_names', names(LAST_NAMES));
  await createSlotTable(
    db,
    'demo_cities',
    CITIES.map((c) => ({
      weight: c.weight,
      values: { city: c.city, country: c.country, zip_from: c.zipFrom, zip_to: c.zipTo },
    })),
  );
  await createSlotTable(
    db,
    'demo_domains',
    new Map(
      Object.entries(EMAIL_DOMAINS).map(([country, domains]) => [
        country,
        domains.map(([domain, weight]) => ({ weight, values: { domain } })),
      ]),
    ),
  );
  await createSlotTable(
    db,
    'demo_phone_prefixes',
    new Map(
      Object.entries(MOBILE_PREFIXES).map(([country, spec]) => [
        country,
        spec.prefixes.map((prefix) => ({ weight: 1, values: { prefix, digits: spec.digits } })),
      ]),
    ),
  );
}

export async function generatePeople(ctx: DemoContext): Promise<number> {
  const { db } = ctx;
  await createLookupTables(ctx);
  const total = ctx.customers + ctx.prospects + ctx.supportOnly;
  const gender = weightedCase('ug', [
    ["'female'", 64],
    ["'male'", 33],
    ["'diverse'", 3],
  ]);
  // Local parts as people really pick them, from the ASCII spellings (fl, ll) of the names.
  const local = weightedCase('uloc', [
    ["fl || '.' || ll", 28],
    ['fl || ll', 10],
    ["fl || '.' || ll || right(year(birth_date)::VARCHAR, 2)", 14],
    ["left(fl, 1) || '.' || ll", 10],
    ["fl || '_' || ll", 5],
    ["ll || '.' || fl", 5],
    ['fl || (10 + floor(uln * 990))::INTEGER::VARCHAR', 10],
    ["fl || '.' || ll || (1 + floor(uln * 99))::INTEGER::VARCHAR", 10],
    ['ll || left(fl, 1) || floor(uln * 100)::INTEGER::VARCHAR', 8],
  ]);
  // A few people share name and postal code with the person before them (namesakes in the same
  // town): matching Amazon buyers by name + postal code must check that the match is unique.
  await db.run(`create or replace temp table demo_people_draft as
    with ids as (
      select pid, case when pid > 1 and u(pid, 'namesake') < 0.003 then pid - 1 else pid end as name_src
      from range(1, ${total + 1}) r(pid)
    ), draws as (
      select pid, name_src, u(name_src, 'gender') as ug, u(name_src, 'first') as uf, u(name_src, 'last') as ul,
        u(name_src, 'city') as uc, u(name_src, 'zip') as uz, u(pid, 'birth') as ub, u(pid, 'phone') as uph,
        u(pid, 'phone_nr') as upn, u(pid, 'phone_digits') as upd, u(pid, 'local') as uloc, u(pid, 'local_nr') as uln, u(pid, 'domain') as udom
      from ids
    ), named as (
      select d.*, ${gender} as gender, ln.name as last_name, ln.ascii as ll, c.city, c.country, c.zip_from, c.zip_to,
        date '${ctx.asOf}' - (6600 + floor(22000 * pow(ub, 1.25)))::INTEGER as birth_date
      from draws d
      join demo_last_names ln on ln.slot = ${slotOf('d.ul')}
      join demo_cities c on c.slot = ${slotOf('d.uc')}
    ), located as (
      select n.*, fn.name as first_name, fn.ascii as fl,
        lpad((zip_from + floor(uz * (zip_to - zip_from + 1)))::INTEGER::VARCHAR, case when country = 'DE' then 5 else 4 end, '0') as zip,
        dm.domain, ph.prefix, ph.digits
      from named n
      join demo_first_names fn on fn.group_key = n.gender and fn.slot = ${slotOf('n.uf')}
      join demo_domains dm on dm.group_key = n.country and dm.slot = ${slotOf('n.udom')}
      join demo_phone_prefixes ph on ph.group_key = n.country and ph.slot = ${slotOf('n.upn')}
    ), emails as (
      select *, ${local} as local_base
      from located
    ), keyed as (
      select *,
        case when domain in ('gmail.com', 'googlemail.com') then replace(local_base, '.', '') || '@gmail.com'
             else local_base || '@' || domain end as email_key
      from emails
    )
    select pid, name_src, gender, first_name, last_name, birth_date, local_base, email_key,
      date_diff('year', birth_date, date '${ctx.asOf}') - case when strftime(birth_date, '%m-%d') > '${ctx.asOf.slice(5)}' then 1 else 0 end as age,
      country, zip, city,
      case when uph < 0.55 then prefix || (pow(10, digits - 1) + floor(upd * 9 * pow(10, digits - 1)))::BIGINT::VARCHAR end as phone,
      domain
    from keyed`);
  // Collisions get a '-<id>' suffix: no generated local part ends in '-<digits>', so the result is
  // unique even after Gmail normalisation. (An aggregate + join is much faster here than a window
  // partitioned by a near-unique string.)
  await db.run(`create or replace temp table demo_people as
    with firsts as (select email_key, min(pid) as first_pid from demo_people_draft group by email_key)
    select d.* exclude (local_base, email_key),
      case when d.pid = f.first_pid then d.local_base else d.local_base || '-' || d.pid::VARCHAR end as email_local,
      case when d.pid = f.first_pid then d.local_base else d.local_base || '-' || d.pid::VARCHAR end || '@' || d.domain as email
    from demo_people_draft d join firsts f using (email_key)`);
  await db.run('drop table demo_people_draft');
  await generateCustomers(ctx);
  return total;
}

/** Shares of pregnancy buyers among women of childbearing age and among their partners (see below). */
const PREGNANCY_SHARE_WOMEN = 0.3;
const PREGNANCY_SHARE_PARTNERS = 0.02;
/** Pregnancy buyers stop after this many orders: pregnancy and nursing last about a year and a half. */
const PREGNANCY_MAX_ORDERS = 12;

/**
 * Buying behaviour per customer: acquisition date, channel mix, the product re-bought and its cycle,
 * and how many orders the customer intends to place before churning (Pareto tail: many one-time
 * buyers, a few very loyal ones who make the VIP head).
 *
 * Pregnancy buyers: women aged 22–44 at as_of (about 19–44 when they bought, over the three years of
 * history) with probability PREGNANCY_SHARE_WOMEN, plus partners buying for them: men and diverse
 * people aged 24–46 with probability PREGNANCY_SHARE_PARTNERS. They re-buy a pregnancy product (group
 * `pregnancy` in catalog.ts), at most PREGNANCY_MAX_ORDERS times; nobody else is ever sold one.
 */
async function generateCustomers(ctx: DemoContext): Promise<void> {
  const { db, dirty } = ctx;
  const seasonal = weightedCase('ust', [
    ["'cold'", 8],
    ["'allergy'", 4],
    ["'regular'", 88],
  ]);
  const pregnancyBuyer = `(case when gender = 'female' then age between 22 and 44 and upg < ${PREGNANCY_SHARE_WOMEN}
    else age between 24 and 46 and upg < ${PREGNANCY_SHARE_PARTNERS} end)`;
  const qty = weightedCase('uq', [
    ['1', 70],
    ['2', 23],
    ['3', 7],
  ]);
  await db.run(`create or replace temp table demo_customers as
    with draws as (
      select p.pid, p.gender, p.age, p.country, u(pid, 'season') as ust, u(pid, 'acq') as ua, u(pid, 'acq_day') as uad,
        u(pid, 'one_time') as u1, u(pid, 'loyalty') as ulo, u(pid, 'cycle') as ucy, u(pid, 'qty') as uq,
        u(pid, 'primary') as upr, u(pid, 'premium') as upm, u(pid, 'mode') as umo, u(pid, 'amazon') as uam,
        u(pid, 'amz_share') as uas, u(pid, 'first_ch') as ufc, u(pid, 'account_only') as uao, u(pid, 'dup') as udup,
        u(pid, 'hour') as uh, u(pid, 'sec') as us, u(pid, 'pregnancy') as upg
      from demo_people p where pid <= ${ctx.customers}
    ), typed as (
      select *, ${seasonal} as season_type, ${qty} as qty0, ${pregnancyBuyer} as is_pregnancy_buyer,
        case when u1 < 0.28 then 1
             else least(${MAX_ORDERS_PER_PERSON}, 2 + floor(5.5 * (pow(1 - ulo, -1 / 1.5) - 1)))::INTEGER end as n_loyal
      from draws
    ), intent as (
      select *,
        case when season_type <> 'regular' then least(n_loyal, 4)
             when is_pregnancy_buyer then least(n_loyal, ${PREGNANCY_MAX_ORDERS})
             else n_loyal end as n_intent,
        case when season_type = 'cold' then 'cold' when season_type = 'allergy' then 'allergy'
             when is_pregnancy_buyer then 'pregnancy'
             when n_loyal >= 10 and upm < 0.4 then 'premium'
             else 'regular' end as primary_group
      from typed
    ), picked as (
      select i.*, a.start_day + least(a.len - 1, floor(uad * a.len))::INTEGER as acq_day, pr.product_idx as primary_idx,
        pr.price_cents as primary_price_cents, pr.preg = 1 as primary_preg,
        qty0 as qty,
        h.hour * 3600 + floor(us * 3600)::INTEGER as acq_sod
      from intent i
      join demo_acq_slots a on a.group_key = i.season_type and a.slot = ${slotOf('i.ua')}
      join demo_primary_slots pr on pr.group_key = i.primary_group and pr.slot = ${slotOf('i.upr')}
      join demo_hour_slots h on h.slot = ${slotOf('i.uh')}
    ), cycled as (
      select pk.*, pr.days_of_supply,
        -- Whole days: temp tables of integers are much cheaper for DuckDB to write than doubles.
        greatest(7, round(case when season_type <> 'regular' then 365.0
             -- Loyal customers re-buy close to when the pack runs out; others drift and skip.
             when n_intent >= 8 then pr.days_of_supply * pk.qty * (0.8 + 0.25 * ucy)
             else pr.days_of_supply * pk.qty * (0.85 + 0.9 * ucy * ucy) end))::INTEGER as cycle_days
      from picked pk join demo_products pr on pr.idx = pk.primary_idx
    ), moded as (
      -- Channel mix: over a quarter of repeat buyers also buy on Amazon, a sixth of everyone only there.
      select *, case when n_intent >= 2 and umo < 0.28 then 'both' when uam < 0.17 then 'amazon' else 'shopify' end as mode
      from cycled
    )
    select pid, season_type, primary_idx, primary_price_cents, primary_preg, qty, cycle_days, acq_day, acq_sod,
      country = 'CH' as is_swiss,
      ${ctx.startEpoch}::BIGINT + acq_day * 86400 + acq_sod as acq_t,
      mode, (20 + floor(50 * uas))::INTEGER as amazon_pct, ufc < 0.65 as first_on_shopify,
      -- A few Shopify accounts never order (account created, checkout abandoned).
      case when mode = 'shopify' and uao < 0.03 then 0
           -- The cap only bounds the rows generated; orders past as_of are dropped when dated.
           else least(n_intent, 2 + floor((${HISTORY_DAYS} - acq_day) / (0.75 * cycle_days)))::INTEGER end as n_orders,
      n_intent,
      mode <> 'amazon' and udup < ${dirty / 2} as has_duplicate
    from moded`);
}

/** How a name is spelled in an email address: Jürgen Groß → juergen, gross; Anna-Lena stays hyphenated. */
export function emailSpelling(name: string): string {
  const map: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };
  return name
    .toLowerCase()
    .replace(/[äöüß]/g, (ch) => map[ch] ?? ch)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ı/g, 'i')
    .replace(/ł/g, 'l')
    .replace(/[^a-z-]/g, '');
}

/** SQL for `email` in a different case, as people type it on another device. */
export function caseVariantSql(email: string, uExpr: string): string {
  return `(case when ${uExpr} < 0.45 then upper(left(${email}, 1)) || substr(${email}, 2)
    when ${uExpr} < 0.7 then upper(${email})
    else upper(left(${email}, 1)) || substr(split_part(${email}, '@', 1), 2) || '@' || upper(split_part(split_part(${email}, '@', 2), '.', 1)) || '.' || split_part(${email}, '.', -1) end)`;
}

/** SQL for the same Gmail mailbox written differently (dots moved, +tag): equal after normalisation. */
export function gmailVariantSql(local: string, domain: string, uExpr: string, tag: string): string {
  return `(case when ${uExpr} < 0.5 then (case when contains(${local}, '.') then replace(${local}, '.', '') else left(${local}, 3) || '.' || substr(${local}, 4) end) || '@' || ${domain}
    else ${local} || '+' || ${quoteText(tag)} || '@' || ${domain} end)`;
}

/** SQL for an email that fails validation, the way forms collect them. */
export function invalidEmailSql(local: string, domain: string, uExpr: string): string {
  return `(case when ${uExpr} < 0.3 then ${local} || '@'
    when ${uExpr} < 0.55 then 'kein-email'
    when ${uExpr} < 0.8 then ${local} || '@' || split_part(${domain}, '.', 1)
    else replace(${local}, '.', ' ') || '@' || ${domain} end)`;
}
