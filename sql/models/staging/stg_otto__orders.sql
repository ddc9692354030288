{% from 'email.sql' import email_identity %}

-- OTTO Market orders, shaped to the sales channel contract (sql/DEFINITIONS.md, "Sales channels").

with

source as (

    select * from {{ source('otto', 'orders') }}

),

exchange_rates as (

    select * from {{ ref('exchange_rates') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by sales_order_id
            order by order_status, total_gross desc
        ) as duplicate_rank
    from source
    where sales_order_id is not null

),

renamed as (

    select
        trim(sales_order_id) as order_id,
        nullif(trim(order_number), '') as order_number,
        order_date as ordered_at,
        upper(trim(order_status)) as order_status,
        nullif(lower(trim(buyer_email)), '') as email_trimmed,
        nullif(trim({{ regex_replace_all('buyer_name', '[[:space:]]+', ' ') }}), '') as buyer_name,
        nullif(trim(delivery_zip), '') as delivery_postal_code,
        upper(nullif(trim(delivery_country), '')) as delivery_country_code,
        total_gross,
        refunded_amount,
        upper(trim(currency)) as currency
    from deduplicated
    where
        duplicate_rank = 1
        -- orders after the build's reference time are dropped
        and order_date <= {{ as_of() }}

),

{{ email_identity('renamed') }},

converted as (

    select
        email_normalized.*,
        exchange_rates.eur_per_unit
    from email_normalized
    left join exchange_rates
        on email_normalized.currency = exchange_rates.currency

),

final as (

    select
        order_id,
        'otto' as channel,
        order_number,
        email,
        identity_email,
        email_status,
        buyer_name,
        delivery_postal_code,
        delivery_country_code,
        ordered_at,
        order_status,
        coalesce(order_status in ('CANCELLED_BY_PARTNER', 'CANCELLED_BY_MARKETPLACE'), false) as is_cancelled,
        coalesce(order_status = 'RETURNED', false) as is_refunded,
        -- ANNOUNCED: OTTO has not confirmed the payment yet; the order counts once it is processable
        coalesce(order_status = 'ANNOUNCED', false) as is_payment_pending,
        coalesce(
            order_status not in ('CANCELLED_BY_PARTNER', 'CANCELLED_BY_MARKETPLACE', 'RETURNED', 'ANNOUNCED'), true
        ) as is_valid_order,
        currency,
        eur_per_unit,
        round(total_gross * eur_per_unit, 2) as order_total_eur,
        round(greatest(coalesce(refunded_amount, 0), 0) * eur_per_unit, 2) as refunded_eur,
        -- OTTO has no buyer accounts the shop can see: buyers are found by their email (identity record otto_buyer)
        'otto_buyer' as customer_source,
        {{ cast('null', 'varchar') }} as customer_source_record_id
    from converted

)

select * from final
