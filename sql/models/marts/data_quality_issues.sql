-- One row per (model, reason) with the number of source rows that were dropped, cleaned or left
-- unattributed on the way to the marts. Only reasons that occurred are listed.
-- Rows dropped in staging are counted on the raw tables, everything else on the models.

with

-- Every raw row is either kept or dropped for exactly one reason, checked in this order: missing_key,
-- future_timestamp / missing_timestamp (orders), invalid_quantity (lines), duplicate_row (the rest).

raw_shopify_customers as (

    select
        count(*) - count(id) as missing_key,
        count(id) - (select count(*) from {{ ref('stg_shopify__customers') }}) as duplicate_row
    from {{ source('shopify', 'customers') }}

),

raw_shopify_orders as (

    select
        count(*) - count(id) as missing_key,
        {{ count_if('id is not null and created_at > ' ~ as_of()) }} as future_timestamp,
        {{ count_if('id is not null and created_at is null') }} as missing_timestamp,
        {{ count_if('id is not null and created_at <= ' ~ as_of()) }}
            - (select count(*) from {{ ref('stg_shopify__orders') }}) as duplicate_row
    from {{ source('shopify', 'orders') }}

),

raw_shopify_order_lines as (

    select
        count(*) - count(id) as missing_key,
        {{ count_if('id is not null and not coalesce(quantity > 0, false)') }} as invalid_quantity,
        {{ count_if('id is not null and quantity > 0') }}
            - (select count(*) from {{ ref('stg_shopify__order_lines') }}) as duplicate_row
    from {{ source('shopify', 'order_lines') }}

),

raw_amazon_orders as (

    select
        count(*) - count(amazon_order_id) as missing_key,
        {{ count_if('amazon_order_id is not null and purchase_date > ' ~ as_of()) }} as future_timestamp,
        {{ count_if('amazon_order_id is not null and purchase_date is null') }} as missing_timestamp,
        {{ count_if('amazon_order_id is not null and purchase_date <= ' ~ as_of()) }}
            - (select count(*) from {{ ref('stg_amazon__orders') }}) as duplicate_row
    from {{ source('amazon', 'orders') }}

),

raw_amazon_order_items as (

    select
        count(*) - count(amazon_order_id) as missing_key,
        {{ count_if('amazon_order_id is not null and not coalesce(quantity > 0, false)') }} as invalid_quantity,
        {{ count_if('amazon_order_id is not null and quantity > 0') }}
            - (select count(*) from {{ ref('stg_amazon__order_items') }}) as duplicate_row
    from {{ source('amazon', 'order_items') }}

),

raw_shipments as (

    select
        count(*) - count(shipment_id) as missing_key,
        count(shipment_id) - (select count(*) from {{ ref('stg_shipments') }}) as duplicate_row
    from {{ source('shipments', 'shipments') }}

),

raw_shipment_events as (

    select
        {{ count_if("nullif(trim(tracking_number), '') is null or nullif(trim(event_type), '') is null or event_at is null") }}
            as missing_key,
        {{ count_if("nullif(trim(tracking_number), '') is not null and nullif(trim(event_type), '') is not null and event_at is not null") }}
            - (select count(*) from {{ ref('stg_shipment_events') }}) as duplicate_row
    from {{ source('shipments', 'shipment_events') }}

),

raw_klaviyo_profiles as (

    select
        count(*) - count(id) as missing_key,
        count(id) - (select count(*) from {{ ref('stg_klaviyo__profiles') }}) as duplicate_row,
        -- heuristic (cheap): properties that do not look like a JSON object
        {{ count_if("id is not null and properties is not null and not (trim(properties) like '{%}')") }}
            as malformed_json
    from {{ source('klaviyo', 'profiles') }}

),

raw_klaviyo_events as (

    select
        count(*) - count(id) as missing_key,
        count(id) - (select count(*) from {{ ref('stg_klaviyo__events') }}) as duplicate_row,
        -- heuristic (cheap): properties that do not look like a JSON object
        {{ count_if("id is not null and properties is not null and not (trim(properties) like '{%}')") }}
            as malformed_json
    from {{ source('klaviyo', 'events') }}

),

raw_klaviyo_lists as (

    select
        count(*) - count(id) as missing_key,
        count(id) - (select count(*) from {{ ref('stg_klaviyo__lists') }}) as duplicate_row
    from {{ source('klaviyo', 'lists') }}

),

raw_klaviyo_list_memberships as (

    select
        {{ count_if('list_id is null or profile_id is null') }} as missing_key,
        {{ count_if('list_id is not null and profile_id is not null') }}
            - (select count(*) from {{ ref('stg_klaviyo__list_memberships') }}) as duplicate_row
    from {{ source('klaviyo', 'list_memberships') }}

),

