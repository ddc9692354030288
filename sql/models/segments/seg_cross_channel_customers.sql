-- Cross-channel flow: marketable customers with valid orders in two or more sales channels; split by channels_count.

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
        channels_count,
        channels,
        total_orders
    from customers
    where
        is_marketable
        and is_cross_channel

)

select * from final
