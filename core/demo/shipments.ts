import type { DemoContext } from './context.ts';
import { amazonOrderIdSql, shopifyOrderIdSql } from './identifiers.ts';
import { ottoOrderIdSql } from './otto.ts';
import { weightedCase } from './randomSql.ts';
import { quoteText } from '../db/duckdb.ts';

/**
 * raw_shipments.shipments / shipment_events: one parcel per non-cancelled order, with carrier-shaped
 * tracking numbers and a tracking history that is consistent with the shipment row (status = latest
 * event before as_of; delivered_at only when the delivered event has happened). Parcels handed over in
 * the last days before as_of are still in transit.
 *
 * Each carrier has its own delivery time and problem rates (CARRIERS). The figures are plausible for
 * domestic German parcels, not measured statistics: DHL delivers most parcels the next day, DPD and GLS a
 * little later, Hermes typically in two to three days and with the most failed and late deliveries, in line
 * with the public picture of the German parcel market (carrier "E+1" promises, Bundesnetzagentur complaint
 * counts). Outcomes: delivered; delayed then delivered; failed; failed then returned to sender.
 */
const HOUR = 3600;

interface CarrierProfile {
  name: string;
  /** Share of parcels, %. */
  share: number;
  /** Handover → delivery: base + u² × spread hours (u uniform), so most parcels arrive early in the range. */
  baseHours: number;
  spreadHours: number;
  /** Outcome rates, % of parcels; the rest is delivered on time. */
  failed: number;
  delayed: number;
  returned: number;
}

// Mean handover → delivery = base + spread / 3: DHL ≈ 1.4 d, DPD ≈ 1.6 d, GLS ≈ 1.8 d, Hermes ≈ 2.3 d
// (+ half a day to AT/CH). Problems (failed + delayed + returned): DHL 4.2 %, DPD 5.5 %, GLS 7.2 %, Hermes 9 %.
export const CARRIERS: readonly CarrierProfile[] = [
  { name: 'DHL', share: 65, baseHours: 18, spreadHours: 48, failed: 1.0, delayed: 2.5, returned: 0.7 },
  { name: 'DPD', share: 25, baseHours: 20, spreadHours: 54, failed: 1.5, delayed: 3.0, returned: 1.0 },
  { name: 'Hermes', share: 6, baseHours: 30, spreadHours: 72, failed: 2.5, delayed: 5.0, returned: 1.5 },
  { name: 'GLS', share: 4, baseHours: 24, spreadHours: 60, failed: 2.0, delayed: 4.0, returned: 1.2 },
];

/** A CASE over the parcel's carrier, one branch per carrier profile. */
function byCarrier(expr: (c: CarrierProfile) => string): string {
  return `(case carrier ${CARRIERS.map((c) => `when ${quoteText(c.name)} then ${expr(c)}`).join(' ')} end)`;
}

