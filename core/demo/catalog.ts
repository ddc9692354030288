import { fileURLToPath } from 'node:url';
import type { DemoContext } from './context.ts';
import { HISTORY_DAYS } from './context.ts';
import { createSlotTable, type SlotRow } from './randomSql.ts';
import { quoteText } from '../db/duckdb.ts';

/**
 * The product catalogue (sql/seeds/products.csv and bundle_components.csv, the same seeds the models
 * read) and the weighted lookup tables derived from it: which product a customer re-buys, what else
 * lands in a basket in a given month, when customers are acquired and at which hour they order.
 *
 * Pregnancy products (category Schwangerschaft, or a bundle holding one) go only to pregnancy buyers
 * (see people.ts): their primary group is `pregnancy`, and only their baskets draw add-ons from the
 * month groups `<month>p`, which hold the pregnancy products; everyone else draws from `<month>`.
 */
const PRODUCTS_CSV = fileURLToPath(new URL('../../sql/seeds/products.csv', import.meta.url));
const BUNDLES_CSV = fileURLToPath(new URL('../../sql/seeds/bundle_components.csv', import.meta.url));
const RATES_CSV = fileURLToPath(new URL('../../sql/seeds/exchange_rates.csv', import.meta.url));

interface ProductRow {
  idx: number;
  product_id: number;
  brand: string;
  category: string;
  product_type: string;
  season: string | null;
  price_cents: number;
  /** A pregnancy product, or a bundle holding one. */
  is_pregnancy: boolean;
}

/** Month group of the basket add-ons: `<month>`, or `<month>p` for pregnancy buyers. */
function monthGroupKey(month: number, pregnancy: boolean): string {
  return pregnancy ? `${month}p` : String(month);
}

/** SQL for the month group of an order's add-ons (orders.ts), the same keys as monthGroupKey. */
export function monthGroupKeySql(month: string, pregnancy: string): string {
  return `((${month})::VARCHAR || case when ${pregnancy} then 'p' else '' end)`;
}

/** Relative demand by brand: the mass-market brand sells most units, premium goodvita fewer. */
const BRAND_WEIGHT: Record<string, number> = {
  tetesept: 1.4,
  zirkulin: 1.0,
  goodvita: 0.75,
  'rund.um': 0.8,
  SOS: 0.9,
};

/** Month factors (index 0 = January) per season tag; advent calendars sell only in Oct–Nov. */
const SEASON_FACTORS: Record<string, readonly number[]> = {
  cold: [3.5, 2.5, 0.6, 0.25, 0.25, 0.25, 0.25, 0.25, 1.5, 2.5, 3.0, 3.5],
  allergy: [0.2, 0.3, 2.5, 3.5, 3.5, 2.5, 0.8, 0.5, 0.2, 0.2, 0.2, 0.2],
  advent: [0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 6, 0],
};
const NO_SEASON = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
/** How much likelier a pregnancy product is as a basket add-on for a pregnancy buyer. */
const PREGNANCY_ADD_ON_BOOST = 4;

/** Online supplement demand over the year: New-Year resolutions, summer dip, Black Week and Advent. */
const ACQUISITION_MONTH_FACTORS = [1.25, 1.0, 1.0, 0.9, 0.85, 0.8, 0.75, 0.8, 0.95, 1.1, 1.45, 1.2];
const HOUR_WEIGHTS = [
  1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 4.5, 4.5, 5, 5, 4.5, 4.5, 4.5, 5, 5.5, 6.5, 7.5, 7, 5, 2.5,
];

