-- VIP flow: marketable customers in the top value tier; split by vip_tier.

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
        vip_tier,
        lifetime_revenue,
        total_orders
    from customers
    where
        is_marketable
        and is_vip

)

select * from final
