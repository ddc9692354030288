-- Pregnancy journey (sensitive): marketable customers who bought pregnancy products and explicitly opted in.

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
        pregnancy_opt_in,
        last_order_at
    from customers
    where
        is_marketable
        and pregnancy_opt_in
        and has_bought_pregnancy_products

)

select * from final