raw_zendesk_users as (

    select
        count(*) - count(id) as missing_key,
        count(id) - (select count(*) from {{ ref('stg_zendesk__users') }}) as duplicate_row
    from {{ source('zendesk', 'users') }}

),

raw_zendesk_tickets as (

    select
        count(*) - count(id) as missing_key,
        count(id) - (select count(*) from {{ ref('stg_zendesk__tickets') }}) as duplicate_row
    from {{ source('zendesk', 'tickets') }}

),

shopify_customers as (

    select
        {{ count_if("email_status = 'invalid'") }} as invalid_email,
        {{ count_if("email_status = 'missing'") }} as null_email
    from {{ ref('stg_shopify__customers') }}

),

shopify_orders as (

    select
        count(*) as orders,
        {{ count_if("email_status = 'invalid'") }} as invalid_email,
        {{ count_if('not has_known_currency') }} as unknown_currency,
        {{ count_if('is_cancelled') }} as cancelled_order,
        {{ count_if("not is_cancelled and financial_status = 'refunded'") }} as refunded_order,
        {{ count_if("not is_cancelled and financial_status = 'voided'") }} as voided_order
    from {{ ref('stg_shopify__orders') }}

),

amazon_orders as (

    select
        count(*) as orders,
        {{ count_if("email_status = 'invalid'") }} as invalid_email,
        {{ count_if("email_status = 'missing'") }} as null_email,
        {{ count_if('not has_known_currency') }} as unknown_currency,
        {{ count_if('is_cancelled') }} as cancelled_order
    from {{ ref('stg_amazon__orders') }}

),

klaviyo_profiles as (

    select
        {{ count_if("email_status = 'invalid'") }} as invalid_email,
        {{ count_if("email_status = 'missing'") }} as null_email
    from {{ ref('stg_klaviyo__profiles') }}

),

zendesk_users as (

    select
        {{ count_if("email_status = 'invalid'") }} as invalid_email,
        {{ count_if("email_status = 'missing'") }} as null_email
    from {{ ref('stg_zendesk__users') }}

),

identity as (

    select
        {{ count_if("source = 'amazon_buyer' and match_method <> 'amazon_name_postal_code'") }} as amazon_unmatched
    from {{ ref('int_customer__identity_resolved') }}

),

attributed_orders as (

    select
        {{ count_if("channel = 'shopify'") }} as shopify_orders,
        {{ count_if("channel = 'amazon'") }} as amazon_orders,
        {{ count_if('order_total_eur < 0') }} as negative_total
    from {{ ref('int_orders__attributed') }}

),

order_lines as (

    select
        {{ count_if('product_id is null') }} as unknown_product
    from {{ ref('int_order_lines__enriched') }}

),

shipments_without_order as (

    select count(*) as unattributed_shipment
    from {{ ref('stg_shipments') }} as shipments
    left join {{ ref('int_orders__attributed') }} as orders
        on shipments.order_id = orders.order_id
        and shipments.channel = orders.channel
    where orders.order_id is null

),

tickets_without_user as (

    select count(*) as unattributed_ticket
    from {{ ref('stg_zendesk__tickets') }} as tickets
    left join {{ ref('stg_zendesk__users') }} as users
        on tickets.zendesk_user_id = users.zendesk_user_id
    where users.zendesk_user_id is null

),

events_without_profile as (

    select count(*) as unattributed_event
    from {{ ref('stg_klaviyo__events') }} as events
    left join {{ ref('stg_klaviyo__profiles') }} as profiles
        on events.klaviyo_profile_id = profiles.klaviyo_profile_id
    where profiles.klaviyo_profile_id is null

),

