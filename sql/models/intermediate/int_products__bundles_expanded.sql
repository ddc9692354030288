-- Every catalogue product with what it counts as when a customer buys it: a bundle counts as its contents
-- (seed bundle_components), any other product as itself. Customers' categories, brands, seasons and product
-- types are read through this, so a pregnancy bundle makes a pregnancy buyer. Tiny (one row per product or
-- bundle component): the per-customer models join it after grouping their lines by product.

with

products as (

    select * from {{ ref('stg_products') }}

),

bundle_components as (

    select * from {{ ref('bundle_components') }}

),

bundles as (

    select distinct
        {{ cast('bundle_product_id', 'bigint') }} as bundle_product_id
    from bundle_components

),

bundle_contents as (

    select
        {{ cast('bundle_product_id', 'bigint') }} as product_id,
        {{ cast('component_product_id', 'bigint') }} as component_product_id,
        {{ cast('quantity', 'integer') }} as component_quantity
    from bundle_components

),

single_products as (

    select
        products.product_id,
        products.product_id as component_product_id,
        1 as component_quantity
    from products
    left join bundles
        on products.product_id = bundles.bundle_product_id
    where bundles.bundle_product_id is null

),

contents as (

    select * from bundle_contents
    union all
    select * from single_products

),

final as (

    select
        contents.product_id,
        contents.component_product_id,
        contents.component_quantity,
        contents.product_id <> contents.component_product_id as is_bundle_content,
        components.category,
        components.brand,
        components.season,
        components.product_type,
        components.refill_product_id
    from contents
    inner join products as components
        on contents.component_product_id = components.product_id

)

select * from final
