with

source as (

    select * from {{ source('shopify', 'order_lines') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by id
            order by quantity desc nulls last, price desc nulls last
        ) as duplicate_rank
    from source
    where id is not null

),

final as (

    select
        id as order_line_id,
        {{ cast('order_id', 'varchar') }} as order_id,
        'shopify' as channel,
        product_id,
        {{ cast('null', 'varchar') }} as asin,
        nullif(trim(sku), '') as sku,
        nullif(trim(title), '') as product_title,
        nullif(trim(brand), '') as brand,
        nullif(trim(category), '') as category,
        quantity,
        price as unit_price,
        price * quantity as line_price
    from deduplicated
    where
        duplicate_rank = 1
        -- lines without a positive quantity are dropped (data_quality_issues: invalid_quantity)
        and quantity > 0

)

select * from final
