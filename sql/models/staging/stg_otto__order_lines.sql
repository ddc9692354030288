-- OTTO Market position items per order and SKU, shaped to the sales channel contract (sql/DEFINITIONS.md).

with

source as (

    select * from {{ source('otto', 'order_lines') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by sales_order_id, position_item_id
            order by quantity desc nulls last, item_price desc nulls last
        ) as duplicate_rank
    from source
    where sales_order_id is not null and position_item_id is not null

),

final as (

    select
        trim(position_item_id) as order_line_id,
        trim(sales_order_id) as order_id,
        'otto' as channel,
        {{ cast('null', 'bigint') }} as product_id,
        {{ cast('null', 'varchar') }} as asin,
        nullif(trim(sku), '') as sku,
        nullif(trim(product_title), '') as product_title,
        {{ cast('null', 'varchar') }} as brand,
        {{ cast('null', 'varchar') }} as category,
        quantity,
        item_price as line_price
    from deduplicated
    where
        duplicate_rank = 1
        and quantity > 0

)

select * from final
