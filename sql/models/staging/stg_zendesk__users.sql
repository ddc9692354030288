{% set email_pattern = '^[^@[:space:]]+@[^@[:space:]]+[.][a-z]{2,}$' %}

with

source as (

    select * from {{ source('zendesk', 'users') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by id
            order by created_at desc nulls last, email
        ) as duplicate_rank
    from source
    where id is not null

),

renamed as (

    select
        id as zendesk_user_id,
        nullif(lower(trim(email)), '') as email_trimmed,
        nullif(trim({{ regex_replace_all('name', '[[:space:]]+', ' ') }}), '') as full_name,
        created_at
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
        zendesk_user_id,
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
        full_name,
        -- the first word is taken as first name, the rest as last name
        {{ regex_replace_all('full_name', ' .*$', '') }} as first_name,
        case when strpos(full_name, ' ') > 0 then substr(full_name, strpos(full_name, ' ') + 1) end as last_name,
        created_at
    from email_normalized

)

select * from final
