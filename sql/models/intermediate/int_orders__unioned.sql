-- Valid orders of all sales channels (not cancelled, refunded or voided, payment captured): the basis of every
-- order metric.

with

orders as (

    select * from {{ ref('int_orders__attributed') }}

),

final as (

    select
        order_id,
        channel,
        customer_id,
        ordered_at,
        eur_per_unit,
        revenue_eur
    from orders
    where is_valid_order

)

select * from final
