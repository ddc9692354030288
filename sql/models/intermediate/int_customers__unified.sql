-- One row per resolved customer with the best contact details across sources.

with

identity as (

    select * from {{ ref('int_customer__identity_resolved') }}

),

shopify_customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

-- contact email: Shopify account, then Klaviyo profile, Shopify guest order, Zendesk user, Amazon relay
-- address; within a source the most recently seen record wins
ranked_emails as (

    select
        customer_id,
        email,
        row_number() over (
            partition by customer_id
            order by source_priority, seen_at desc nulls last, email
        ) as email_rank
    from identity
    where email is not null

),

ranked_names as (

    select
        customer_id,
        first_name,
        last_name,
        row_number() over (
            partition by customer_id
            order by source_priority, seen_at desc nulls last, source_record_id
        ) as name_rank
    from identity
    where first_name is not null or last_name is not null

),

ranked_shopify_accounts as (

    select
        identity.customer_id,
        shopify_customers.phone,
        shopify_customers.default_postal_code,
        shopify_customers.default_city,
        shopify_customers.default_country_code,
        shopify_customers.email_marketing_consent,
        shopify_customers.created_at,
        row_number() over (
            partition by identity.customer_id
            order by shopify_customers.updated_at desc nulls last, shopify_customers.shopify_customer_id desc
        ) as account_rank
    from identity
    inner join shopify_customers
        on identity.source_record_id = {{ cast('shopify_customers.shopify_customer_id', 'varchar') }}
    where identity.source = 'shopify_customer'

),

customer_totals as (

    select
        customer_id,
        min(identity_key) as identity_key,
        min(seen_at) as first_seen_at,
        {{ list_agg('source_id', 'source_id') }} as source_ids,
        {{ count_if("source = 'shopify_customer'") }} as shopify_accounts_count,
        {{ any_true("source = 'amazon_buyer'") }} as has_amazon_buyer,
        {{ any_true("source = 'klaviyo_profile'") }} as has_klaviyo_profile,
        {{ any_true("source = 'zendesk_user'") }} as has_zendesk_user,
        {{ any_true("match_method = 'amazon_name_postal_code'") }} as is_amazon_name_match
    from identity
    group by customer_id

),

final as (

    select
        customer_totals.customer_id,
        customer_totals.identity_key,
        ranked_emails.email,
        coalesce(ranked_emails.email like '%@marketplace.amazon.%', false) as is_relay_email,
        ranked_names.first_name,
        ranked_names.last_name,
        ranked_shopify_accounts.phone,
        ranked_shopify_accounts.default_postal_code as postal_code,
        ranked_shopify_accounts.default_city as city,
        ranked_shopify_accounts.default_country_code as country_code,
        ranked_shopify_accounts.email_marketing_consent as shopify_email_marketing_consent,
        coalesce(customer_totals.source_ids, {{ empty_string_list() }}) as source_ids,
        customer_totals.shopify_accounts_count > 0 as has_shopify_account,
        customer_totals.has_amazon_buyer,
        customer_totals.has_klaviyo_profile,
        customer_totals.has_zendesk_user,
        customer_totals.is_amazon_name_match,
        customer_totals.first_seen_at
    from customer_totals
    left join ranked_emails
        on customer_totals.customer_id = ranked_emails.customer_id
        and ranked_emails.email_rank = 1
    left join ranked_names
        on customer_totals.customer_id = ranked_names.customer_id
        and ranked_names.name_rank = 1
    left join ranked_shopify_accounts
        on customer_totals.customer_id = ranked_shopify_accounts.customer_id
        and ranked_shopify_accounts.account_rank = 1

)

select * from final
