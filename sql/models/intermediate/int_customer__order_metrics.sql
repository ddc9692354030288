-- One row per buyer (customer with at least one valid order): order metrics, RFM scores and value tier.

with

orders as (

    select * from {{ ref('int_orders__unioned') }}

),

order_totals as (

    select
        customer_id,
        count(*) as total_orders,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        sum(revenue_eur) as lifetime_revenue
    from orders
    group by customer_id

),

customer_channels as (

    select distinct
        customer_id,
        channel
    from orders

),

-- the channels are whatever sales channels the customer's valid orders come from (sorted), not a fixed list
channel_lists as (

    select
        customer_id,
        {{ list_agg('channel', 'channel') }} as channels,
        {{ cast('count(*)', 'integer') }} as channels_count
    from customer_channels
    group by customer_id

),

metrics as (

    select
        order_totals.customer_id,
        order_totals.total_orders,
        order_totals.first_order_at,
        order_totals.last_order_at,
        round(order_totals.lifetime_revenue, 2) as lifetime_revenue,
        round(order_totals.lifetime_revenue / order_totals.total_orders, 2) as avg_order_value,
        {{ days_between('order_totals.last_order_at', as_of()) }} as days_since_last_order,
        {{ days_between('order_totals.first_order_at', as_of()) }} as days_since_first_order,
        channel_lists.channels,
        channel_lists.channels_count,
        channel_lists.channels_count >= 2 as is_cross_channel
    from order_totals
    inner join channel_lists
        on order_totals.customer_id = channel_lists.customer_id

),

buyers as (

    select count(*) as buyers_count
    from metrics

),

-- rank() over (order by m) = 1 + number of buyers with a smaller m (ties share the lowest rank); counted per
-- distinct value, which avoids sorting all buyers three times
recency_values as (

    select
        days_since_last_order,
        count(*) as buyers_with_value
    from metrics
    group by days_since_last_order

),

recency_ranks as (

    select
        days_since_last_order,
        1 + coalesce(sum(buyers_with_value) over (
            order by days_since_last_order desc rows between unbounded preceding and 1 preceding
        ), 0) as recency_rank
    from recency_values

),

frequency_values as (

    select
        total_orders,
        count(*) as buyers_with_value
    from metrics
    group by total_orders

),

frequency_ranks as (

    select
        total_orders,
        1 + coalesce(sum(buyers_with_value) over (
            order by total_orders rows between unbounded preceding and 1 preceding
        ), 0) as frequency_rank
    from frequency_values

),

monetary_values as (

    select
        lifetime_revenue,
        count(*) as buyers_with_value
    from metrics
    group by lifetime_revenue

),

monetary_ranks as (

    select
        lifetime_revenue,
        1 + coalesce(sum(buyers_with_value) over (
            order by lifetime_revenue rows between unbounded preceding and 1 preceding
        ), 0) as monetary_rank
    from monetary_values

),

ranked as (

    select
        metrics.*,
        buyers.buyers_count,
        recency_ranks.recency_rank,
        frequency_ranks.frequency_rank,
        monetary_ranks.monetary_rank,
        row_number() over (order by metrics.lifetime_revenue desc, metrics.customer_id) as revenue_position
    from metrics
    cross join buyers
    inner join recency_ranks
        on metrics.days_since_last_order = recency_ranks.days_since_last_order
    inner join frequency_ranks
        on metrics.total_orders = frequency_ranks.total_orders
    inner join monetary_ranks
        on metrics.lifetime_revenue = monetary_ranks.lifetime_revenue

),

-- score = 1 + floor(5 * (rank - 1) / n)
scored as (

    select
        *,
        {{ cast('1 + floor(5 * (recency_rank - 1) / buyers_count)', 'integer') }} as recency_score,
        {{ cast('1 + floor(5 * (frequency_rank - 1) / buyers_count)', 'integer') }} as frequency_score,
        {{ cast('1 + floor(5 * (monetary_rank - 1) / buyers_count)', 'integer') }} as monetary_score
    from ranked

),

final as (

    select
        customer_id,
        total_orders,
        first_order_at,
        last_order_at,
        lifetime_revenue,
        avg_order_value,
        days_since_last_order,
        days_since_first_order,
        channels,
        channels_count,
        is_cross_channel,
        recency_score,
        frequency_score,
        monetary_score,
        {{ cast('recency_score', 'varchar') }}
            || {{ cast('frequency_score', 'varchar') }}
            || {{ cast('monetary_score', 'varchar') }} as rfm_segment,
        revenue_position,
        case
            when revenue_position <= ceil(buyers_count * {{ var('tier_vip_share') }}) then 'vip'
            when revenue_position <= ceil(buyers_count * ({{ var('tier_vip_share') }} + {{ var('tier_high_share') }})) then 'high'
            when revenue_position <= ceil(buyers_count * ({{ var('tier_vip_share') }} + {{ var('tier_high_share') }} + {{ var('tier_medium_share') }})) then 'medium'
            else 'low'
        end as customer_value_tier,
        case
            when revenue_position > ceil(buyers_count * {{ var('tier_vip_share') }}) then null
            when revenue_position <= ceil(buyers_count * {{ var('vip_platinum_share') }}) then 'platinum'
            when revenue_position <= ceil(buyers_count * {{ var('vip_gold_share') }}) then 'gold'
            else 'silver'
        end as vip_tier
    from scored

)

select * from final
