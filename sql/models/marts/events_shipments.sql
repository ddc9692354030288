-- One row per recent shipment status change to send to Klaviyo as an event (metric = event_name).
-- Only customers with a usable contact email that is not an Amazon relay address are included, marketable or
-- not: a shipping notice is a transactional mail. Orders that were cancelled or fully refunded get no events.

with

shipment_events as (

    select * from {{ ref('stg_shipment_events') }}

),

shipments as (

    select * from {{ ref('stg_shipments') }}

),

orders as (

    select * from {{ ref('int_orders__attributed') }}

),

order_lines as (
{% for sales_channel in sales_channels('order_lines') %}
    {% if not loop.first %}union all{% endif %}
    select
        order_id,
        channel,
        product_id,
        asin,
        sku,
        product_title
    from {{ sales_channel.relation }}
{% endfor %}
),

products as (

    select * from {{ ref('stg_products') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

-- only recent status changes are sent: as_of - shipment_events_window_days < event_at <= as_of
recent_events as (

    select
        tracking_number,
        event_type,
        event_at,
        case event_type
            when 'shipped' then 'Package Shipped'
            when 'delivered' then 'Package Delivered'
            when 'failed' then 'Delivery Failed'
            when 'delayed' then 'Delivery Delayed'
        end as event_name
    from shipment_events
    where
        event_type in ('shipped', 'delivered', 'failed', 'delayed')
        and event_at <= {{ as_of() }}
        and {{ hours_between('event_at', as_of()) }} < 24 * {{ var('shipment_events_window_days') }}

),

-- a tracking number belongs to one shipment; should it be reused, the latest label wins
event_shipments as (

    select
        recent_events.*,
        shipments.shipment_id,
        shipments.order_id,
        shipments.channel,
        shipments.carrier,
        row_number() over (
            partition by recent_events.tracking_number, recent_events.event_type, recent_events.event_at
            order by shipments.label_created_at desc nulls last, shipments.shipment_id desc
        ) as shipment_rank
    from recent_events
    inner join shipments
        on recent_events.tracking_number = shipments.tracking_number

),

-- a cancelled or fully refunded order gets no events at all: "Package Delivered" would start review and
-- replenishment flows, "Delivery Failed" a service mail, for an order the customer no longer has
customer_events as (

    select
        event_shipments.*,
        customers.customer_id,
        customers.email,
        customers.first_name,
        customers.last_name,
        customers.is_marketable
    from event_shipments
    inner join orders
        on event_shipments.order_id = orders.order_id
        and event_shipments.channel = orders.channel
    inner join customers
        on orders.customer_id = customers.customer_id
    where
        event_shipments.shipment_rank = 1
        and not orders.is_cancelled
        and not orders.is_refunded
        and customers.email is not null
        and not customers.is_relay_email

),

event_orders as (

    select distinct
        order_id,
        channel
    from customer_events

),

-- product titles as in int_order_lines__enriched: catalogue title (by product id, else ASIN, else SKU), else
-- the line's own title
event_order_lines as (

    select
        event_orders.order_id,
        event_orders.channel,
        coalesce(by_id.product_title, by_asin.product_title, by_sku.product_title, order_lines.product_title) as product_title
    from event_orders
    inner join order_lines
        on event_orders.order_id = order_lines.order_id
        and event_orders.channel = order_lines.channel
    left join products as by_id
        on order_lines.product_id = by_id.product_id
    left join products as by_asin
        on order_lines.asin = by_asin.asin
    left join products as by_sku
        on order_lines.sku = by_sku.sku

),

order_products as (

    select distinct
        order_id,
        channel,
        product_title
    from event_order_lines
    where product_title is not null

),

order_product_lists as (

    select
        order_id,
        channel,
        {{ list_agg('product_title', 'product_title') }} as product_names
    from order_products
    group by order_id, channel

),

final as (

    select
        -- the time as canonical text (ISO-8601 UTC, milliseconds), so every engine hashes the same string
        {{ md5_hex("customer_events.tracking_number || '|' || customer_events.event_type || '|' || " ~ iso_utc_text('customer_events.event_at')) }} as event_id,
        customer_events.email,
        customer_events.first_name,
        customer_events.last_name,
        customer_events.is_marketable,
        customer_events.event_name,
        customer_events.carrier,
        customer_events.tracking_number,
        case
            when upper(customer_events.carrier) = 'DHL'
                then 'https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=' || customer_events.tracking_number
            when upper(customer_events.carrier) = 'DPD'
                then 'https://tracking.dpd.de/status/de_DE/parcel/' || customer_events.tracking_number
            when upper(customer_events.carrier) = 'HERMES'
                then 'https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation/#' || customer_events.tracking_number
            when upper(customer_events.carrier) = 'GLS'
                then 'https://gls-group.com/DE/de/paketverfolgung?match=' || customer_events.tracking_number
        end as tracking_url,
        customer_events.order_id,
        customer_events.channel,
        customer_events.customer_id,
        customer_events.event_at as event_timestamp,
        coalesce(order_product_lists.product_names, {{ empty_string_list() }}) as product_names,
        customer_events.shipment_id
    from customer_events
    left join order_product_lists
        on customer_events.order_id = order_product_lists.order_id
        and customer_events.channel = order_product_lists.channel

)

select * from final
