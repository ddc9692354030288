-- New-customer welcome flow: marketable customers in lifecycle stage new.

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
        first_order_at,
        days_since_last_order,
        preferred_categories
    from customers
    where
        is_marketable
        and lifecycle_stage = 'new'

)

select * from final
