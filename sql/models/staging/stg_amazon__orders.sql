{% from 'email.sql' import email_identity %}

with

source as (

    select * from {{ source('amazon', 'orders') }}

),

exchange_rates as (

    select * from {{ ref('exchange_rates') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by amazon_order_id
            order by
                case when lower(order_status) in ('canceled', 'cancelled') then 0 else 1 end,
                order_status,
                order_total desc
        ) as duplicate_rank
    from source
    where amazon_order_id is not null

),

renamed as (

    select
        trim(amazon_order_id) as order_id,
        purchase_date as ordered_at,
        trim(order_status) as order_status,
        nullif(lower(trim(buyer_email)), '') as email_trimmed,
        nullif(trim({{ regex_replace_all('buyer_name', '[[:space:]]+', ' ') }}), '') as buyer_name,
        -- compared by name_key (sql/DEFINITIONS.md, Identity): ß → ss, ı → i, umlauts, accents, case, spaces
        nullif({{ name_key('buyer_name') }}, '') as buyer_name_normalized,
        nullif(trim(ship_postal_code), '') as ship_postal_code,
        nullif(trim(ship_city), '') as ship_city,
        upper(nullif(trim(ship_country), '')) as ship_country_code,
        order_total,
        refunded_amount,
        upper(trim(currency)) as currency,
        nullif(trim(sales_channel), '') as sales_channel
    from deduplicated
    where
        duplicate_rank = 1
        -- orders after the build's reference time are dropped (data_quality_issues: future_timestamp)
        and purchase_date <= {{ as_of() }}

),

{{ email_identity('renamed', 'buyer_email', 'buyer_identity_email') }},

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
        'amazon' as channel,
        buyer_email,
        buyer_identity_email,
        email_status,
        coalesce(buyer_email like '%@marketplace.amazon.%', false) as is_relay_email,
        buyer_name,
        buyer_name_normalized,
        ordered_at,
        order_status,
        coalesce(lower(order_status) in ('canceled', 'cancelled'), false) as is_cancelled,
        -- Amazon has no refunded state (the order stays Shipped): refunds covering the whole total refund it
        coalesce(refunded_amount >= order_total and order_total > 0, false) as is_refunded,
        -- Pending / PendingAvailability: Amazon has not charged the buyer yet; the order counts once it is paid
        coalesce(lower(order_status) in ('pending', 'pendingavailability'), false) as is_payment_pending,
        coalesce(lower(order_status) not in ('canceled', 'cancelled', 'pending', 'pendingavailability'), true)
            and not coalesce(refunded_amount >= order_total and order_total > 0, false) as is_valid_order,
        currency,
        eur_per_unit,
        has_known_currency,
        order_total,
        refunded_amount,
        round(order_total * eur_per_unit, 2) as order_total_eur,
        round(greatest(coalesce(refunded_amount, 0), 0) * eur_per_unit, 2) as refunded_eur,
        -- channel contract: the buyer's identity record is its relay address; Amazon shares no other email
        'amazon_buyer' as customer_source,
        buyer_identity_email as customer_source_record_id,
        {{ cast('null', 'varchar') }} as identity_email,
        ship_postal_code,
        ship_city,
        ship_country_code,
        sales_channel
    from converted

)

select * from final
