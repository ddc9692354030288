with

orders as (

    select * from {{ ref('stg_amazon__orders') }}

),

buyer_orders as (

    select
        buyer_identity_email,
        buyer_email,
        buyer_name,
        buyer_name_normalized,
        ship_postal_code,
        ship_city,
        ship_country_code,
        ordered_at,
        row_number() over (
            partition by buyer_identity_email
            order by ordered_at desc, order_id desc
        ) as recency_rank
    from orders
    where buyer_identity_email is not null

),

buyer_totals as (

    select
        buyer_identity_email,
        count(*) as orders_count,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at
    from buyer_orders
    group by buyer_identity_email

),

latest_details as (

    select
        buyer_identity_email,
        buyer_email,
        buyer_name,
        buyer_name_normalized,
        ship_postal_code,
        ship_city,
        ship_country_code
    from buyer_orders
    where recency_rank = 1

),

final as (

    select
        buyer_totals.buyer_identity_email,
        latest_details.buyer_email,
        coalesce(latest_details.buyer_email like '%@marketplace.amazon.%', false) as is_relay_email,
        latest_details.buyer_name,
        latest_details.buyer_name_normalized,
        latest_details.ship_postal_code,
        latest_details.ship_city,
        latest_details.ship_country_code,
        buyer_totals.orders_count,
        buyer_totals.first_order_at,
        buyer_totals.last_order_at
    from buyer_totals
    inner join latest_details
        on buyer_totals.buyer_identity_email = latest_details.buyer_identity_email

)

select * from final
