-- One row per customer: Klaviyo email engagement, consent, suppression, lists and demographics.

with

customers as (

    select * from {{ ref('int_customers__unified') }}

),

identity as (

    select * from {{ ref('int_customer__identity_resolved') }}

),

profiles as (

    select * from {{ ref('stg_klaviyo__profiles') }}

),

events as (

    select * from {{ ref('stg_klaviyo__events') }}

),

list_memberships as (

    select * from {{ ref('stg_klaviyo__list_memberships') }}

),

profile_customers as (

    select
        source_record_id as klaviyo_profile_id,
        customer_id
    from identity
    where source = 'klaviyo_profile'

),

-- the most recently updated profile carries consent, demographics and the pregnancy opt-in
ranked_profiles as (

    select
        profile_customers.customer_id,
        profiles.*,
        row_number() over (
            partition by profile_customers.customer_id
            order by profiles.updated_at desc nulls last, profiles.klaviyo_profile_id desc
        ) as profile_rank
    from profiles
    inner join profile_customers
        on profiles.klaviyo_profile_id = profile_customers.klaviyo_profile_id

),

profile_totals as (

    select
        customer_id,
        count(*) as klaviyo_profiles_count,
        {{ any_true('is_suppressed') }} as is_suppressed
    from ranked_profiles
    group by customer_id

),

-- events are summed per profile first, so that only one row per profile is joined to its customer
profile_event_totals as (

    select
        klaviyo_profile_id,
        sum(case when is_in_window and metric_name = 'Received Email' then 1 else 0 end) as emails_received_90d,
        sum(case when is_in_window and metric_name = 'Opened Email' and not is_machine_open then 1 else 0 end) as opens_90d,
        sum(case when is_in_window and metric_name = 'Opened Email' and is_machine_open then 1 else 0 end) as machine_opens_90d,
        sum(case when is_in_window and metric_name = 'Clicked Email' then 1 else 0 end) as clicks_90d,
        sum(case when is_in_window and metric_name = 'Bounced Email' then 1 else 0 end) as bounces_90d,
        max(case when metric_name = 'Opened Email' and not is_machine_open then occurred_at end) as last_open_at,
        max(case when metric_name = 'Clicked Email' then occurred_at end) as last_click_at,
        max(case when metric_name = 'Unsubscribed' then occurred_at end) as last_unsubscribed_at,
        max(case when metric_name = 'Marked Email as Spam' then occurred_at end) as last_spam_complaint_at
    from (
        select
            klaviyo_profile_id,
            metric_name,
            occurred_at,
            is_machine_open,
            -- window: as_of - email_window_days < occurred_at <= as_of
            {{ hours_between('occurred_at', as_of()) }} < 24 * {{ var('email_window_days') }} as is_in_window
        from events
        where occurred_at <= {{ as_of() }}
    ) as windowed_events
    group by klaviyo_profile_id

),

event_totals as (

    select
        profile_customers.customer_id,
        sum(profile_event_totals.emails_received_90d) as emails_received_90d,
        sum(profile_event_totals.opens_90d) as opens_90d,
        sum(profile_event_totals.machine_opens_90d) as machine_opens_90d,
        sum(profile_event_totals.clicks_90d) as clicks_90d,
        sum(profile_event_totals.bounces_90d) as bounces_90d,
        max(profile_event_totals.last_open_at) as last_open_at,
        max(profile_event_totals.last_click_at) as last_click_at,
        max(profile_event_totals.last_unsubscribed_at) as last_unsubscribed_at,
        max(profile_event_totals.last_spam_complaint_at) as last_spam_complaint_at
    from profile_event_totals
    inner join profile_customers
        on profile_event_totals.klaviyo_profile_id = profile_customers.klaviyo_profile_id
    group by profile_customers.customer_id

),

customer_list_ids as (

    select distinct
        profile_customers.customer_id,
        list_memberships.klaviyo_list_id
    from list_memberships
    inner join profile_customers
        on list_memberships.klaviyo_profile_id = profile_customers.klaviyo_profile_id

),

list_totals as (

    select
        customer_id,
        {{ list_agg('klaviyo_list_id', 'klaviyo_list_id') }} as klaviyo_list_ids
    from customer_list_ids
    group by customer_id

),

final as (

    select
        customers.customer_id,
        coalesce(profile_totals.klaviyo_profiles_count, 0) as klaviyo_profiles_count,
        primary_profile.klaviyo_profile_id,
        coalesce(event_totals.emails_received_90d, 0) as emails_received_90d,
        coalesce(event_totals.opens_90d, 0) as opens_90d,
        coalesce(event_totals.machine_opens_90d, 0) as machine_opens_90d,
        coalesce(event_totals.clicks_90d, 0) as clicks_90d,
        coalesce(event_totals.bounces_90d, 0) as bounces_90d,
        case
            when event_totals.emails_received_90d > 0
                then event_totals.clicks_90d / event_totals.emails_received_90d
        end as click_rate_90d,
        event_totals.last_open_at,
        event_totals.last_click_at,
        event_totals.last_unsubscribed_at,
        event_totals.last_spam_complaint_at,
        primary_profile.email_consent as klaviyo_email_consent,
        case
            when primary_profile.klaviyo_profile_id is not null
                then coalesce(primary_profile.email_consent = 'SUBSCRIBED', false)
            else coalesce(customers.shopify_email_marketing_consent = 'subscribed', false)
        end as email_consent,
        coalesce(profile_totals.is_suppressed, false) as is_suppressed,
        primary_profile.suppression_reason,
        coalesce(list_totals.klaviyo_list_ids, {{ empty_string_list() }}) as klaviyo_list_ids,
        primary_profile.gender,
        primary_profile.birth_date,
        case
            when primary_profile.birth_date is not null then
                {{ cast('extract(year from ' ~ local_date(as_of()) ~ ') - extract(year from primary_profile.birth_date)', 'integer') }}
                - case
                    when extract(month from {{ local_date(as_of()) }}) * 100 + extract(day from {{ local_date(as_of()) }})
                        < extract(month from primary_profile.birth_date) * 100 + extract(day from primary_profile.birth_date)
                        then 1
                    else 0
                end
        end as age,
        primary_profile.gender is not null or primary_profile.birth_date is not null as has_demographic_data,
        coalesce(primary_profile.pregnancy_opt_in, false) as pregnancy_opt_in,
        primary_profile.signup_source
    from customers
    left join ranked_profiles as primary_profile
        on customers.customer_id = primary_profile.customer_id
        and primary_profile.profile_rank = 1
    left join profile_totals
        on customers.customer_id = profile_totals.customer_id
    left join event_totals
        on customers.customer_id = event_totals.customer_id
    left join list_totals
        on customers.customer_id = list_totals.customer_id

)

select * from final
