-- One row per source record that identifies a person: Shopify customers, Shopify guest orders (orders
-- without a known customer account), Amazon buyers (relay addresses), Klaviyo profiles and Zendesk users.
-- Each record gets an identity key; records with the same key are one customer (customer_id). Rules in
-- sql/DEFINITIONS.md (Identity): the normalised email; for a Shopify account without one, the one checkout
-- email its orders agree on; a marketplace buyer joins a customer by name + postal code only when the match is
-- unique on both sides and nothing conflicts. A new source adds its records CTE to all_records.

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

-- an account without a valid email is known by the checkout email of its orders, when they all agree
shopify_account_checkout_emails as (

    select
        shopify_customer_id,
        min(identity_email) as checkout_identity_email
    from shopify_orders
    where shopify_customer_id is not null and identity_email is not null
    group by shopify_customer_id
    having count(distinct identity_email) = 1

),

shopify_customer_records as (

    select
        'shopify_customer' as source,
        {{ cast('shopify_customers.shopify_customer_id', 'varchar') }} as source_record_id,
        'shopify:' || {{ cast('shopify_customers.shopify_customer_id', 'varchar') }} as source_id,
        coalesce(
            shopify_customers.identity_email,
            shopify_account_checkout_emails.checkout_identity_email,
            'shopify:' || {{ cast('shopify_customers.shopify_customer_id', 'varchar') }}
        ) as identity_key,
        case
            when shopify_customers.identity_email is not null then 'email'
            when shopify_account_checkout_emails.checkout_identity_email is not null then 'checkout_email'
            else 'shopify_customer_id'
        end as match_method,
        1 as source_priority,
        shopify_customers.email,
        shopify_customers.first_name,
        shopify_customers.last_name,
        coalesce(shopify_customers.updated_at, shopify_customers.created_at) as seen_at
    from shopify_customers
    left join shopify_account_checkout_emails
        on shopify_customers.shopify_customer_id = shopify_account_checkout_emails.shopify_customer_id

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

-- Name + postal code matching of marketplace buyers (sql/DEFINITIONS.md, Identity). Every (name, postal
-- code, country) under which a buyer ordered; a new marketplace adds its buyers here, keyed like its records.
marketplace_buyer_addresses as (

    select distinct
        'amazon' as channel,
        buyer_identity_email as buyer_key,
        buyer_name_normalized as name_key,
        ship_postal_code as postal_code,
        ship_country_code as country_code
    from amazon_orders
    where
        buyer_identity_email is not null
        and buyer_name_normalized is not null
        and ship_postal_code is not null

),

-- (name, postal code, country) under which a Shopify customer is known: default address and order addresses
shopify_customer_names as (

    select
        shopify_customer_records.identity_key,
        shopify_customers.shopify_customer_id,
        {{ name_key("shopify_customers.first_name || ' ' || shopify_customers.last_name") }} as name_key
    from shopify_customers
    inner join shopify_customer_records
        on {{ cast('shopify_customers.shopify_customer_id', 'varchar') }} = shopify_customer_records.source_record_id
    where shopify_customers.first_name is not null and shopify_customers.last_name is not null

),

-- only names that some marketplace buyer uses can match; the rest need no addresses
shopify_candidate_names as (

    select *
    from shopify_customer_names
    where name_key in (select name_key from marketplace_buyer_addresses)

),

shopify_customer_addresses as (

    select distinct
        shopify_customer_id,
        postal_code,
        country_code
    from (
        select
            shopify_customer_id,
            default_postal_code as postal_code,
            default_country_code as country_code
        from shopify_customers
        where default_postal_code is not null
        union all
        select
            shopify_customer_id,
            shipping_postal_code as postal_code,
            shipping_country_code as country_code
        from shopify_orders
        where shipping_postal_code is not null and shopify_customer_id is not null
    ) as addresses
    where shopify_customer_id in (select shopify_customer_id from shopify_candidate_names)

),

shopify_name_addresses as (

    select distinct
        shopify_candidate_names.identity_key,
        shopify_candidate_names.name_key,
        shopify_customer_addresses.postal_code,
        shopify_customer_addresses.country_code
    from shopify_candidate_names
    inner join shopify_customer_addresses
        on shopify_candidate_names.shopify_customer_id = shopify_customer_addresses.shopify_customer_id

),

-- OTTO buyers are known by their email and give name and delivery address with every order
otto_name_addresses as (

    select distinct
        identity_email as identity_key,
        {{ name_key('buyer_name') }} as name_key,
        delivery_postal_code as postal_code,
        delivery_country_code as country_code
    from {{ ref('stg_otto__orders') }}
    where identity_email is not null and buyer_name is not null and delivery_postal_code is not null

),

-- every customer known by email whose name and address a marketplace buyer can match
known_name_addresses as (

    select * from shopify_name_addresses
    union all
    select * from otto_name_addresses

),

-- same name at the same postal code, unless the countries differ (another place)
marketplace_candidate_matches as (

    select distinct
        marketplace_buyer_addresses.channel,
        marketplace_buyer_addresses.buyer_key,
        known_name_addresses.identity_key
    from marketplace_buyer_addresses
    inner join known_name_addresses
        on marketplace_buyer_addresses.name_key = known_name_addresses.name_key
        and marketplace_buyer_addresses.postal_code = known_name_addresses.postal_code
    where
        marketplace_buyer_addresses.country_code is null
        or known_name_addresses.country_code is null
        or marketplace_buyer_addresses.country_code = known_name_addresses.country_code

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

-- customers that already hold a relay address take none by name
relay_holders as (

    select distinct identity_key
    from all_records
    where email like '%@marketplace.amazon.%'

),

buyer_candidate_counts as (

    select
        buyer_key,
        count(distinct identity_key) as candidates_count
    from marketplace_candidate_matches
    group by buyer_key

),

customer_candidate_counts as (

    select
        identity_key,
        count(distinct buyer_key) as candidates_count
    from marketplace_candidate_matches
    group by identity_key

),

-- merged only when the match is unique on both sides: one customer for the buyer, one buyer for the customer
marketplace_unique_matches as (

    select
        marketplace_candidate_matches.channel,
        marketplace_candidate_matches.buyer_key,
        marketplace_candidate_matches.identity_key
    from marketplace_candidate_matches
    inner join buyer_candidate_counts
        on marketplace_candidate_matches.buyer_key = buyer_candidate_counts.buyer_key
    inner join customer_candidate_counts
        on marketplace_candidate_matches.identity_key = customer_candidate_counts.identity_key
    where
        buyer_candidate_counts.candidates_count = 1
        and customer_candidate_counts.candidates_count = 1
        and marketplace_candidate_matches.identity_key not in (select identity_key from relay_holders)

),

-- a matched relay address stands for the Shopify customer in every source
resolved as (

    select
        all_records.*,
        coalesce(marketplace_unique_matches.identity_key, all_records.identity_key) as resolved_identity_key,
        marketplace_unique_matches.channel as name_match_channel
    from all_records
    left join marketplace_unique_matches
        on all_records.identity_key = marketplace_unique_matches.buyer_key

),

final as (

    select
        'c_' || substr({{ md5_hex('resolved_identity_key') }}, 1, 16) as customer_id,
        source,
        source_record_id,
        source_id,
        resolved_identity_key as identity_key,
        coalesce(name_match_channel || '_name_postal_code', match_method) as match_method,
        source_priority,
        email,
        first_name,
        last_name,
        seen_at
    from resolved

)

select * from final