issues as (

    select 'stg_shopify__customers' as model, 'missing_key' as reason, missing_key as row_count from raw_shopify_customers
    union all select 'stg_shopify__customers', 'duplicate_row', duplicate_row from raw_shopify_customers
    union all select 'stg_shopify__customers', 'invalid_email', invalid_email from shopify_customers
    union all select 'stg_shopify__customers', 'null_email', null_email from shopify_customers

    union all select 'stg_shopify__orders', 'missing_key', missing_key from raw_shopify_orders
    union all select 'stg_shopify__orders', 'duplicate_row', duplicate_row from raw_shopify_orders
    union all select 'stg_shopify__orders', 'future_timestamp', future_timestamp from raw_shopify_orders
    union all select 'stg_shopify__orders', 'missing_timestamp', missing_timestamp from raw_shopify_orders
    union all select 'stg_shopify__orders', 'invalid_email', invalid_email from shopify_orders
    union all select 'stg_shopify__orders', 'unknown_currency', unknown_currency from shopify_orders
    union all select 'stg_shopify__orders', 'cancelled_order', cancelled_order from shopify_orders
    union all select 'stg_shopify__orders', 'refunded_order', refunded_order from shopify_orders
    union all select 'stg_shopify__orders', 'voided_order', voided_order from shopify_orders

    union all select 'stg_shopify__order_lines', 'missing_key', missing_key from raw_shopify_order_lines
    union all select 'stg_shopify__order_lines', 'duplicate_row', duplicate_row from raw_shopify_order_lines
    union all select 'stg_shopify__order_lines', 'invalid_quantity', invalid_quantity from raw_shopify_order_lines

    union all select 'stg_amazon__orders', 'missing_key', missing_key from raw_amazon_orders
    union all select 'stg_amazon__orders', 'duplicate_row', duplicate_row from raw_amazon_orders
    union all select 'stg_amazon__orders', 'future_timestamp', future_timestamp from raw_amazon_orders
    union all select 'stg_amazon__orders', 'missing_timestamp', missing_timestamp from raw_amazon_orders
    union all select 'stg_amazon__orders', 'invalid_email', invalid_email from amazon_orders
    union all select 'stg_amazon__orders', 'null_email', null_email from amazon_orders
    union all select 'stg_amazon__orders', 'unknown_currency', unknown_currency from amazon_orders
    union all select 'stg_amazon__orders', 'cancelled_order', cancelled_order from amazon_orders

    union all select 'stg_amazon__order_items', 'missing_key', missing_key from raw_amazon_order_items
    union all select 'stg_amazon__order_items', 'duplicate_row', duplicate_row from raw_amazon_order_items
    union all select 'stg_amazon__order_items', 'invalid_quantity', invalid_quantity from raw_amazon_order_items

    union all select 'stg_shipments', 'missing_key', missing_key from raw_shipments
    union all select 'stg_shipments', 'duplicate_row', duplicate_row from raw_shipments
    union all select 'stg_shipment_events', 'missing_key', missing_key from raw_shipment_events
    union all select 'stg_shipment_events', 'duplicate_row', duplicate_row from raw_shipment_events

    union all select 'stg_klaviyo__profiles', 'missing_key', missing_key from raw_klaviyo_profiles
    union all select 'stg_klaviyo__profiles', 'duplicate_row', duplicate_row from raw_klaviyo_profiles
    union all select 'stg_klaviyo__profiles', 'invalid_email', invalid_email from klaviyo_profiles
    union all select 'stg_klaviyo__profiles', 'null_email', null_email from klaviyo_profiles
    union all select 'stg_klaviyo__profiles', 'malformed_json', malformed_json from raw_klaviyo_profiles
    union all select 'stg_klaviyo__events', 'missing_key', missing_key from raw_klaviyo_events
    union all select 'stg_klaviyo__events', 'duplicate_row', duplicate_row from raw_klaviyo_events
    union all select 'stg_klaviyo__events', 'malformed_json', malformed_json from raw_klaviyo_events
    union all select 'stg_klaviyo__lists', 'missing_key', missing_key from raw_klaviyo_lists
    union all select 'stg_klaviyo__lists', 'duplicate_row', duplicate_row from raw_klaviyo_lists
    union all select 'stg_klaviyo__list_memberships', 'missing_key', missing_key from raw_klaviyo_list_memberships
    union all select 'stg_klaviyo__list_memberships', 'duplicate_row', duplicate_row from raw_klaviyo_list_memberships

    union all select 'stg_zendesk__users', 'missing_key', missing_key from raw_zendesk_users
    union all select 'stg_zendesk__users', 'duplicate_row', duplicate_row from raw_zendesk_users
    union all select 'stg_zendesk__users', 'invalid_email', invalid_email from zendesk_users
    union all select 'stg_zendesk__users', 'null_email', null_email from zendesk_users
    union all select 'stg_zendesk__tickets', 'missing_key', missing_key from raw_zendesk_tickets
    union all select 'stg_zendesk__tickets', 'duplicate_row', duplicate_row from raw_zendesk_tickets

    union all select 'int_customer__identity_resolved', 'amazon_unmatched', amazon_unmatched from identity
    union all select 'int_orders__attributed', 'unattributed_order', shopify_orders.orders - attributed_orders.shopify_orders
        from shopify_orders cross join attributed_orders
    union all select 'int_orders__attributed', 'unattributed_order', amazon_orders.orders - attributed_orders.amazon_orders
        from amazon_orders cross join attributed_orders
    union all select 'int_orders__attributed', 'negative_total', negative_total from attributed_orders
    union all select 'int_order_lines__enriched', 'unknown_product', unknown_product from order_lines
    union all select 'int_customer__shipment_metrics', 'unattributed_shipment', unattributed_shipment from shipments_without_order
    union all select 'int_customer__support_metrics', 'unattributed_ticket', unattributed_ticket from tickets_without_user
    union all select 'int_customer__email_engagement', 'unattributed_event', unattributed_event from events_without_profile

),

final as (

    select
        model,
        reason,
        {{ cast('sum(row_count)', 'bigint') }} as row_count
    from issues
    group by model, reason
    having sum(row_count) > 0

)

select * from final
