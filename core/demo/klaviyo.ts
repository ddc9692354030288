import type { DemoContext } from './context.ts';
import { EMAIL_WINDOW_DAYS } from './context.ts';
import { klaviyoProfileIdSql } from './identifiers.ts';
import { caseVariantSql, gmailVariantSql } from './people.ts';
import { weightedCase } from './randomSql.ts';
import { CONSENT_DRAW } from './shopify.ts';
import { quoteText } from '../db/duckdb.ts';

/**
 * raw_klaviyo.profiles / events / lists / list_memberships. Profiles: ~85 % of Shopify customers (same
 * email) plus prospects who never buy (~20 % of profiles). Events cover only the last 180 days, a few
 * emails per recipient, with the usual funnel: ~35 % of received emails opened (about 40 % of those
 * are Apple-style machine opens), ~3 % clicked, rare bounces, unsubscribes and spam complaints.
 */
const FLOWS = ['Welcome Series', 'Winback', 'Replenishment', 'Post-Purchase', 'Browse Abandonment'] as const;

/** Klaviyo's 6-character ids, derived from the seed so two demo shops do not share list ids. */
function shortId(seed: number, salt: number): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  let x = (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(salt, 0x165667b1)) >>> 0;
  let id = '';
  for (let i = 0; i < 6; i++) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x297a2d39) >>> 0;
    id += alphabet[x % alphabet.length];
  }
  return id;
}

export const KLAVIYO_LISTS = [
  'Newsletter',
  'VIP Customers',
  'Winback Candidates',
  'Schwangerschaft & Baby',
  'Schlaf Routine',
  'Gewinnspiel Sommer',
] as const;

export async function generateKlaviyo(ctx: DemoContext): Promise<void> {
  await generateProfiles(ctx);
  await generateEvents(ctx);
  await generateLists(ctx);
}

async function generateProfiles(ctx: DemoContext): Promise<void> {
  const { db, dirty: d } = ctx;
  const T = ctx.asOfEpoch;
  const S = ctx.startEpoch;
  const source = weightedCase('usrc', [
    ["'checkout'", 45],
    ["'newsletter_popup'", 35],
    ["'account'", 10],
    ["'gewinnspiel'", 5],
    ["'landing_page'", 5],
  ]);
  const prospectSource = weightedCase('usrc', [
    ["'newsletter_popup'", 60],
    ["'gewinnspiel'", 20],
    ["'landing_page'", 15],
    ["'instagram_lead_ad'", 5],
  ]);
  // Only what events and lists need is kept; the profile rows re-read the person and redo the draws.
  await db.run(`create or replace temp table demo_profiles as
    with members as (
      select p.pid, p.pid <= ${ctx.customers} as is_customer, p.gender, c.acq_t, pr.category as primary_category,
        s.has_pregnancy, s.orders, s.last_t,
        u(p.pid, 'kl_source') as usrc, u(p.pid, 'kl_created') as ucr, ${CONSENT_DRAW.replace('pid', 'p.pid')} as ucs,
        u(p.pid, 'kl_props') as upr, u(p.pid, 'kl_supp') as usu, u(p.pid, 'kl_unsub') as uun
      from demo_people p left join demo_customers c using (pid) left join demo_person_stats s using (pid)
        left join demo_products pr on pr.idx = c.primary_idx
      where (p.pid <= ${ctx.customers} and c.mode <> 'amazon' and u(p.pid, 'kl_has') < 0.85)
         or p.pid between ${ctx.customers + 1} and ${ctx.customers + ctx.prospects}
    ), sourced as (
      select *, case when is_customer then ${source} else ${prospectSource} end as src from members
    ), timed as (
      select *,
        least(${T - 600}, case when not is_customer then ${S}::BIGINT + floor(pow(ucr, 0.7) * ${T - S - 3600})::BIGINT
             when src = 'checkout' then acq_t + 60
             when src = 'newsletter_popup' then greatest(${S}, acq_t - floor(ucr * 45 * 86400)::BIGINT)
             else acq_t + floor(ucr * greatest(0, ${T} - acq_t - 3600))::BIGINT end) as created_t,
        case when not is_customer then case when ucs < 0.85 then 'SUBSCRIBED' when ucs < 0.95 then 'UNSUBSCRIBED' else 'NEVER_SUBSCRIBED' end
             when ucs < 0.72 then 'SUBSCRIBED' when ucs < 0.86 then 'UNSUBSCRIBED' else 'NEVER_SUBSCRIBED' end as consent
      from sourced
    )
    select pid, is_customer, src, created_t, consent, orders, last_t, primary_category, ${klaviyoProfileIdSql(ctx, 'pid')} as id,
      case when usu < 0.008 then 'HARD_BOUNCE' when usu < 0.010 then 'SPAM_COMPLAINT'
           when consent = 'UNSUBSCRIBED' and usu > 0.8 then 'USER_SUPPRESSED' end as suppression,
      created_t + floor(uun * (${T} - 60 - created_t))::BIGINT as unsub_t,
      gender = 'female' and coalesce(has_pregnancy, false) and upr < 0.4 as pregnancy_opt_in
    from timed`);

  await db.run(`insert into ${ctx.raw('klaviyo', 'profiles')} by name
    with x as (
      select k.*, p.email, p.email_local, p.domain, p.first_name, p.last_name, p.gender, p.birth_date,
        u(pid, 'kl_props') as upr, u(pid, 'kl_email') as uem, u(pid, 'kl_supp') as usu, u(pid, 'kl_count') as ucn
      from demo_profiles k join demo_people p using (pid)
    )
    select id,
      case when uem < ${d} then ${caseVariantSql('email', 'upr')}
           when domain in ('gmail.com', 'googlemail.com') and uem < ${2 * d} then ${gmailVariantSql('email_local', 'domain', 'upr', 'newsletter')}
           else email end as email,
      case when src in ('newsletter_popup', 'gewinnspiel', 'instagram_lead_ad') and upr < 0.4 then null else first_name end as first_name,
      case when src in ('newsletter_popup', 'gewinnspiel', 'instagram_lead_ad') and upr < 0.55 then null else last_name end as last_name,
      ts(created_t) as created, ts(least(${T - 1}, created_t + floor(uem * (${T} - created_t))::BIGINT)) as updated,
      '{' || concat_ws(', ',
        case when upr < 0.68 then '"gender": "' || gender || '"' end,
        case when usu between 0.2 and 0.6 then '"birthday": "' || strftime(birth_date, '%Y-%m-%d') || '"' end,
        case when pregnancy_opt_in then '"pregnancy_opt_in": true' end,
        '"source": "' || src || '"',
        case when ucn < 0.3 then '"favorite_category": "' || primary_category || '"' end
      ) || '}' as properties,
      consent as email_consent, suppression as suppression_reason
    from x`);
  // Dirty: re-landed copies of profiles (same id) with a later update.
  if (d > 0) {
    await db.run(`insert into ${ctx.raw('klaviyo', 'profiles')}
      select * replace (timestamp '${ctx.asOf}' - interval 1 second as updated)
      from ${ctx.raw('klaviyo', 'profiles')} where u(hash(id) >> 1, 'kl_relanded') < ${d / 10}`);
  }
}

