import type { DemoContext } from './context.ts';
import { zendeskUserIdSql } from './identifiers.ts';
import { caseVariantSql, invalidEmailSql } from './people.ts';
import { slotOf, weightedCase } from './randomSql.ts';

/**
 * raw_zendesk.users / tickets. About 10 % of Shopify customers write to support (more often after a
 * failed, delayed or returned parcel, then mostly asking where it is), plus people who never bought. Old
 * tickets are mostly solved or closed; recent ones are still new, open or pending. Resolution times
 * are log-spread from minutes to ~10 days (median ~16 h).
 */
const HOUR = 3600;

export async function generateZendesk(ctx: DemoContext): Promise<void> {
  const { db, dirty: d } = ctx;
  const T = ctx.asOfEpoch;
  const S = ctx.startEpoch;
  const N = ctx.customers;
  const P = ctx.prospects;
  const customerSubject = weightedCase('usu', [
    ["'Wo bleibt meine Bestellung?'", 20],
    ["'Rückerstattung'", 9],
    ["'Produktfrage ' || short_name", 18],
    ["'Lieferung beschädigt'", 6],
    ["'Falscher Artikel erhalten'", 4],
    ["'Rechnung benötigt'", 8],
    ["'Lieferadresse ändern'", 6],
    ["'Gutscheincode funktioniert nicht'", 7],
    ["'Bestellung stornieren'", 6],
    ["'Retoure anmelden'", 6],
    ["'Frage zur Einnahme von ' || short_name", 5],
    ["'Newsletter abbestellen'", 3],
    ["'Kundenkonto löschen'", 2],
  ]);
  const otherSubject = weightedCase('usu', [
    ["'Produktfrage ' || short_name", 40],
    ["'Inhaltsstoffe und Allergene'", 20],
    ["'Wo kann ich Ihre Produkte kaufen?'", 15],
    ["'Frage zur Einnahme in der Schwangerschaft'", 10],
    ["'Kooperationsanfrage'", 5],
    ["'Gewinnspiel'", 10],
  ]);
  const statusFresh = weightedCase('ust', [
    ["'new'", 30],
    ["'open'", 35],
    ["'pending'", 20],
    ["'solved'", 15],
  ]);
  const statusWeek = weightedCase('ust', [
    ["'open'", 12],
    ["'pending'", 13],
    ["'hold'", 5],
    ["'solved'", 60],
    ["'closed'", 10],
  ]);
  const statusOld = weightedCase('ust', [
    ["'open'", 1.5],
    ["'hold'", 1],
    ["'pending'", 0.5],
    ["'solved'", 7],
    ["'closed'", 90],
  ]);
  const priority = weightedCase('upr', [
    ["'low'", 15],
    ["'normal'", 68],
    ["'high'", 13],
    ["'urgent'", 4],
  ]);
  const channel = weightedCase('uch', [
    ["'email'", 48],
    ["'web'", 27],
    ["'chat'", 15],
    ["'phone'", 10],
  ]);
  const rating = weightedCase('ura', [
    ["'good'", 42],
    ["'bad'", 5],
    ["'offered'", 30],
    ["'unoffered'", 23],
  ]);

  await db.run(`create or replace temp table demo_tickets as
    with problems as (
      select pid, min(coalesce(fail_t, delay_t)) as problem_t from demo_shipments
      where outcome <> 'delivered' and coalesce(fail_t, delay_t) < ${T} group by pid
    ), users as (
      select p.pid, p.pid <= ${N} as is_customer, c.acq_t, c.primary_idx, pb.problem_t, u(p.pid, 'zd_n') as un
      from demo_people p left join demo_customers c using (pid) left join problems pb using (pid)
      where (p.pid <= ${N} and c.mode <> 'amazon'
              and u(p.pid, 'zd_has') < 0.07 + case when pb.problem_t is not null then 0.15 else 0 end)
         or p.pid > ${N + P}
         or (p.pid between ${N + 1} and ${N + P} and u(p.pid, 'zd_prospect') < 0.02)
    ), tickets as (
      select *, unnest(range(case when un < 0.72 then 1 when un < 0.91 then 2 when un < 0.97 then 3 else 4 + floor(un * 100)::INTEGER % 3 end)) as j
      from users
    ), drawn as (
      select t.*, u2(pid, j, 'zd_t') as ut, u2(pid, j, 'zd_subject') as usu, u2(pid, j, 'zd_status') as ust,
        u2(pid, j, 'zd_priority') as upr, u2(pid, j, 'zd_channel') as uch, u2(pid, j, 'zd_rating') as ura,
        u2(pid, j, 'zd_resolution') as urs, u2(pid, j, 'zd_update') as uup, u2(pid, j, 'zd_product') as upd
      from tickets t
    ), placed as (
      select d.*, coalesce(p1.short_name, p2.short_name) as short_name,
        j = 0 and problem_t is not null and u(pid, 'zd_wismo') < 0.7 as about_problem,
        case when j = 0 and problem_t is not null then least(${T - 600}, problem_t + 2 * ${HOUR} + floor(ut * 30 * ${HOUR})::BIGINT)
             when is_customer then acq_t + floor(pow(ut, 0.8) * (${T - 600} - acq_t))::BIGINT
             else ${S}::BIGINT + floor(ut * ${T - S - 600})::BIGINT end as t
      from drawn d
      left join demo_products p1 on p1.idx = d.primary_idx
      left join demo_primary_slots ps on ps.group_key = 'regular' and ps.slot = ${slotOf('d.upd')}
      left join demo_products p2 on p2.idx = ps.product_idx
    ), classified as (
      select *,
        case when about_problem then 'Wo bleibt meine Bestellung?'
             when is_customer then ${customerSubject} else ${otherSubject} end as subject,
        case when ${T} - t < 2 * 86400 then ${statusFresh} when ${T} - t < 7 * 86400 then ${statusWeek} else ${statusOld} end as status0,
        (0.25 + pow(10, urs * 2.4)) * ${HOUR} as resolution_s
      from placed
    ), solved as (
      select *,
        case when status0 in ('solved', 'closed') then t + floor(least(resolution_s, (${T} - t) * 0.9))::BIGINT end as solved_t
      from classified
    )
    select *,
      -- Zendesk closes solved tickets after four days; younger ones stay solved.
      case when status0 = 'closed' and solved_t + 4 * 86400 >= ${T} then 'solved' else status0 end as status
    from solved`);

  await db.run(`insert into ${ctx.raw('zendesk', 'users')} by name
    with firsts as (select pid, min(t) as first_t from demo_tickets group by pid)
    select ${zendeskUserIdSql('f.pid')} as id,
      case when ue < ${d} then null
           when ue < ${1.25 * d} then ${invalidEmailSql('p.email_local', 'p.domain', 'uk')}
           when ue < ${2.25 * d} then ${caseVariantSql('p.email', 'uk')}
           else p.email end as email,
      case when uk < 0.1 then p.first_name else p.first_name || ' ' || p.last_name end as name,
      ts(f.first_t - 300 - case when uk > 0.8 then floor((uk - 0.8) * 5 * 30 * 86400)::BIGINT else 0 end) as created_at
    from (select *, u(pid, 'zd_email') as ue, u(pid, 'zd_email_kind') as uk from firsts) f join demo_people p using (pid)`);

  await db.run(`insert into ${ctx.raw('zendesk', 'tickets')} by name
    select 10000 + row_number() over (order by t, pid, j) as id, ${zendeskUserIdSql('pid')} as requester_id, status,
      case when subject in ('Wo bleibt meine Bestellung?', 'Lieferung beschädigt') and upr > 0.7 then 'high' else ${priority} end as priority,
      ${channel} as channel, subject, ts(t) as created_at,
      ts(case when status = 'closed' then least(${T - 1}, solved_t + 4 * 86400 + floor(uup * 86400)::BIGINT)
              when status = 'solved' then least(${T - 1}, solved_t + floor(uup * 2 * ${HOUR})::BIGINT)
              else t + floor(uup * (${T} - t))::BIGINT end) as updated_at,
      case when status in ('solved', 'closed') then ts(solved_t) end as solved_at,
      case when status not in ('solved', 'closed') then 'unoffered'
           when resolution_s > 72 * ${HOUR} and ura < 0.1 then 'bad'
           else ${rating} end as satisfaction_rating
    from demo_tickets`);
}
