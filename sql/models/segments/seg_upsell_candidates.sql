-- Product recommendation flow: marketable buyers with cross_sell_score >= upsell_min_score; split by preferred_categories.

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
        preferred_brands,
        cross_sell_score
    from customers
    where
        is_marketable
        and total_orders >= 1
        and cross_sell_score >= {{ var('upsell_min_score', 50) }}

)

select * from final
