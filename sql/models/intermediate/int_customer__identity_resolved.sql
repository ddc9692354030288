-- One row per source record that identifies a person: Shopify customers, Shopify guest orders (orders
-- without a known customer account), Amazon buyers (relay addresses), Klaviyo profiles and Zendesk users.
-- Each record gets an identity key; records with the same key are one customer (customer_id).

with

shopify_customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

amazon_orders as (

    select * from {{ ref('stg_amazon__orders') }}

),

amazon_customers as (

    select * from {{ ref('stg_amazon__customers') }}

),

klaviyo_profiles as (

    select * from {{ ref('stg_klaviyo__profiles') }}

),

zendesk_users as (

    select * from {{ ref('stg_zendesk__users') }}

),

shopify_customer_records as (

    select
        'shopify_customer' as source,
        {{ cast('shopify_customer_id', 'varchar') }} as source_record_id,
        'shopify:' || {{ cast('shopify_customer_id', 'varchar') }} as source_id,
        coalesce(identity_email, 'shopify:' || {{ cast('shopify_customer_id', 'varchar') }}) as identity_key,
        case when identity_email is not null then 'email' else 'shopify_customer_id' end as match_method,
        1 as source_priority,
        email,
        first_name,
        last_name,
        coalesce(updated_at, created_at) as seen_at
    from shopify_customers

),

-- an order belongs to its customer account (resolved in int_orders__attributed); guest orders, i.e. orders
-- without a known account, are keyed by their email, else by the unknown Shopify customer id
shopify_guest_order_records as (

    select
        'shopify_order' as source,
        shopify_orders.order_id as source_record_id,
        {{ cast('null', 'varchar') }} as source_id,
        coalesce(
            shopify_orders.identity_email,
            'shopify:' || {{ cast('shopify_orders.shopify_customer_id', 'varchar') }}
        ) as identity_key,
        case when shopify_orders.identity_email is not null then 'email' else 'shopify_customer_id' end as match_method,
        3 as source_priority,
        shopify_orders.email,
        {{ cast('null', 'varchar') }} as first_name,
        {{ cast('null', 'varchar') }} as last_name,
        shopify_orders.ordered_at as seen_at
    from shopify_orders
    left join shopify_customers
        on shopify_orders.shopify_customer_id = shopify_customers.shopify_customer_id
    where
        shopify_customers.shopify_customer_id is null
        and (shopify_orders.identity_email is not null or shopify_orders.shopify_customer_id is not null)

),

amazon_name_addresses as (

    select distinct
        buyer_identity_email,
        buyer_name_normalized,
        ship_postal_code
    from amazon_orders
    where
        buyer_identity_email is not null
        and buyer_name_normalized is not null
        and ship_postal_code is not null

),

-- (name, postal code) pairs under which a Shopify customer is known: default address and order addresses
shopify_customer_names as (

    select
        shopify_customer_records.identity_key,
        shopify_customers.shopify_customer_id,
        lower({{ regex_replace_all("shopify_customers.first_name || ' ' || shopify_customers.last_name", '[[:space:]]+', ' ') }}) as name_normalized
    from shopify_customers
    inner join shopify_customer_records
        on {{ cast('shopify_customers.shopify_customer_id', 'varchar') }} = shopify_customer_records.source_record_id
    where shopify_customers.first_name is not null and shopify_customers.last_name is not null

),

-- only names that some Amazon buyer uses can match; the rest need no addresses
shopify_candidate_names as (

    select *
    from shopify_customer_names
    where name_normalized in (select buyer_name_normalized from amazon_name_addresses)

),

shopify_customer_postal_codes as (

    select distinct
        shopify_customer_id,
        postal_code
    from (
        select shopify_customer_id, default_postal_code as postal_code
        from shopify_customers
        where default_postal_code is not null
        union all
        select shopify_customer_id, shipping_postal_code as postal_code
        from shopify_orders
        where shipping_postal_code is not null and shopify_customer_id is not null
    ) as addresses
    where shopify_customer_id in (select shopify_customer_id from shopify_candidate_names)

),

shopify_name_addresses as (

    select distinct
        shopify_candidate_names.identity_key,
        shopify_candidate_names.name_normalized,
        shopify_customer_postal_codes.postal_code
    from shopify_candidate_names
    inner join shopify_customer_postal_codes
        on shopify_candidate_names.shopify_customer_id = shopify_customer_postal_codes.shopify_customer_id

),

