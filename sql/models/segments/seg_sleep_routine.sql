-- Sleep routine flow: marketable customers who bought products of the Schlaf category.

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
        and has_bought_sleep_products

)

select * from final
