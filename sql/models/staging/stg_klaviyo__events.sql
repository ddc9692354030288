with

source as (

    select * from {{ source('klaviyo', 'events') }}

),

deduplicated as (

    select
        *,
        row_number() over (partition by id order by datetime desc nulls last) as duplicate_rank
    from source
    where id is not null

),

parsed as (

    select
        *,
        -- json_str yields null for malformed JSON (counted in data_quality_issues: malformed_json); the
        -- like filter only skips parsing rows that cannot hold the key
        case
            when properties like '%machine_open%' then lower({{ json_str('properties', 'machine_open') }})
        end as machine_open_raw
    from deduplicated
    where duplicate_rank = 1

),

final as (

    select
        trim(id) as event_id,
        trim(profile_id) as klaviyo_profile_id,
        trim(metric) as metric_name,
        datetime as occurred_at,
        nullif(trim(campaign_id), '') as campaign_id,
        nullif(trim(flow_id), '') as flow_id,
        coalesce(machine_open_raw = 'true', false) as is_machine_open
    from parsed

)

select * from final
