{% from 'email.sql' import email_identity %}

with

source as (

    select * from {{ source('shopify', 'orders') }}

),

exchange_rates as (

    select * from {{ ref('exchange_rates') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by id
            order by cancelled_at desc nulls last, financial_status, total_price desc
        ) as duplicate_rank
    from source
    where id is not null

),

renamed as (

    select
        {{ cast('id', 'varchar') }} as order_id,
        customer_id as shopify_customer_id,
        nullif(lower(trim(email)), '') as email_trimmed,
        created_at as ordered_at,
        lower(trim(financial_status)) as financial_status,
        lower(nullif(trim(fulfillment_status), '')) as fulfillment_status,
        cancelled_at,
        upper(trim(currency)) as currency,
        total_price,
        subtotal_price,
        total_discounts,
        total_refunded,
        nullif(trim(shipping_zip), '') as shipping_postal_code,
        upper(nullif(trim(shipping_country), '')) as shipping_country_code,
        nullif(trim(discount_codes), '') as discount_codes
    from deduplicated
    where
        duplicate_rank = 1
        -- orders after the build's reference time are dropped (data_quality_issues: future_timestamp)
        and created_at <= {{ as_of() }}

),

{{ email_identity('renamed') }},

converted as (

    select
        email_normalized.*,
        exchange_rates.eur_per_unit,
        exchange_rates.eur_per_unit is not null as has_known_currency
    from email_normalized
    left join exchange_rates
        on email_normalized.currency = exchange_rates.currency

),

final as (

    select
        order_id,
        'shopify' as channel,
        shopify_customer_id,
        email,
        identity_email,
        email_status,
        ordered_at,
        financial_status,
        fulfillment_status,
        cancelled_at,
        financial_status as order_status,
        cancelled_at is not null as is_cancelled,
        coalesce(financial_status in ('refunded', 'voided'), false) as is_refunded,
        -- pending / authorized: the payment is not captured yet; the order counts once it is paid
        coalesce(financial_status in ('pending', 'authorized'), false) as is_payment_pending,
        cancelled_at is null
            and coalesce(financial_status not in ('refunded', 'voided', 'pending', 'authorized'), true) as is_valid_order,
        currency,
        eur_per_unit,
        has_known_currency,
        total_price,
        subtotal_price,
        total_discounts,
        total_refunded,
        round(total_price * eur_per_unit, 2) as order_total_eur,
        round(greatest(coalesce(total_refunded, 0), 0) * eur_per_unit, 2) as refunded_eur,
        -- channel contract: the account's identity record; guest orders have a 'shopify_order' record
        'shopify_customer' as customer_source,
        {{ cast('shopify_customer_id', 'varchar') }} as customer_source_record_id,
        shipping_postal_code,
        shipping_country_code,
        discount_codes
    from converted

)

select * from final
