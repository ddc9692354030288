-- The Customer 360 view: one row per customer (every person seen in any source).

with

customers as (

    select * from {{ ref('int_customers__unified') }}

),

order_metrics as (

    select * from {{ ref('int_customer__order_metrics') }}

),

clv as (

    select * from {{ ref('int_customer__clv') }}

),

product_preferences as (

    select * from {{ ref('int_customer__product_preferences') }}

),

shipment_metrics as (

    select * from {{ ref('int_customer__shipment_metrics') }}

),

email_engagement as (

    select * from {{ ref('int_customer__email_engagement') }}

),

support_metrics as (

    select * from {{ ref('int_customer__support_metrics') }}

),

products as (

    select * from {{ ref('stg_products') }}

),

catalogue as (

    select count(distinct category) as catalogue_categories
    from products

),

joined as (

    select
        customers.customer_id,
        customers.email,
        customers.is_relay_email,
        customers.first_name,
        customers.last_name,
        customers.postal_code,
        customers.city,
        customers.country_code,
        customers.source_ids,
        customers.first_seen_at,

        order_metrics.customer_id is not null as is_buyer,
        order_metrics.first_order_at,
        order_metrics.last_order_at,
        coalesce(order_metrics.total_orders, 0) as total_orders,
        coalesce(order_metrics.lifetime_revenue, 0) as lifetime_revenue,
        order_metrics.avg_order_value,
        order_metrics.days_since_last_order,
        coalesce(order_metrics.channels, {{ empty_string_list() }}) as channels,
        coalesce(order_metrics.channels_count, 0) as channels_count,
        coalesce(order_metrics.is_cross_channel, false) as is_cross_channel,
        order_metrics.recency_score,
        order_metrics.frequency_score,
        order_metrics.monetary_score,
        order_metrics.rfm_segment,
        coalesce(order_metrics.customer_value_tier, 'no_purchase') as customer_value_tier,
        order_metrics.vip_tier,

        case when order_metrics.customer_id is not null then clv.p_alive end as p_alive,
        case when order_metrics.customer_id is not null then coalesce(clv.predicted_clv_12m, 0) else 0 end as predicted_clv_12m,
        case when order_metrics.customer_id is not null then clv.expected_purchases_12m end as expected_purchases_12m,
        case when order_metrics.customer_id is not null then clv.expected_order_value end as expected_order_value,

        coalesce(product_preferences.preferred_categories, {{ empty_string_list() }}) as preferred_categories,
        coalesce(product_preferences.preferred_brands, {{ empty_string_list() }}) as preferred_brands,
        coalesce(product_preferences.bought_categories, {{ empty_string_list() }}) as bought_categories,
        coalesce(product_preferences.categories_bought, 0) as categories_bought,
        case when order_metrics.customer_id is not null then product_preferences.product_type end as product_type,
        coalesce(product_preferences.has_device_without_refill, false) as has_device_without_refill,
        product_preferences.next_replenishment_date,
        coalesce(product_preferences.has_bought_cold_products, false) as has_bought_cold_products,
        coalesce(product_preferences.has_bought_allergy_products, false) as has_bought_allergy_products,
        coalesce(product_preferences.has_bought_advent_products, false) as has_bought_advent_products,
        coalesce(product_preferences.has_bought_sleep_products, false) as has_bought_sleep_products,
        coalesce(product_preferences.has_bought_pregnancy_products, false) as has_bought_pregnancy_products,

        email_engagement.emails_received_90d,
        email_engagement.opens_90d,
        email_engagement.clicks_90d,
        email_engagement.click_rate_90d,
        email_engagement.last_open_at,
        email_engagement.last_click_at,
        email_engagement.email_consent,
        email_engagement.is_suppressed,
        email_engagement.klaviyo_list_ids,
        email_engagement.gender,
        email_engagement.birth_date,
        email_engagement.age,
        email_engagement.has_demographic_data,
        email_engagement.pregnancy_opt_in,

        coalesce(shipment_metrics.shipments_count, 0) as shipments_count,
        shipment_metrics.avg_delivery_time,
        shipment_metrics.delivery_success_rate,
        shipment_metrics.last_delivery_problem_at,

        coalesce(support_metrics.tickets_total, 0) as tickets_total,
        coalesce(support_metrics.open_tickets, 0) as open_tickets,
        support_metrics.last_ticket_at,
        support_metrics.csat_score,
        support_metrics.avg_resolution_hours,
        coalesce(support_metrics.has_unresolved_ticket, false) as has_unresolved_ticket,
        support_metrics.last_bad_rating_at,

        catalogue.catalogue_categories
    from customers
    cross join catalogue
    left join order_metrics
        on customers.customer_id = order_metrics.customer_id
    left join clv
        on customers.customer_id = clv.customer_id
    left join product_preferences
        on customers.customer_id = product_preferences.customer_id
    left join shipment_metrics
        on customers.customer_id = shipment_metrics.customer_id
    left join email_engagement
        on customers.customer_id = email_engagement.customer_id
    left join support_metrics
        on customers.customer_id = support_metrics.customer_id

),

