{% set email_pattern = '^[^@[:space:]]+@[^@[:space:]]+[.][a-z]{2,}$' %}

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

email_validated as (

    select
        *,
        case
            when email_trimmed is null then 'missing'
            when {{ regex_matches('email_trimmed', email_pattern) }} then 'valid'
            else 'invalid'
        end as email_status
    from renamed

),

email_split as (

    select
        *,
        case when email_status = 'valid' then email_trimmed end as email,
        case when email_status = 'valid' then substr(email_trimmed, 1, strpos(email_trimmed, '@') - 1) end as email_local_part,
        case when email_status = 'valid' then substr(email_trimmed, strpos(email_trimmed, '@') + 1) end as email_domain
    from email_validated

),

email_normalized as (

    select
        *,
        -- the +tag of the local part is dropped for every domain
        case
            when strpos(email_local_part, '+') > 0 then substr(email_local_part, 1, strpos(email_local_part, '+') - 1)
            else email_local_part
        end as identity_local_part,
        case when email_domain = 'googlemail.com' then 'gmail.com' else email_domain end as identity_domain
    from email_split

),

final as (

    select
        shopify_customer_id,
        email,
        case
            when email is null then null
            when identity_domain = 'gmail.com' and replace(identity_local_part, '.', '') <> ''
                then replace(identity_local_part, '.', '') || '@' || identity_domain
            when identity_local_part <> '' then identity_local_part || '@' || identity_domain
            else email
        end as identity_email,
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
