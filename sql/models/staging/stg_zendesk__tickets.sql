with

source as (

    select * from {{ source('zendesk', 'tickets') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by id
            order by updated_at desc nulls last, solved_at desc nulls last, status
        ) as duplicate_rank
    from source
    where id is not null

),

renamed as (

    select
        id as ticket_id,
        requester_id as zendesk_user_id,
        lower(trim(status)) as status,
        lower(nullif(trim(priority), '')) as priority,
        lower(nullif(trim(channel), '')) as via_channel,
        nullif(trim(subject), '') as subject,
        lower(nullif(trim(satisfaction_rating), '')) as satisfaction_rating,
        created_at,
        updated_at,
        solved_at
    from deduplicated
    where duplicate_rank = 1

),

final as (

    select
        ticket_id,
        zendesk_user_id,
        status,
        coalesce(status in ('new', 'open', 'pending', 'hold'), false) as is_open,
        priority,
        via_channel,
        subject,
        satisfaction_rating,
        coalesce(satisfaction_rating in ('good', 'bad'), false) as is_rated,
        created_at,
        updated_at,
        solved_at
    from renamed

)

select * from final
