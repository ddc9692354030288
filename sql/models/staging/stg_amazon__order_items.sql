with

source as (

    select * from {{ source('amazon', 'order_items') }}

),

-- order items carry no item id and an order may hold the same ASIN twice at different prices: rows that
-- agree on order, ASIN, SKU, quantity and price are one item (re-landed by the export)
deduplicated as (

    select
        amazon_order_id,
        asin,
        seller_sku,
        quantity,
        item_price,
        min(title) as title
    from source
    where amazon_order_id is not null
    group by amazon_order_id, asin, seller_sku, quantity, item_price

),

final as (

    select
        trim(amazon_order_id)
            || ':' || coalesce(trim(asin), '')
            || ':' || coalesce(trim(seller_sku), '')
            || ':' || {{ cast('quantity', 'varchar') }}
            || ':' || {{ cast('item_price', 'varchar') }} as order_item_id,
        trim(amazon_order_id) as order_id,
        'amazon' as channel,
        {{ cast('null', 'bigint') }} as product_id,
        nullif(trim(asin), '') as asin,
        nullif(trim(seller_sku), '') as sku,
        nullif(trim(title), '') as product_title,
        {{ cast('null', 'varchar') }} as brand,
        {{ cast('null', 'varchar') }} as category,
        quantity,
        item_price as line_price
    from deduplicated
    -- items without a positive quantity are dropped (data_quality_issues: invalid_quantity)
    where quantity > 0

)

select * from final
