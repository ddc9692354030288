-- Allergy season flow (Mar-Jun): marketable customers who bought allergy-season products (season = allergy).

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
        and has_bought_allergy_products

)

select * from final
