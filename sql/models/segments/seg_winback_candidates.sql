-- Winback flow: marketable winback candidates (past the active window, not archived); split by winback_stage.

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
        winback_stage,
        days_since_last_order,
        last_order_at,
        customer_value_tier,
        lifetime_revenue
    from customers
    where
        is_marketable
        and is_winback_candidate

)

select * from final
