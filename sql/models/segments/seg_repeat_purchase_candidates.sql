-- Replenishment flow: marketable consumable buyers whose next_replenishment_date lies within replenishment_window_days of as_of (before or after); split by product_type.

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
        product_type,
        next_replenishment_date,
        {{ days_between(as_of(), 'next_replenishment_date') }} as days_until_replenishment,
        preferred_categories
    from customers
    where
        is_marketable
        and next_replenishment_date is not null
        and {{ days_between(as_of(), 'next_replenishment_date') }} between -{{ var('replenishment_window_days', 14) }} and {{ var('replenishment_window_days', 14) }}

)

select * from final
