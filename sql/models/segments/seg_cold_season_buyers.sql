-- Cold season flow (Sep-Feb): marketable customers who bought cold-season products (season = cold).

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
        preferred_categories,
        last_order_at
    from customers
    where
        is_marketable
        and has_bought_cold_products

)

select * from final