export async function generateShipments(ctx: DemoContext): Promise<void> {
  const { db, dirty: d } = ctx;
  const T = ctx.asOfEpoch;
  const carrier = weightedCase(
    'uca',
    CARRIERS.map((c) => [quoteText(c.name), c.share]),
  );
  const outcome = byCarrier((c) =>
    weightedCase('uout', [
      ["'failed'", c.failed],
      ["'delayed'", c.delayed],
      ["'returned'", c.returned],
      ["'delivered'", 100 - c.failed - c.delayed - c.returned],
    ]),
  );
  const deliveryHours = byCarrier(
    (c) => `${c.baseHours * HOUR} + floor(ude * ude * ${c.spreadHours * HOUR})::BIGINT`,
  );
  // Each format is a bijection of the order key, so numbers are unique within a carrier and the
  // formats differ in length or prefix, so they never collide across carriers either.
  const digits = (n: number, salt: number): string =>
    `lpad(scramble(okey, ${n}, ${ctx.offset(salt)})::VARCHAR, ${n}, '0')`;
  await db.run(`create or replace temp table demo_shipments as
    with s as (
      select o.okey, o.pid, o.channel, o.label_t, o.shipped_t, p.country <> 'DE' as abroad,
        u(okey, 'carrier') as uca, u(okey, 'outcome') as uout, u(okey, 'dhl_format') as udf,
        u(okey, 'transit') as utr, u(okey, 'deliver') as ude, u(okey, 'problem') as upr, u(okey, 'return') as ure
      from demo_orders o join demo_people p using (pid)
      where not o.is_cancelled and o.label_t < ${T}
    ), carried as (
      select *, ${carrier} as carrier from s
    ), c as (
      select *, ${outcome} as outcome,
        shipped_t + 4 * ${HOUR} + floor(utr * 12 * ${HOUR})::BIGINT as transit_t
      from carried
    ), timed as (
      select *,
        case when outcome = 'delayed' then transit_t + 20 * ${HOUR} + floor(upr * 20 * ${HOUR})::BIGINT end as delay_t,
        case when outcome in ('failed', 'returned') then transit_t + 10 * ${HOUR} + floor(upr * 30 * ${HOUR})::BIGINT end as fail_t
      from c
    )
    select okey, pid, channel, carrier, outcome, label_t, shipped_t, transit_t, delay_t, fail_t,
      -- Delivered after the carrier's delivery time (half a day more to AT/CH; every base is later than the
      -- in-transit scan); delayed parcels take longer.
      case when outcome = 'delayed' then delay_t + 24 * ${HOUR} + floor(ude * 72 * ${HOUR})::BIGINT
           when outcome = 'delivered' then shipped_t + ${deliveryHours}
             + case when abroad then 12 * ${HOUR} else 0 end end as deliver_t,
      case when outcome = 'returned' then fail_t + 3 * 86400 + floor(ure * 4 * 86400)::BIGINT end as return_t,
      case carrier
        when 'DHL' then case when udf < 0.8 then '00340434' || ${digits(12, 12)} else ${digits(12, 13)} end
        when 'DPD' then '0150' || ${digits(10, 14)}
        when 'Hermes' then 'H10' || ${digits(17, 15)}
        else ${digits(11, 16)} end as tracking_number
    from timed`);

  await db.run(`insert into ${ctx.raw('shipments', 'shipments')} by name
    select 'SHP' || ${digits(10, 11)} as shipment_id,
      case when channel = 'shopify' then ${shopifyOrderIdSql('okey')}::VARCHAR when channel = 'otto' then ${ottoOrderIdSql(ctx, 'okey')}
           else ${amazonOrderIdSql(ctx, 'okey')} end as order_id,
      channel, carrier, tracking_number, ts(label_t) as created_at,
      case when shipped_t < ${T} then ts(shipped_t) end as shipped_at,
      case when deliver_t < ${T} then ts(deliver_t) end as delivered_at,
      case when return_t < ${T} then 'returned'
           when deliver_t < ${T} then 'delivered'
           when fail_t < ${T} then 'failed'
           when delay_t < ${T} then 'delayed'
           when transit_t < ${T} then 'in_transit'
           when shipped_t < ${T} then 'shipped'
           else 'label_created' end as status
    from demo_shipments`);

  const detail = (type: string): string =>
    ({
      shipped: `'Die Sendung wurde von ' || carrier || ' übernommen.'`,
      in_transit: `'Die Sendung wird zum Zielpaketzentrum transportiert.'`,
      delayed: `'Die Zustellung verzögert sich. Neuer Zustelltermin folgt.'`,
      delivered: `case when u(okey, 'deliver') < 0.15 then 'Die Sendung wurde beim Nachbarn zugestellt.' when u(okey, 'deliver') < 0.25 then 'Die Sendung wurde in der Packstation/Paketshop hinterlegt.' else 'Die Sendung wurde erfolgreich zugestellt.' end`,
      failed: `case when u(okey, 'problem') < 0.6 then 'Zustellung nicht möglich: Empfänger nicht angetroffen.' else 'Zustellung nicht möglich: Adresse unvollständig.' end`,
      returned: `'Die Sendung wird an den Absender zurückgeschickt.'`,
    })[type] ?? 'null';
  const events = [
    ['shipped', 'shipped_t'],
    ['in_transit', 'transit_t'],
    ['delayed', 'delay_t'],
    ['delivered', 'deliver_t'],
    ['failed', 'fail_t'],
    ['returned', 'return_t'],
  ] as const;
  const selects = events.map(
    ([type, col]) =>
      `select tracking_number, '${type}' as event_type, ts(${col}) as event_at, ${detail(type)} as detail from demo_shipments where ${col} < ${T}`,
  );
  await db.run(`insert into ${ctx.raw('shipments', 'shipment_events')} by name
    ${selects.join('\nunion all\n')}`);
  // Dirty: the carrier feed re-delivers some events (exact duplicate rows).
  if (d > 0) {
    await db.run(`insert into ${ctx.raw('shipments', 'shipment_events')}
      select * from ${ctx.raw('shipments', 'shipment_events')}
      where u(hash(tracking_number) >> 1, 'dup_event:' || event_type) < ${d / 10}`);
  }
}
