-- Lines of valid orders of every sales channel (grain: one row per line) with their order's customer and time and
-- the product's catalogue category and brand, for per-customer product metrics. Kept narrow on purpose (it
-- is the largest table of the build): no order or line id, no titles; per-order views read the staging lines.

with

orders as (

    select * from {{ ref('int_orders__unioned') }}

),

products as (

    select * from {{ ref('stg_products') }}

),

lines as (
{% for sales_channel in sales_channels('order_lines') %}
    {% if not loop.first %}union all{% endif %}
    select
        order_id,
        channel,
        product_id,
        asin,
        sku,
        brand,
        category,
        quantity,
        line_price
    from {{ sales_channel.relation }}
{% endfor %}
),

-- a line matches the catalogue by product id (Shopify), else ASIN (Amazon), else SKU; category and brand come
-- from the catalogue, for unknown products from the line itself
matched as (

    select
        lines.order_id,
        lines.channel,
        coalesce(by_id.product_id, by_asin.product_id, by_sku.product_id) as product_id,
        coalesce(by_id.brand, by_asin.brand, by_sku.brand, lines.brand) as brand,
        coalesce(by_id.category, by_asin.category, by_sku.category, lines.category) as category,
        lines.quantity,
        lines.line_price
    from lines
    left join products as by_id
        on lines.product_id = by_id.product_id
    left join products as by_asin
        on lines.asin = by_asin.asin
    left join products as by_sku
        on lines.sku = by_sku.sku

),

final as (

    select
        lines.channel,
        orders.customer_id,
        orders.ordered_at,
        lines.product_id,
        lines.brand,
        lines.category,
        lines.quantity,
        round(lines.line_price * orders.eur_per_unit, 2) as line_revenue_eur
    from matched as lines
    inner join orders
        on lines.order_id = orders.order_id
        and lines.channel = orders.channel

)

select * from final