export async function loadCatalog(ctx: DemoContext): Promise<void> {
  const { db } = ctx;
  await db.run(`create or replace temp table demo_products as
    select row_number() over (order by product_id)::INTEGER as idx, product_id::BIGINT as product_id, sku, asin, title,
      brand, category, form, product_type, days_of_supply::INTEGER as days_of_supply,
      round(price_eur * 100)::BIGINT as price_cents, nullif(season, '') as season,
      -- 'tetesept Schlaf Gut Kapseln 30 St.' -> 'Schlaf Gut Kapseln': how customers name a product in a ticket
      trim(regexp_replace(regexp_replace(title, '^\\S+\\s+', ''), '\\s+[0-9].*$', '')) as short_name
    from read_csv(${quoteText(PRODUCTS_CSV)}, header = true, all_varchar = false,
      types = {'product_id': 'BIGINT', 'days_of_supply': 'INTEGER', 'price_eur': 'DECIMAL(12,2)', 'season': 'VARCHAR'})`);
  // Orders carry a small currency code; 'XXX' has no rate (the models must treat it as unknown).
  await db.run(`create or replace temp table demo_rates as
    select c.code, c.currency, coalesce(r.eur_per_unit, 1.0) as eur_per_unit
    from (values (0, 'EUR'), (1, 'CHF'), (2, 'GBP'), (3, 'PLN'), (4, 'XXX')) c(code, currency)
    left join (select currency, eur_per_unit::DOUBLE as eur_per_unit
               from read_csv(${quoteText(RATES_CSV)}, header = true, types = {'eur_per_unit': 'DOUBLE'})) r using (currency)`);

  const products = (await db.queryJs(
    `select idx, product_id, brand, category, product_type, season, price_cents,
       category = 'Schwangerschaft' or product_id in (
         select b.bundle_product_id from read_csv(${quoteText(BUNDLES_CSV)}, header = true,
           types = {'bundle_product_id': 'BIGINT', 'component_product_id': 'BIGINT'}) b
         join demo_products c on c.product_id = b.component_product_id
         where c.category = 'Schwangerschaft') as is_pregnancy
     from demo_products order by idx`,
  )) as unknown as ProductRow[];
  const p = products.map((row) => ({
    ...row,
    idx: Number(row.idx),
    product_id: Number(row.product_id),
    price_cents: Number(row.price_cents),
  }));
  const demand = (row: (typeof p)[number]): number =>
    (BRAND_WEIGHT[row.brand] ?? 1) * (row.price_cents < 1000 ? 1.3 : row.price_cents > 4000 ? 0.6 : 1);
  // Price and the pregnancy flag ride along so order lines need no join back to the catalogue.
  const slot = (row: (typeof p)[number], weight: number): SlotRow => ({
    weight,
    values: {
      product_idx: row.idx,
      price_cents: row.price_cents,
      preg: row.is_pregnancy ? 1 : 0,
    },
  });
  // Re-bought on a cycle: consumables and refills (both have days of supply).
  const isRebought = (row: (typeof p)[number]): boolean =>
    row.product_type === 'consumable' || row.product_type === 'refill';
  const isRegular = (row: (typeof p)[number]): boolean =>
    isRebought(row) && row.season === null && !row.is_pregnancy;

  // Primary product = what a customer re-buys on a cycle.
  const primary = new Map<string, SlotRow[]>([
    ['pregnancy', p.filter((r) => isRebought(r) && r.is_pregnancy).map((r) => slot(r, demand(r)))],
    ['regular', p.filter(isRegular).map((r) => slot(r, demand(r)))],
    [
      'premium',
      p
        .filter((r) => isRegular(r) && (r.brand === 'goodvita' || r.category === 'Bundles'))
        .map((r) => slot(r, 1)),
    ],
    ['cold', p.filter((r) => isRebought(r) && r.season === 'cold').map((r) => slot(r, demand(r)))],
    ['allergy', p.filter((r) => isRebought(r) && r.season === 'allergy').map((r) => slot(r, demand(r)))],
  ]);
  await createSlotTable(db, 'demo_primary_slots', primary);

  // Basket add-ons by calendar month: this is where seasonality shows in the order lines. Pregnancy
  // buyers often add a second pregnancy product (iron, folic acid next to the multivitamin).
  const monthly = new Map<string, SlotRow[]>();
  for (let month = 1; month <= 12; month++) {
    const weights = p.map((r) => {
      const seasonal = (r.season && SEASON_FACTORS[r.season]) || NO_SEASON;
      const summerFirstAid =
        r.brand === 'SOS' && r.category === 'Erste Hilfe' && month >= 6 && month <= 8 ? 1.8 : 1;
      return { r, weight: demand(r) * (seasonal[month - 1] ?? 1) * summerFirstAid };
    });
    monthly.set(
      monthGroupKey(month, false),
      weights.filter(({ r }) => !r.is_pregnancy).map(({ r, weight }) => slot(r, weight)),
    );
    monthly.set(
      monthGroupKey(month, true),
      weights.map(({ r, weight }) => slot(r, weight * (r.is_pregnancy ? PREGNANCY_ADD_ON_BOOST : 1))),
    );
  }
  await createSlotTable(db, 'demo_month_slots', monthly);

  await createSlotTable(db, 'demo_acq_slots', acquisitionMonths(ctx));
  await createSlotTable(
    db,
    'demo_hour_slots',
    HOUR_WEIGHTS.map((weight, hour) => ({ weight, values: { hour } })),
  );
}

/**
 * Acquisition months over the history window: growth (new customers per month grow by ~80 % over
 * the three years) times the demand curve. Seasonal buyers are first acquired only in their season.
 */
function acquisitionMonths(ctx: DemoContext): Map<string, SlotRow[]> {
  const regular: SlotRow[] = [];
  const cold: SlotRow[] = [];
  const allergy: SlotRow[] = [];
  const start = new Date(ctx.startEpoch * 1000);
  let cursor = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1) / 1000;
  while (cursor < ctx.asOfEpoch) {
    const d = new Date(cursor * 1000);
    const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000;
    const from = Math.max(cursor, ctx.startEpoch);
    const to = Math.min(next, ctx.asOfEpoch);
    const startDay = Math.round((from - ctx.startEpoch) / 86_400);
    const len = Math.round((to - from) / 86_400);
    if (len > 0) {
      const month = d.getUTCMonth();
      const growth = 1 + 0.8 * (startDay / HISTORY_DAYS);
      const share = len / 30.4;
      const values = { start_day: startDay, len };
      regular.push({ weight: growth * share * (ACQUISITION_MONTH_FACTORS[month] ?? 1), values });
      cold.push({
        weight: growth * share * ([1, 0.6, 0, 0, 0, 0, 0, 0, 0.6, 1, 1.2, 1.2][month] ?? 0),
        values,
      });
      allergy.push({
        weight: growth * share * ([0, 0.3, 1, 1.2, 1, 0.5, 0, 0, 0, 0, 0, 0][month] ?? 0),
        values,
      });
    }
    cursor = next;
  }
  const positive = (rows: SlotRow[]): SlotRow[] => rows.filter((r) => r.weight > 0);
  return new Map([
    ['regular', positive(regular)],
    ['cold', positive(cold)],
    ['allergy', positive(allergy)],
  ]);
}
