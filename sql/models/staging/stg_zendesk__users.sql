{% from 'email.sql' import email_identity %}

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

{{ email_identity('renamed') }},

final as (

    select
        zendesk_user_id,
        email,
        identity_email,
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
