with

source as (

    select * from {{ source('shipments', 'shipments') }}

),

deduplicated as (

    select
        *,
        -- no update timestamp: keep the row with the most advanced state
        row_number() over (
            partition by shipment_id
            order by delivered_at desc nulls last, shipped_at desc nulls last, created_at desc nulls last, status
        ) as duplicate_rank
    from source
    where shipment_id is not null

),

final as (

    select
        trim(shipment_id) as shipment_id,
        trim(order_id) as order_id,
        lower(trim(channel)) as channel,
        nullif(trim(carrier), '') as carrier,
        nullif(trim(tracking_number), '') as tracking_number,
        lower(trim(status)) as status,
        created_at as label_created_at,
        shipped_at,
        delivered_at
    from deduplicated
    where duplicate_rank = 1

)

select * from final