staged as (

    select
        *,
        case
            when not is_buyer then 'prospect'
            when total_orders = 1 and days_since_last_order <= {{ var('lifecycle_new_days') }} then 'new'
            when days_since_last_order <= {{ var('lifecycle_active_days') }} then 'active'
            when days_since_last_order <= {{ var('lifecycle_at_risk_days') }} then 'at_risk'
            when days_since_last_order <= {{ var('lifecycle_lapsing_days') }} then 'lapsing'
            else 'churned'
        end as lifecycle_stage,
        -- the winback starts where "active" ends and its stages end where the lifecycle's do (no overlap);
        -- past the horizon a buyer is archived: no more winback mails
        case
            when not is_buyer then null
            when days_since_last_order <= {{ var('lifecycle_active_days') }} then null
            when days_since_last_order > {{ var('winback_horizon_days') }} then 'archived'
            when days_since_last_order > {{ var('lifecycle_lapsing_days') }} then 'final'
            when days_since_last_order > {{ var('lifecycle_at_risk_days') }} then 'late'
            when days_since_last_order >= {{ var('winback_mid_days') }} then 'mid'
            else 'early'
        end as winback_stage,
        coalesce({{ days_between('last_bad_rating_at', as_of()) }} <= {{ var('at_risk_recent_days') }}, false)
            as has_recent_bad_rating,
        coalesce({{ days_between('last_delivery_problem_at', as_of()) }} <= {{ var('at_risk_recent_days') }}, false)
            as has_recent_delivery_problem
    from joined

),

scored as (

    select
        *,
        {{ cast(
            'round(round('
            ~ 'case when is_buyer then 50.0 * (recency_score + frequency_score) / 10 else 0 end'
            ~ ' + 30.0 * least(1.0, (opens_90d + 2 * clicks_90d) / 10.0)'
            ~ ' + case when has_unresolved_ticket then 0 when csat_score is not null then 20.0 * csat_score else 10 end'
            ~ ', 6))', 'integer') }} as engagement_score,
        case
            when not is_buyer then 0
            else {{ cast(
                'round(round('
                ~ '40.0 * (1 - least(1.0, categories_bought / (1.0 * catalogue_categories)))'
                ~ ' + 30.0 * recency_score / 5'
                ~ ' + 30.0 * least(1.0, opens_90d / 5.0)'
                ~ ', 6))', 'integer') }}
        end as cross_sell_score,
        coalesce(winback_stage <> 'archived', false) as is_winback_candidate,
        customer_value_tier in ('vip', 'high')
            and (
                lifecycle_stage in ('at_risk', 'lapsing')
                or has_unresolved_ticket
                or has_recent_bad_rating
                or has_recent_delivery_problem
            ) as is_high_value_at_risk,
        email is not null
            and not is_relay_email
            and email_consent
            and not is_suppressed as is_marketable
    from staged

),

final as (

    select
        customer_id,
        email,
        first_name,
        last_name,
        source_ids,
        first_order_at,
        last_order_at,
        total_orders,
        lifetime_revenue,
        avg_order_value,
        days_since_last_order,
        channels,
        channels_count,
        is_cross_channel,
        lifecycle_stage,
        recency_score,
        frequency_score,
        monetary_score,
        rfm_segment,
        customer_value_tier,
        customer_value_tier = 'vip' as is_vip,
        vip_tier,
        predicted_clv_12m,
        p_alive,
        preferred_categories,
        preferred_brands,
        product_type,
        has_device_without_refill,
        next_replenishment_date,
        cross_sell_score,
        emails_received_90d,
        opens_90d,
        clicks_90d,
        click_rate_90d,
        last_open_at,
        last_click_at,
        email_consent,
        is_suppressed,
        klaviyo_list_ids,
        gender,
        birth_date,
        age,
        has_demographic_data,
        shipments_count,
        avg_delivery_time,
        delivery_success_rate,
        last_delivery_problem_at,
        tickets_total,
        open_tickets,
        last_ticket_at,
        csat_score,
        avg_resolution_hours,
        has_unresolved_ticket,
        engagement_score,
        is_winback_candidate,
        winback_stage,
        is_high_value_at_risk,
        case
            when not is_high_value_at_risk then null
            when has_unresolved_ticket then 'resolve_support_first'
            when has_recent_bad_rating or has_recent_delivery_problem then 'service_recovery'
            else 'incentive_offer'
        end as recommended_action,
        is_marketable,
        pregnancy_opt_in,

        -- extras beyond SPEC §5
        is_relay_email,
        email is not null as has_valid_email,
        postal_code,
        city,
        country_code,
        first_seen_at,
        expected_purchases_12m,
        expected_order_value,
        bought_categories,
        categories_bought,
        has_bought_cold_products,
        has_bought_allergy_products,
        has_bought_advent_products,
        has_bought_sleep_products,
        has_bought_pregnancy_products,
        last_bad_rating_at,
        has_recent_bad_rating,
        has_recent_delivery_problem
    from scored

)

select * from final
