import type { Database } from '../db/duckdb.ts';
import { readBuildInfo, type BuildInfo } from './buildInfo.ts';
import { cachedJson, publishedOids } from './instanceCache.ts';
import { OVERVIEW_TABLES, requirePublishedTables } from './publishedTables.ts';
import {
  LIFECYCLE_STAGES,
  VALUE_TIERS,
  type Overview,
  type OverviewInput,
  type OverviewKpis,
} from './schemas.ts';
import { monthCalendar, type MonthCalendar } from './monthCalendar.ts';
import { cents, forCall, num } from './sqlText.ts';

/**
 * The Overview page: a handful of aggregate queries over the published tables (dim_customers and
 * int_orders__attributed, both kept by every build). Each scans its table once; the page gets only the figures.
 */

const MONTHS = 24;
const ENGAGEMENT_BIN = 10;
/** Lifecycle stages that count as active buyers (recency within lifecycle_active_days). */
const ACTIVE_STAGES = ['new', 'active'] as const;

/** KPI counts and every per-customer distribution of dim_customers in one scan (grouping sets). */
async function customerFigures(db: Database) {
  const active = ACTIVE_STAGES.map((s) => `'${s}'`).join(', ');
  const rows = await db.queryJson(
    `select grouping(lifecycle_stage) as g_stage, grouping(customer_value_tier) as g_tier,
            grouping(recency_score, frequency_score) as g_rf, grouping(engagement_bin) as g_engagement,
            lifecycle_stage, customer_value_tier, recency_score, frequency_score, engagement_bin,
            count(*) as customers,
            count(*) filter (where total_orders >= 1) as buyers,
            count(*) filter (where is_marketable) as marketable,
            count(*) filter (where total_orders >= 1 and lifecycle_stage in (${active})) as active,
            sum(lifetime_revenue) as revenue
     from (select *, least(engagement_score // ${ENGAGEMENT_BIN}, ${100 / ENGAGEMENT_BIN - 1}) as engagement_bin
           from main.dim_customers)
     group by grouping sets ((), (lifecycle_stage), (customer_value_tier), (recency_score, frequency_score),
                             (engagement_bin))`,
  );
  const all = rows.find((r) => num(r.g_stage) && num(r.g_tier) && num(r.g_rf) && num(r.g_engagement));
  const by = (key: 'g_stage' | 'g_tier' | 'g_rf' | 'g_engagement') => rows.filter((r) => num(r[key]) === 0);
  return { all, stages: by('g_stage'), tiers: by('g_tier'), rf: by('g_rf'), engagement: by('g_engagement') };
}

async function channelFigures(db: Database): Promise<Overview['channels']> {
  // Customers are grouped by their set of channels first (a handful of combinations), so the per-channel and
  // per-pair counts read a few rows instead of unnesting a million lists.
  const rows = await db.queryJson(
    `with combos as (
       select channels, count(*) as customers from main.dim_customers where len(channels) > 0 group by channels
     ),
     singles as (
       select channel, sum(customers) as customers, sum(customers) filter (where len(channels) = 1) as only_channel
       from (select unnest(channels) as channel, channels, customers from combos) group by channel
     ),
     pairs as (
       select a, b, sum(customers) as customers
       from (select unnest(channels) as a, channels, customers from combos) as x,
            (select unnest(channels) as b, channels as channels_b from combos) as y
       where x.channels = y.channels_b and a < b
       group by a, b
     )
     select 'single' as kind, channel as a, null as b, customers, only_channel from singles
     union all
     select 'pair', a, b, customers, null from pairs`,
  );
  const totals = rows
    .filter((r) => r.kind === 'single')
    .map((r) => ({ channel: String(r.a), customers: num(r.customers), only: num(r.only_channel) }))
    .sort((x, y) => y.customers - x.customers || x.channel.localeCompare(y.channel));
  const pairCount = new Map(
    rows
      .filter((r) => r.kind === 'pair')
      .map((r) => [`${String(r.a)}\u0000${String(r.b)}`, num(r.customers)]),
  );
  const names = totals.map((t) => t.channel).sort();
  const overlaps = names.flatMap((a, i) =>
    names.slice(i + 1).map((b) => ({ a, b, customers: pairCount.get(`${a}\u0000${b}`) ?? 0 })),
  );
  return { totals, overlaps };
}

/**
 * Revenue per month, the 12-month revenue and the first-order cohorts in one statement: the valid orders of the
 * 24 months are put in their month once and feed all three. Cohort = local month of the first valid order
 * (dim_customers.first_order_at); a cohort member "ordered again" k months later when they have a valid order in
 * the k-th month after it.
 */
