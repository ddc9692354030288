with

source as (

    select * from {{ source('shipments', 'shipment_events') }}

),

cleaned as (

    select
        trim(tracking_number) as tracking_number,
        lower(trim(event_type)) as event_type,
        event_at
    from source
    -- events without tracking number, type or time cannot be attributed (data_quality_issues: missing_key)
    where
        nullif(trim(tracking_number), '') is not null
        and nullif(trim(event_type), '') is not null
        and event_at is not null

),

-- tracking events have no id: exact duplicate rows (re-landed by the export) are collapsed
final as (

    select distinct
        tracking_number,
        event_type,
        event_at
    from cleaned

)

select * from final
