with

products as (

    select * from {{ ref('products') }}

),

final as (

    select
        {{ cast('product_id', 'bigint') }} as product_id,
        nullif(trim(sku), '') as sku,
        nullif(trim(asin), '') as asin,
        trim(title) as product_title,
        trim(brand) as brand,
        trim(category) as category,
        nullif(trim(form), '') as form,
        trim(product_type) as product_type,
        {{ cast('days_of_supply', 'integer') }} as days_of_supply,
        {{ cast('refill_product_id', 'bigint') }} as refill_product_id,
        {{ cast('price_eur', 'double') }} as price_eur,
        nullif(trim(season), '') as season,
        -- refills are used up like any consumable: they count for replenishment
        trim(product_type) in ('consumable', 'refill') and days_of_supply is not null as is_consumable,
        trim(product_type) = 'device' and refill_product_id is not null as is_device
    from products

)

select * from final
