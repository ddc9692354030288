-- One row per buyer: preferred categories and brands, categories bought, seasonal and topic flags, the kind of
-- products bought (product_type, device without its refill) and the next replenishment date. A bundle counts as
-- its contents (int_products__bundles_expanded), except for replenishment, where the pack itself runs out.

with

order_metrics as (

    select * from {{ ref('int_customer__order_metrics') }}

),

order_lines as (

    select * from {{ ref('int_order_lines__enriched') }}

),

products as (

    select * from {{ ref('stg_products') }}

),

product_contents as (

    select * from {{ ref('int_products__bundles_expanded') }}

),

-- int_order_lines__enriched holds the lines of valid orders only. The columns are named: this CTE is read
-- several times, so DuckDB materialises it, and `select *` would copy every column of ~9 lines per customer.
valid_lines as (

    select
        customer_id,
        product_id,
        category,
        brand,
        quantity,
        ordered_at
    from order_lines

),

-- units per customer and product; catalogue products are grouped by id (cheap) and get their category,
-- brand, season and type from the catalogue, other lines keep the category and brand they carry
known_product_units as (

    select
        customer_id,
        product_id,
        sum(quantity) as units
    from valid_lines
    where product_id is not null
    group by customer_id, product_id

),

unknown_product_units as (

    select
        customer_id,
        category,
        brand,
        sum(quantity) as units
    from valid_lines
    where product_id is null
    group by customer_id, category, brand

),

-- a bundle becomes its contents: units of each component = bundles bought x component quantity
content_units as (

    select
        known_product_units.customer_id,
        product_contents.component_product_id,
        product_contents.category,
        product_contents.brand,
        product_contents.season,
        product_contents.product_type,
        product_contents.refill_product_id,
        known_product_units.units * product_contents.component_quantity as units
    from known_product_units
    inner join product_contents
        on known_product_units.product_id = product_contents.product_id

),

line_groups as (

    select
        customer_id,
        category,
        brand,
        season,
        product_type,
        units
    from content_units
    union all
    select
        customer_id,
        category,
        brand,
        {{ cast('null', 'varchar') }} as season,
        {{ cast('null', 'varchar') }} as product_type,
        units
    from unknown_product_units

),

category_units as (

    select
        customer_id,
        category,
        sum(units) as units
    from line_groups
    where category is not null
    group by customer_id, category

),

brand_units as (

    select
        customer_id,
        brand,
        sum(units) as units
    from line_groups
    where brand is not null
    group by customer_id, brand

),

-- top categories and brands by units desc, then name; ranked with a window and pivoted, which is much
-- cheaper than an ordered list aggregate per customer
ranked_categories as (

    select
        customer_id,
        category,
        row_number() over (partition by customer_id order by units desc, category) as category_rank
    from category_units

),

category_preferences as (

    select
        customer_id,
        max(case when category_rank = 1 then category end) as category_1,
        max(case when category_rank = 2 then category end) as category_2,
        max(case when category_rank = 3 then category end) as category_3
    from ranked_categories
    where category_rank <= 3
    group by customer_id

),

bought_categories as (

    select
        customer_id,
        {{ list_agg('category', 'category') }} as bought_categories,
        count(*) as categories_bought
    from category_units
    group by customer_id

),

ranked_brands as (

    select
        customer_id,
        brand,
        row_number() over (partition by customer_id order by units desc, brand) as brand_rank
    from brand_units

),

brand_preferences as (

    select
        customer_id,
        max(case when brand_rank = 1 then brand end) as brand_1,
        max(case when brand_rank = 2 then brand end) as brand_2
    from ranked_brands
    where brand_rank <= 2
    group by customer_id

),

line_flags as (

    select
        customer_id,
        sum(units) as units_bought,
        {{ any_true("season = 'cold'") }} as has_bought_cold_products,
        {{ any_true("season = 'allergy'") }} as has_bought_allergy_products,
        {{ any_true("season = 'advent'") }} as has_bought_advent_products,
        {{ any_true("category = 'Schlaf'") }} as has_bought_sleep_products,
        {{ any_true("category = 'Schwangerschaft'") }} as has_bought_pregnancy_products,
        {{ any_true("product_type in ('consumable', 'refill')") }} as has_bought_used_up_products,
        {{ any_true("product_type in ('one_time', 'device')") }} as has_bought_lasting_products
    from line_groups
    group by customer_id

),

