with

source as (

    select * from {{ source('klaviyo', 'lists') }}

),

deduplicated as (

    select
        *,
        row_number() over (partition by id order by name) as duplicate_rank
    from source
    where id is not null

),

final as (

    select
        trim(id) as klaviyo_list_id,
        nullif(trim(name), '') as list_name
    from deduplicated
    where duplicate_rank = 1

)

select * from final
