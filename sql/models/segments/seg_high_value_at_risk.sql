-- At-risk intervention: marketable vip/high customers at risk; split by recommended_action.

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
        recommended_action,
        customer_value_tier,
        lifecycle_stage,
        days_since_last_order,
        has_unresolved_ticket,
        last_delivery_problem_at
    from customers
    where
        is_marketable
        and is_high_value_at_risk

)

select * from final
