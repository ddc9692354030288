-- Lines of valid orders of both channels (grain: one row per line) with their order's customer and time and
-- the product's catalogue category and brand, for per-customer product metrics. Kept narrow on purpose (it
-- is the largest table of the build): no order or line id, no titles; per-order views read the staging lines.

with

orders as (

    select * from {{ ref('int_orders__unioned') }}

),

shopify_lines as (

    select * from {{ ref('stg_shopify__order_lines') }}

),

amazon_items as (

    select * from {{ ref('stg_amazon__order_items') }}

),

products as (

    select * from {{ ref('stg_products') }}

),

-- Shopify lines match the catalogue by product id, else by SKU
shopify_matched as (

    select
        shopify_lines.order_id,
        'shopify' as channel,
        coalesce(by_id.product_id, by_sku.product_id) as product_id,
        coalesce(by_id.brand, by_sku.brand, shopify_lines.brand) as brand,
        coalesce(by_id.category, by_sku.category, shopify_lines.category) as category,
        shopify_lines.quantity,
        shopify_lines.unit_price * shopify_lines.quantity as line_price
    from shopify_lines
    left join products as by_id
        on shopify_lines.product_id = by_id.product_id
    left join products as by_sku
        on shopify_lines.sku = by_sku.sku

),

-- Amazon items match the catalogue by ASIN, else by seller SKU
amazon_matched as (

    select
        amazon_items.order_id,
        'amazon' as channel,
        coalesce(by_asin.product_id, by_sku.product_id) as product_id,
        coalesce(by_asin.brand, by_sku.brand) as brand,
        coalesce(by_asin.category, by_sku.category) as category,
        amazon_items.quantity,
        amazon_items.line_price
    from amazon_items
    left join products as by_asin
        on amazon_items.asin = by_asin.asin
    left join products as by_sku
        on amazon_items.sku = by_sku.sku

),

lines as (

    select * from shopify_matched
    union all
    select * from amazon_matched

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
    from lines
    inner join orders
        on lines.order_id = orders.order_id
        and lines.channel = orders.channel

)

select * from final