amazon_candidate_matches as (

    select distinct
        amazon_name_addresses.buyer_identity_email,
        shopify_name_addresses.identity_key
    from amazon_name_addresses
    inner join shopify_name_addresses
        on amazon_name_addresses.buyer_name_normalized = shopify_name_addresses.name_normalized
        and amazon_name_addresses.ship_postal_code = shopify_name_addresses.postal_code

),

-- a buyer is merged only when exactly one known customer matches
amazon_unique_matches as (

    select
        buyer_identity_email,
        min(identity_key) as identity_key
    from amazon_candidate_matches
    group by buyer_identity_email
    having count(*) = 1

),

amazon_buyer_records as (

    select
        'amazon_buyer' as source,
        buyer_identity_email as source_record_id,
        'amazon:' || buyer_email as source_id,
        buyer_identity_email as identity_key,
        'amazon_relay_email' as match_method,
        5 as source_priority,
        buyer_email as email,
        {{ regex_replace_all('buyer_name', ' .*$', '') }} as first_name,
        case when strpos(buyer_name, ' ') > 0 then substr(buyer_name, strpos(buyer_name, ' ') + 1) end as last_name,
        last_order_at as seen_at
    from amazon_customers

),

klaviyo_profile_records as (

    select
        'klaviyo_profile' as source,
        klaviyo_profile_id as source_record_id,
        'klaviyo:' || klaviyo_profile_id as source_id,
        coalesce(identity_email, 'klaviyo:' || klaviyo_profile_id) as identity_key,
        case when identity_email is not null then 'email' else 'klaviyo_profile_id' end as match_method,
        2 as source_priority,
        email,
        first_name,
        last_name,
        coalesce(updated_at, created_at) as seen_at
    from klaviyo_profiles

),

zendesk_user_records as (

    select
        'zendesk_user' as source,
        {{ cast('zendesk_user_id', 'varchar') }} as source_record_id,
        'zendesk:' || {{ cast('zendesk_user_id', 'varchar') }} as source_id,
        coalesce(identity_email, 'zendesk:' || {{ cast('zendesk_user_id', 'varchar') }}) as identity_key,
        case when identity_email is not null then 'email' else 'zendesk_user_id' end as match_method,
        4 as source_priority,
        email,
        first_name,
        last_name,
        created_at as seen_at
    from zendesk_users

),

-- OTTO Market buyers (the demo's third sales channel): one record per normalised buyer email, like a guest order
otto_buyer_records as (

    select
        'otto_buyer' as source,
        identity_email as source_record_id,
        {{ cast('null', 'varchar') }} as source_id,
        identity_email as identity_key,
        'email' as match_method,
        6 as source_priority,
        max(email) as email,
        {{ regex_replace_all('max(buyer_name)', ' .*$', '') }} as first_name,
        case when strpos(max(buyer_name), ' ') > 0 then substr(max(buyer_name), strpos(max(buyer_name), ' ') + 1) end as last_name,
        max(ordered_at) as seen_at
    from {{ ref('stg_otto__orders') }}
    where identity_email is not null
    group by identity_email

),

all_records as (

    select * from shopify_customer_records
    union all
    select * from shopify_guest_order_records
    union all
    select * from amazon_buyer_records
    union all
    select * from klaviyo_profile_records
    union all
    select * from zendesk_user_records
    union all
    select * from otto_buyer_records

),

-- a matched relay address stands for the Shopify customer in every source
resolved as (

    select
        all_records.*,
        coalesce(amazon_unique_matches.identity_key, all_records.identity_key) as resolved_identity_key,
        amazon_unique_matches.identity_key is not null as is_amazon_name_match
    from all_records
    left join amazon_unique_matches
        on all_records.identity_key = amazon_unique_matches.buyer_identity_email

),

final as (

    select
        'c_' || substr({{ md5_hex('resolved_identity_key') }}, 1, 16) as customer_id,
        source,
        source_record_id,
        source_id,
        resolved_identity_key as identity_key,
        case when is_amazon_name_match then 'amazon_name_postal_code' else match_method end as match_method,
        source_priority,
        email,
        first_name,
        last_name,
        seen_at
    from resolved

)

select * from final
