{% from 'email.sql' import email_identity %}

with

source as (

    select * from {{ source('klaviyo', 'profiles') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by id
            order by updated desc nulls last, created desc nulls last
        ) as duplicate_rank
    from source
    where id is not null

),

renamed as (

    select
        trim(id) as klaviyo_profile_id,
        nullif(lower(trim(email)), '') as email_trimmed,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        created as created_at,
        updated as updated_at,
        -- json_str yields null for malformed JSON (counted in data_quality_issues: malformed_json)
        properties,
        upper(nullif(trim(email_consent), '')) as email_consent,
        upper(nullif(trim(suppression_reason), '')) as suppression_reason
    from deduplicated
    where duplicate_rank = 1

),

properties_extracted as (

    select
        *,
        lower(trim({{ json_str('properties', 'gender') }})) as gender_raw,
        {{ safe_cast(json_str('properties', 'birthday'), 'date') }} as birthday_raw,
        case
            when properties like '%pregnancy_opt_in%' then lower(trim({{ json_str('properties', 'pregnancy_opt_in') }}))
        end as pregnancy_opt_in_raw,
        nullif(trim({{ json_str('properties', 'source') }}), '') as signup_source
    from renamed

),

{{ email_identity('properties_extracted') }},

final as (

    select
        klaviyo_profile_id,
        email,
        identity_email,
        email_status,
        coalesce(email like '%@marketplace.amazon.%', false) as is_relay_email,
        first_name,
        last_name,
        email_consent,
        suppression_reason,
        suppression_reason is not null as is_suppressed,
        case
            when gender_raw in ('female', 'f', 'w', 'weiblich', 'frau') then 'female'
            when gender_raw in ('male', 'm', 'männlich', 'maennlich', 'mann') then 'male'
            when gender_raw in ('diverse', 'd', 'divers', 'non-binary', 'nonbinary') then 'diverse'
        end as gender,
        -- implausible birthdays (in the future or before 1900) are ignored
        case
            when birthday_raw > {{ local_date(as_of()) }} then null
            when birthday_raw < {{ cast("'1900-01-01'", 'date') }} then null
            else birthday_raw
        end as birth_date,
        coalesce(pregnancy_opt_in_raw in ('true', '1', 'yes'), false) as pregnancy_opt_in,
        signup_source,
        created_at,
        updated_at
    from email_normalized

)

select * from final
