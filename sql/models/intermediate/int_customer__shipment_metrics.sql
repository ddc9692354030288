-- One row per customer with at least one shipment: delivery performance and problems.

with

orders as (

    select * from {{ ref('int_orders__attributed') }}

),

shipments as (

    select * from {{ ref('stg_shipments') }}

),

shipment_events as (

    select * from {{ ref('stg_shipment_events') }}

),

customer_shipments as (

    select
        orders.customer_id,
        shipments.shipment_id,
        shipments.tracking_number,
        shipments.status,
        shipments.shipped_at,
        shipments.delivered_at
    from shipments
    inner join orders
        on shipments.order_id = orders.order_id
        and shipments.channel = orders.channel

),

shipment_totals as (

    select
        customer_id,
        count(*) as shipments_count,
        sum(case when status = 'delivered' then 1 else 0 end) as delivered_shipments,
        sum(case when status in ('delivered', 'failed', 'returned') then 1 else 0 end) as final_shipments,
        sum(case when status in ('failed', 'returned') then 1 else 0 end) as failed_shipments,
        avg(
            case
                when status = 'delivered' and shipped_at is not null and delivered_at is not null
                    then {{ hours_between('shipped_at', 'delivered_at') }} / 24
            end
        ) as avg_delivery_time,
        max(shipped_at) as last_shipped_at
    from customer_shipments
    group by customer_id

),

-- tracking numbers are unique per shipment; the distinct guards against a number reused by two shipments
customer_tracking_numbers as (

    select distinct
        customer_id,
        tracking_number
    from customer_shipments
    where tracking_number is not null

),

problem_events as (

    select
        customer_tracking_numbers.customer_id,
        max(shipment_events.event_at) as last_delivery_problem_at
    from shipment_events
    inner join customer_tracking_numbers
        on shipment_events.tracking_number = customer_tracking_numbers.tracking_number
    where
        shipment_events.event_type in ('failed', 'delayed', 'returned')
        -- a scan after the build's reference time has not happened yet for this build
        and shipment_events.event_at <= {{ as_of() }}
    group by customer_tracking_numbers.customer_id

),

final as (

    select
        shipment_totals.customer_id,
        shipment_totals.shipments_count,
        shipment_totals.delivered_shipments,
        shipment_totals.failed_shipments,
        shipment_totals.avg_delivery_time,
        case
            when shipment_totals.final_shipments > 0
                then shipment_totals.delivered_shipments / shipment_totals.final_shipments
        end as delivery_success_rate,
        problem_events.last_delivery_problem_at,
        shipment_totals.last_shipped_at
    from shipment_totals
    left join problem_events
        on shipment_totals.customer_id = problem_events.customer_id

)

select * from final
