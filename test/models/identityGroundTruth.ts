import type { Database } from '../../core/db/duckdb.ts';

/**
 * Identity quality of a built demo shop against the generator's ground truth. Every source record of
 * `int_customer__identity_resolved` is traced back to the person (`pid`) the generator made it for by
 * inverting the id formulas of `core/demo/identifiers.ts`:
 *   Shopify customer 7700000000000 + pid*10 + dup · Shopify order 5600000000000 + pid*128 + k ·
 *   Amazon relay md5('relay:<seed>:' || pid) · Klaviyo profile md5('klaviyo:<seed>:' || pid) ·
 *   Zendesk user 381000000000 + pid*10 · OTTO buyer (keyed by email): the UUID of one of its orders,
 *   md5('otto:<seed>:' || okey) with okey = pid*128 + k (core/demo/otto.ts).
 * A pair of records is "merged" when both sit in one customer row and "true" when both belong to one
 * person; precision = true merged pairs / merged pairs, recall = true merged pairs / true pairs. A split
 * person has records in two or more customer rows.
 *
 * `sharedIdentifierOnly` leaves out the records that carry no identifier another source could share, read
 * from the staging models (not from the identity model under test): Zendesk users, Klaviyo profiles and
 * guest orders without a valid email, and Shopify accounts without one whose orders carry none either.
 * Nothing but a name links such a record to its person.
 */
export interface IdentityQuality {
  records: number;
  /** Records whose person could not be traced (must be 0: every record comes from the generator). */
  untraced: number;
  people: number;
  mergedPairs: number;
  truePairs: number;
  trueMergedPairs: number;
  precision: number;
  recall: number;
  splitPeople: number;
  splitShare: number;
  /** Customer rows that hold records of two or more people. */
  wrongMergedCustomers: number;
}

export interface MeasureOptions {
  sharedIdentifierOnly?: boolean;
}

const RECORDS_WITHOUT_SHARED_IDENTIFIER = `
  select 'zendesk_user' as source, cast(zendesk_user_id as varchar) as source_record_id
  from stg_zendesk__users where identity_email is null
  union all
  select 'klaviyo_profile', klaviyo_profile_id from stg_klaviyo__profiles where identity_email is null
  union all
  select 'shopify_order', order_id from stg_shopify__orders where identity_email is null
  union all
  select 'shopify_customer', cast(shopify_customer_id as varchar)
  from stg_shopify__customers
  where identity_email is null and shopify_customer_id not in (
    select shopify_customer_id from stg_shopify__orders
    where identity_email is not null and shopify_customer_id is not null)`;

export function identityRecordsSql(seed: number, people: number, options: MeasureOptions = {}): string {
  const pid = (offset: string, divisor: number): string =>
    `(cast(source_record_id as bigint) - ${offset}) // ${divisor}`;
  return `
    with records as (
      select customer_id, source, source_record_id
      from int_customer__identity_resolved
      ${
        options.sharedIdentifierOnly
          ? `where (source, source_record_id) not in (${RECORDS_WITHOUT_SHARED_IDENTIFIER})`
          : ''
      }
    ),
    person_keys as (
      select
        pid,
        substr(md5('relay:${seed}:' || cast(pid as varchar)), 1, 15) as relay_local,
        '01' || upper(substr(md5('klaviyo:${seed}:' || cast(pid as varchar)), 1, 24)) as klaviyo_id
      from range(1, ${people + 1}) as r(pid)
    ),
    amazon as (
      select customer_id, source, source_record_id, split_part(source_record_id, '@', 1) as relay_local
      from records where source = 'amazon_buyer'
    ),
    klaviyo as (
      select * from records where source = 'klaviyo_profile'
    ),
    -- an OTTO buyer record is a normalised email; its orders' ids end in the order key (core/demo/otto.ts)
    otto as (
      select records.customer_id, records.source, records.source_record_id,
        min(cast('0x' || right(orders.order_id, 12) as bigint) // 128) as pid
      from records
      join stg_otto__orders as orders on orders.identity_email = records.source_record_id
      where records.source = 'otto_buyer'
      group by all
    )
    select customer_id, source, source_record_id, ${pid('7700000000000', 10)} as pid
    from records where source = 'shopify_customer'
    union all
    select customer_id, source, source_record_id, ${pid('5600000000000', 128)} as pid
    from records where source = 'shopify_order'
    union all
    select customer_id, source, source_record_id, ${pid('381000000000', 10)} as pid
    from records where source = 'zendesk_user'
    union all
    select amazon.customer_id, amazon.source, amazon.source_record_id, person_keys.pid
    from amazon left join person_keys on amazon.relay_local = person_keys.relay_local
    union all
    select klaviyo.customer_id, klaviyo.source, klaviyo.source_record_id, person_keys.pid
    from klaviyo left join person_keys on klaviyo.source_record_id = person_keys.klaviyo_id
    union all
    select customer_id, source, source_record_id, pid from otto
    union all
    select customer_id, source, source_record_id, cast(null as bigint) as pid
    from records
    where source not in (
      'shopify_customer', 'shopify_order', 'zendesk_user', 'amazon_buyer', 'klaviyo_profile', 'otto_buyer'
    )`;
}

export async function measureIdentity(
  db: Database,
  seed: number,
  people: number,
  options: MeasureOptions = {},
): Promise<IdentityQuality> {
  // Traced once into a table: the figures below read it several times.
  await db.run(
    `create or replace temp table identity_traced as ${identityRecordsSql(seed, people, options)}`,
  );
  const [row] = await db.queryJs(`
    with cells as (select customer_id, pid, count(*) as n from identity_traced where pid is not null group by all),
    by_customer as (select customer_id, sum(n) as n, count(*) as persons from cells group by customer_id),
    by_person as (select pid, sum(n) as n, count(*) as customers from cells group by pid)
    select
      (select count(*) from identity_traced) as records,
      (select count(*) from identity_traced where pid is null) as untraced,
      (select count(*) from by_person) as people,
      (select sum(n * (n - 1) // 2) from by_customer) as merged_pairs,
      (select sum(n * (n - 1) // 2) from by_person) as true_pairs,
      (select sum(n * (n - 1) // 2) from cells) as true_merged_pairs,
      (select count(*) from by_person where customers > 1) as split_people,
      (select count(*) from by_customer where persons > 1) as wrong_merged_customers`);
  await db.run('drop table identity_traced');
  const n = (key: string): number => Number(row?.[key] ?? Number.NaN);
  return {
    records: n('records'),
    untraced: n('untraced'),
    people: n('people'),
    mergedPairs: n('merged_pairs'),
    truePairs: n('true_pairs'),
    trueMergedPairs: n('true_merged_pairs'),
    precision: n('true_merged_pairs') / n('merged_pairs'),
    recall: n('true_merged_pairs') / n('true_pairs'),
    splitPeople: n('split_people'),
    splitShare: n('split_people') / n('people'),
    wrongMergedCustomers: n('wrong_merged_customers'),
  };
}
