-- Advent calendar flow (Oct-Nov): marketable customers who bought an advent calendar; is_vip for early access.

with

customers as (

    select * from {{ ref('dim_customers') }}

),

final as (

    select
        customer_id,
        email,
        first_name,
        last_name,
        is_vip,
        vip_tier,
        last_order_at
    from customers
    where
        is_marketable
        and has_bought_advent_products

)

select * from final