async function generateEvents(ctx: DemoContext): Promise<void> {
  const { db, dirty: d } = ctx;
  const T = ctx.asOfEpoch;
  const W = T - EMAIL_WINDOW_DAYS * 86_400;
  const campaignEvery = 3.5 * 86_400;
  const flowIds = FLOWS.map((_, i) => quoteText(shortId(ctx.seed, 100 + i)));
  const eventId = (kind: number): string =>
    `lpad(to_hex(scramble((pid::BIGINT * 32 + i) * 8 + ${kind}, 12, ${ctx.offset(22)})), 10, '0')`;
  // Two campaigns a week (sent at 9:00 + a few minutes), the rest are triggered flow emails.
  // Engagement: most people open some mails, a few open everything; Apple Mail users' opens are
  // mostly machine opens (Mail Privacy Protection).
  await db.run(`insert into ${ctx.raw('klaviyo', 'events')} by name
    with recipients as (
      select pid, id as profile_id, suppression, 0.8 * pow(u(pid, 'kl_engage'), 1.3) as p_open,
        u(pid, 'kl_apple') < 0.4 as apple_mail,
        greatest(${W}, created_t + 3600) as from_t,
        case when consent = 'UNSUBSCRIBED' then unsub_t else ${T} end as to_t,
        2 + floor(u(pid, 'kl_count') * 6)::INTEGER as n
      from demo_profiles
      where consent in ('SUBSCRIBED', 'UNSUBSCRIBED')
    ), received as materialized (
      select pid, profile_id, i, is_campaign,
        case when is_campaign then 'C' || upper(lpad(to_hex(scramble(campaign_no, 9, ${ctx.offset(21)})), 8, '0')) end as campaign_id,
        case when not is_campaign then ${`[${flowIds.join(', ')}]`}[1 + floor(uk * 100)::INTEGER % ${FLOWS.length}] end as flow_id,
        case when is_campaign then greatest(from_t, ${W} + campaign_no * ${campaignEvery}::BIGINT + 9 * 3600 + floor(uw * 1800)::BIGINT)
             else from_t + floor(uw * (to_t - from_t))::BIGINT end as recv_t,
        coalesce(suppression = 'HARD_BOUNCE', false) and i = 0 or uo > 0.996 as bounced,
        uo < p_open as opened,
        case when apple_mail then um < 0.95 else um < 0.03 end as machine,
        uc < 0.15 as clicked,
        floor(ud * 600)::BIGINT as machine_delay, floor(pow(ud, 3) * 172800)::BIGINT as human_delay
      from (
        select *, uk < 0.7 as is_campaign,
          floor((from_t + uw * (to_t - from_t) - ${W}) / ${campaignEvery})::INTEGER as campaign_no
        from (
          select *, u2(pid, i, 'kl_kind') as uk, u2(pid, i, 'kl_when') as uw, u2(pid, i, 'kl_open') as uo,
            u2(pid, i, 'kl_machine') as um, u2(pid, i, 'kl_click') as uc, u2(pid, i, 'kl_delay') as ud
          from (select *, unnest(range(n)) as i from recipients where to_t - from_t > 86400)
        )
      )
    ), e as (
      select ${eventId(0)} as id, profile_id, 'Received Email' as metric, recv_t as t, campaign_id, flow_id, '{}' as properties
      from received where recv_t < ${T}
      union all
      select ${eventId(1)}, profile_id, 'Bounced Email', recv_t + 30, campaign_id, flow_id, '{"bounce_type": "hard"}'
      from received where bounced and recv_t + 30 < ${T}
      union all
      select ${eventId(2)}, profile_id, 'Opened Email', open_t, campaign_id, flow_id,
        case when machine then '{"machine_open": true}' else '{"machine_open": false}' end
      from (select *, recv_t + case when machine then 30 + machine_delay else 300 + human_delay end as open_t
            from received where opened and not bounced) where open_t < ${T}
      union all
      select ${eventId(3)}, profile_id, 'Clicked Email', click_t, campaign_id, flow_id, '{}'
      from (select *, recv_t + 600 + human_delay + machine_delay * 2 as click_t
            from received where opened and not bounced and not machine and clicked) where click_t < ${T}
      union all
      select ${eventId(4)}, id, 'Unsubscribed', unsub_t, null, null, '{}'
      from (select *, 0 as i from demo_profiles) where consent = 'UNSUBSCRIBED' and unsub_t >= ${W} and unsub_t < ${T}
      union all
      select ${eventId(5)}, id, 'Marked Email as Spam', ${W} + floor(u(pid, 'kl_unsub') * ${T - W - 3600})::BIGINT, null, null, '{}'
      from (select *, 0 as i from demo_profiles) where suppression = 'SPAM_COMPLAINT' and created_t < ${W}
    )
    select id, profile_id, metric, ts(t) as datetime, campaign_id, flow_id, properties from e`);
  // Dirty: re-delivered export rows (same event id twice).
  if (d > 0) {
    await db.run(`insert into ${ctx.raw('klaviyo', 'events')}
      select * from ${ctx.raw('klaviyo', 'events')} where u(hash(id) >> 1, 'kl_dup') < ${d / 10}`);
  }
}

