import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_SEED } from '../../core/demo/options.ts';
import { duckdbDialect } from '../../core/models/index.ts';
import { buildGeneratedShop, GENERATED_SHOP_TIMEOUT_MS, type GeneratedShop } from './generatedShopSetup.ts';
import { measureIdentity, type IdentityQuality } from './identityGroundTruth.ts';

/**
 * Identity resolution measured against the generator's ground truth on a 20k shop with the default dirty
 * share (sql/DEFINITIONS.md, Identity). The figures are printed so a change in quality shows in the log.
 */
const CUSTOMERS = 20_000;
const AS_OF = '2026-11-30';
/** Person ids run to customers + prospects (19 %) + support-only contacts (1.2 %); a bound is enough. */
const PEOPLE_BOUND = Math.ceil(CUSTOMERS * 1.25);

let shop: GeneratedShop | undefined;
let all: IdentityQuality;
let withSharedIdentifier: IdentityQuality;

const percent = (share: number): string => `${(share * 100).toFixed(3)} %`;

beforeAll(async () => {
  shop = await buildGeneratedShop({ customers: CUSTOMERS, seed: DEFAULT_DEMO_SEED, asOf: AS_OF });
  all = await measureIdentity(shop.db, DEFAULT_DEMO_SEED, PEOPLE_BOUND);
  withSharedIdentifier = await measureIdentity(shop.db, DEFAULT_DEMO_SEED, PEOPLE_BOUND, {
    sharedIdentifierOnly: true,
  });
  for (const [label, q] of [
    ['all records', all],
    ['records with a shared identifier', withSharedIdentifier],
  ] as const) {
    console.info(
      `identity (${label}): precision ${percent(q.precision)}, recall ${percent(q.recall)}, ` +
        `split people ${q.splitPeople} of ${q.people} (${percent(q.splitShare)}), ` +
        `customers holding two people ${q.wrongMergedCustomers}`,
    );
  }
}, GENERATED_SHOP_TIMEOUT_MS);

afterAll(async () => {
  await shop?.close();
});

describe('identity resolution on a generated shop', () => {
  it('traces every identity record back to the person the generator made it for', () => {
    expect(shop?.build.models.filter((m) => m.status !== 'success')).toEqual([]);
    expect(all.records).toBeGreaterThan(CUSTOMERS);
    expect(all.untraced).toBe(0);
  });

  it('merges almost only records of one person (pairwise precision ≥ 99.95 %)', () => {
    expect(all.precision).toBeGreaterThanOrEqual(0.9995);
  });

  it('keeps records that share an identifier with another source together (recall ≥ 99.5 %, split ≤ 0.2 %)', () => {
    expect(withSharedIdentifier.recall).toBeGreaterThanOrEqual(0.995);
    expect(withSharedIdentifier.splitShare).toBeLessThanOrEqual(0.002);
  });

  it('splits few people over all records, incl. Zendesk users without any email (recall ≥ 99.3 %, split ≤ 0.4 %)', () => {
    expect(all.recall).toBeGreaterThanOrEqual(0.993);
    expect(all.splitShare).toBeLessThanOrEqual(0.004);
  });

  it('never gives a customer several relay addresses through the name + postal code rule', async () => {
    const [row] = await shop!.db.queryJs(`
      select count(*)::integer as n from (
        select customer_id from int_customer__identity_resolved
        where match_method = 'amazon_name_postal_code'
        group by customer_id having count(*) > 1)`);
    expect(row?.n).toBe(0);
  });

  it('joins accountless Shopify accounts to the person of their checkout email', async () => {
    const [row] = await shop!.db.queryJs(`
      select
        count_if(match_method = 'checkout_email')::integer as joined,
        count_if(match_method = 'shopify_customer_id' and source_record_id in (
          select cast(shopify_customer_id as varchar) from stg_shopify__orders where identity_email is not null
        ))::integer as left_out
      from int_customer__identity_resolved where source = 'shopify_customer'`);
    expect(Number(row?.joined)).toBeGreaterThan(200);
    // only accounts whose orders disagree on the checkout email stay apart; the generator makes none
    expect(row?.left_out).toBe(0);
  });

  it('compares names after transliteration, but emails only lower-cased', async () => {
    const key = (name: string): string => duckdbDialect.name_key(`'${name}'`);
    const [row] = await shop!.db.queryJs(`
      select
        ${key('Yılmaz')} = ${key('YILMAZ')} and ${key('YILMAZ')} = ${key('yilmaz')} as dotless_i,
        ${key('Jürgen  Groß')} = ${key('JÜRGEN GROSS')} and ${key('Jürgen Groß')} = ${key('Juergen Gross')} as german,
        ${key(' Zoë Léa Nuñez ')} = ${key('zoe lea nunez')} as accents,
        ${key('Łukasz Møller')} = ${key('lukasz moller')} as letters,
        ${key('Müller')} <> ${key('Muller')} as umlaut_spelled_out`);
    expect(row).toEqual({
      dotless_i: true,
      german: true,
      accents: true,
      letters: true,
      umlaut_spelled_out: true,
    });
    const [email] = await shop!.db.queryJs(`
      select count(*)::integer as n from stg_shopify__customers where email <> lower(email)`);
    expect(email?.n).toBe(0);
  });
});
