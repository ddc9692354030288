with

source as (

    select * from {{ source('klaviyo', 'list_memberships') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by list_id, profile_id
            order by created desc nulls last
        ) as duplicate_rank
    from source
    where list_id is not null and profile_id is not null

),

final as (

    select
        trim(list_id) as klaviyo_list_id,
        trim(profile_id) as klaviyo_profile_id,
        created as joined_at
    from deduplicated
    where duplicate_rank = 1

)

select * from final