async function generateLists(ctx: DemoContext): Promise<void> {
  const { db } = ctx;
  const T = ctx.asOfEpoch;
  const ids = KLAVIYO_LISTS.map((name, i) => [name, shortId(ctx.seed, i + 1)] as const);
  const id = (name: (typeof KLAVIYO_LISTS)[number]): string =>
    quoteText(ids.find(([n]) => n === name)?.[1] ?? '');
  await db.run(`insert into ${ctx.raw('klaviyo', 'lists')} by name
    select * from (values ${ids.map(([name, listId]) => `(${quoteText(listId)}, ${quoteText(name)})`).join(', ')}) t(id, name)`);
  await db.run(`insert into ${ctx.raw('klaviyo', 'list_memberships')} by name
    with p as (select *, u(pid, 'kl_list') as ul from demo_profiles)
    select ${id('Newsletter')} as list_id, id as profile_id, ts(created_t + 120) as created from p
    where consent = 'SUBSCRIBED' and created_t + 120 < ${T}
    union all
    select ${id('VIP Customers')}, id, ts(least(${T - 1}, last_t + 86400)) from p where orders >= 10
    union all
    select ${id('Winback Candidates')}, id, ts(last_t + 90 * 86400) from p where last_t + 90 * 86400 < ${T} and ul < 0.9
    union all
    select ${id('Schwangerschaft & Baby')}, id, ts(created_t + 600) from p where pregnancy_opt_in and created_t + 600 < ${T}
    union all
    select ${id('Schlaf Routine')}, id, ts(created_t + floor(ul * (${T} - created_t))::BIGINT) from p
    where primary_category = 'Schlaf' and ul < 0.5
    union all
    select ${id('Gewinnspiel Sommer')}, id, ts(created_t) from p where src = 'gewinnspiel'`);
}
