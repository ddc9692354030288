{% from 'email.sql' import email_identity %}

with

source as (

    select * from {{ source('shopify', 'customers') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by id
            order by updated_at desc nulls last, created_at desc nulls last
        ) as duplicate_rank
    from source
    where id is not null

),

renamed as (

    select
        id as shopify_customer_id,
        nullif(lower(trim(email)), '') as email_trimmed,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        nullif(trim(phone), '') as phone,
        created_at,
        updated_at,
        lower(trim(email_marketing_consent)) as email_marketing_consent,
        nullif(trim(default_address_zip), '') as default_postal_code,
        nullif(trim(default_address_city), '') as default_city,
        upper(nullif(trim(default_address_country), '')) as default_country_code,
        nullif(trim(tags), '') as tags
    from deduplicated
    where duplicate_rank = 1

),

{{ email_identity('renamed') }},

final as (

    select
        shopify_customer_id,
        email,
        identity_email,
        email_status,
        coalesce(email like '%@marketplace.amazon.%', false) as is_relay_email,
        first_name,
        last_name,
        phone,
        email_marketing_consent,
        default_postal_code,
        default_city,
        default_country_code,
        tags,
        created_at,
        updated_at
    from email_normalized

)

select * from final