async function monthlyFigures(db: Database, build: BuildInfo, calendar: MonthCalendar) {
  const rows = await db.queryJson(
    `with windowed as materialized (
       select orders.customer_id, ${calendar.monthIndex('orders.ordered_at')} as month, orders.revenue_eur,
              orders.ordered_at > cast($1 as timestamp) - interval 12 month as in_last_year
       from main.int_orders__attributed as orders
       where orders.is_valid_order and orders.ordered_at >= ${calendar.firstStartSql}
         and orders.ordered_at <= cast($1 as timestamp)
     ),
     revenue as (
       select month, sum(revenue_eur) as revenue, count(*) as orders from windowed group by month
     ),
     last_year as (
       select sum(revenue_eur) as revenue, count(*) as orders from windowed where in_last_year
     ),
     cohort_buyers as (
       select customers.customer_id, ${calendar.monthIndex('customers.first_order_at')} as cohort
       from main.dim_customers as customers
       where customers.total_orders >= 1 and customers.first_order_at >= ${calendar.firstStartSql}
         and customers.first_order_at <= cast($1 as timestamp)
     ),
     sizes as (select cohort, count(*) as customers from cohort_buyers group by cohort),
     returned as (
       select cohort_buyers.cohort, windowed.month - cohort_buyers.cohort as months_since,
              count(distinct windowed.customer_id) as customers
       from windowed join cohort_buyers using (customer_id)
       where windowed.month > cohort_buyers.cohort
       group by all
     )
     select 'month' as kind, month as a, null as b, revenue, orders as n from revenue
     union all select 'last_year', null, null, revenue, orders from last_year
     union all select 'cohort', cohort, null, null, customers from sizes
     union all select 'cell', cohort, months_since, null, customers from returned`,
    [build.asOfSql],
  );
  const of = (kind: string) => rows.filter((r) => r.kind === kind);
  const revenue = new Map(of('month').map((r) => [num(r.a), r]));
  const lastYear = of('last_year')[0];
  const sizes = new Map(of('cohort').map((r) => [num(r.a), num(r.n)]));
  const cells = new Map(of('cell').map((r) => [`${num(r.a)}:${num(r.b)}`, num(r.n)]));
  const last = calendar.months.length - 1;
  const cohorts: Overview['cohorts'] = calendar.months
    .filter((m) => sizes.has(m.index))
    .map((m) => {
      const size = sizes.get(m.index) ?? 0;
      const retention = Array.from({ length: last - m.index }, (_, i) => {
        const customers = cells.get(`${m.index}:${i + 1}`) ?? 0;
        return { monthsSinceFirstOrder: i + 1, customers, share: size ? customers / size : 0 };
      });
      return { month: m.month, customers: size, retention };
    });
  return {
    revenueLast12Months: cents(lastYear?.revenue),
    ordersLast12Months: num(lastYear?.n),
    revenueByMonth: calendar.months.map((m) => ({
      month: m.month,
      revenue: cents(revenue.get(m.index)?.revenue),
      orders: num(revenue.get(m.index)?.n),
    })),
    cohorts,
  };
}

/** Every figure of the Overview page (see overviewSchema for the definitions). */
export async function overview(
  db: Database,
  _input: OverviewInput = {},
  signal?: AbortSignal,
): Promise<Overview> {
  const call = forCall(db, signal);
  await requirePublishedTables(call, OVERVIEW_TABLES, 'Overview');
  const build = await readBuildInfo(call);
  // The figures change only with a publish (or another as-of): computed once per published build (about two
  // seconds at a million customers) and kept in the instance's cache; the build info above is read every time.
  const tables = await publishedOids(call, OVERVIEW_TABLES);
  const compute = async () => {
    const calendar = await monthCalendar(call, build.asOfSql, build.shopTimeZone, MONTHS);
    return {
      customers: await customerFigures(call),
      channels: await channelFigures(call),
      orders: await monthlyFigures(call, build, calendar),
    };
  };
  const { customers, channels, orders } = tables
    ? await cachedJson(
        call,
        'overview',
        `${tables}|${build.asOf}|${build.asOfSql}|${build.shopTimeZone}`,
        compute,
      )
    : await compute();

  const all = customers.all ?? {};
  const buyers = num(all.buyers);
  const activeCustomers = num(all.active);
  const kpis: OverviewKpis = {
    customers: num(all.customers),
    buyers,
    marketable: num(all.marketable),
    revenueLast12Months: orders.revenueLast12Months,
    ordersLast12Months: orders.ordersLast12Months,
    averageOrderValue: orders.ordersLast12Months
      ? cents(orders.revenueLast12Months / orders.ordersLast12Months)
      : null,
    activeCustomers,
    activeShare: buyers ? activeCustomers / buyers : null,
  };
  const stageCount = new Map(customers.stages.map((r) => [String(r.lifecycle_stage), num(r.customers)]));
  const tierRow = new Map(customers.tiers.map((r) => [String(r.customer_value_tier), r]));
  const rfCell = new Map(customers.rf.map((r) => [`${num(r.recency_score)}:${num(r.frequency_score)}`, r]));
  const engagementCount = new Map(customers.engagement.map((r) => [num(r.engagement_bin), num(r.customers)]));
  return {
    asOf: build.asOf,
    shopTimeZone: build.shopTimeZone,
    kpis,
    lifecycle: LIFECYCLE_STAGES.map((stage) => ({ stage, customers: stageCount.get(stage) ?? 0 })),
    valueTiers: VALUE_TIERS.map((tier) => ({
      tier,
      customers: num(tierRow.get(tier)?.customers),
      revenue: cents(tierRow.get(tier)?.revenue),
    })),
    rfm: [1, 2, 3, 4, 5].flatMap((recency) =>
      [1, 2, 3, 4, 5].map((frequency) => {
        const cell = rfCell.get(`${recency}:${frequency}`);
        return { recency, frequency, customers: num(cell?.customers), revenue: cents(cell?.revenue) };
      }),
    ),
    engagement: Array.from({ length: 100 / ENGAGEMENT_BIN }, (_, bin) => ({
      from: bin * ENGAGEMENT_BIN,
      to: bin === 100 / ENGAGEMENT_BIN - 1 ? 100 : bin * ENGAGEMENT_BIN + ENGAGEMENT_BIN - 1,
      customers: engagementCount.get(bin) ?? 0,
    })),
    channels,
    revenueByMonth: orders.revenueByMonth,
    cohorts: orders.cohorts,
    freshness: { asOf: build.asOf, lastBuild: build.lastBuild, lastPublishedAt: build.lastPublishedAt },
  };
}