-- devices bought and whether their refill was ever bought (before or after, any channel, also in a bundle)
devices_bought as (

    select distinct
        customer_id,
        refill_product_id
    from content_units
    where product_type = 'device' and refill_product_id is not null

),

device_flags as (

    select
        devices_bought.customer_id,
        {{ any_true('refills_bought.customer_id is null') }} as has_device_without_refill
    from devices_bought
    left join content_units as refills_bought
        on devices_bought.customer_id = refills_bought.customer_id
        and devices_bought.refill_product_id = refills_bought.component_product_id
    group by devices_bought.customer_id

),

consumable_lines as (

    select
        valid_lines.customer_id,
        valid_lines.ordered_at,
        products.days_of_supply * valid_lines.quantity as supply_days
    from valid_lines
    inner join products
        on valid_lines.product_id = products.product_id
    where products.is_consumable

),

last_consumable_times as (

    select
        customer_id,
        max(ordered_at) as last_consumable_order_at
    from consumable_lines
    group by customer_id

),

-- the shortest supply (days_of_supply x quantity) among the consumable lines of the latest order holding a
-- consumable (of all such orders at that time, should there be several)
latest_consumable_orders as (

    select
        last_consumable_times.customer_id,
        last_consumable_times.last_consumable_order_at,
        min(consumable_lines.supply_days) as min_supply_days
    from last_consumable_times
    inner join consumable_lines
        on last_consumable_times.customer_id = consumable_lines.customer_id
        and last_consumable_times.last_consumable_order_at = consumable_lines.ordered_at
    group by last_consumable_times.customer_id, last_consumable_times.last_consumable_order_at

),

final as (

    select
        order_metrics.customer_id,
        case
            when category_preferences.category_3 is not null
                then [category_preferences.category_1, category_preferences.category_2, category_preferences.category_3]
            when category_preferences.category_2 is not null
                then [category_preferences.category_1, category_preferences.category_2]
            when category_preferences.category_1 is not null
                then [category_preferences.category_1]
            else {{ empty_string_list() }}
        end as preferred_categories,
        case
            when brand_preferences.brand_2 is not null
                then [brand_preferences.brand_1, brand_preferences.brand_2]
            when brand_preferences.brand_1 is not null
                then [brand_preferences.brand_1]
            else {{ empty_string_list() }}
        end as preferred_brands,
        coalesce(bought_categories.bought_categories, {{ empty_string_list() }}) as bought_categories,
        coalesce(bought_categories.categories_bought, 0) as categories_bought,
        coalesce(line_flags.units_bought, 0) as units_bought,
        coalesce(line_flags.has_bought_cold_products, false) as has_bought_cold_products,
        coalesce(line_flags.has_bought_allergy_products, false) as has_bought_allergy_products,
        coalesce(line_flags.has_bought_advent_products, false) as has_bought_advent_products,
        coalesce(line_flags.has_bought_sleep_products, false) as has_bought_sleep_products,
        coalesce(line_flags.has_bought_pregnancy_products, false) as has_bought_pregnancy_products,
        latest_consumable_orders.customer_id is not null as has_bought_consumables,
        -- what kind of products the customer bought, over all valid orders; null when no catalogue product
        case
            when line_flags.has_bought_used_up_products and line_flags.has_bought_lasting_products then 'mixed'
            when line_flags.has_bought_used_up_products then 'consumable'
            when line_flags.has_bought_lasting_products then 'one_time'
        end as product_type,
        coalesce(device_flags.has_device_without_refill, false) as has_device_without_refill,
        latest_consumable_orders.last_consumable_order_at,
        {{ cast(add_days(local_date('latest_consumable_orders.last_consumable_order_at'), 'latest_consumable_orders.min_supply_days'), 'date') }}
            as next_replenishment_date
    from order_metrics
    left join category_preferences
        on order_metrics.customer_id = category_preferences.customer_id
    left join bought_categories
        on order_metrics.customer_id = bought_categories.customer_id
    left join brand_preferences
        on order_metrics.customer_id = brand_preferences.customer_id
    left join line_flags
        on order_metrics.customer_id = line_flags.customer_id
    left join device_flags
        on order_metrics.customer_id = device_flags.customer_id
    left join latest_consumable_orders
        on order_metrics.customer_id = latest_consumable_orders.customer_id

)

select * from final
