-- Every staged order of every channel (valid or not) with the customer it belongs to.

with

identity as (

    select * from {{ ref('int_customer__identity_resolved') }}

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

amazon_orders as (

    select * from {{ ref('stg_amazon__orders') }}

),

shopify_account_customers as (

    select
        source_record_id,
        customer_id
    from identity
    where source = 'shopify_customer'

),

shopify_guest_customers as (

    select
        source_record_id,
        customer_id
    from identity
    where source = 'shopify_order'

),

amazon_buyer_customers as (

    select
        source_record_id,
        customer_id
    from identity
    where source = 'amazon_buyer'

),

-- an order belongs to its customer account; guest orders have their own identity record
shopify_attributed as (

    select
        shopify_orders.order_id,
        shopify_orders.channel,
        coalesce(shopify_account_customers.customer_id, shopify_guest_customers.customer_id) as customer_id,
        shopify_orders.ordered_at,
        shopify_orders.is_valid_order,
        shopify_orders.is_cancelled,
        shopify_orders.is_refunded,
        shopify_orders.financial_status as order_status,
        shopify_orders.eur_per_unit,
        shopify_orders.total_price_eur as order_total_eur
    from shopify_orders
    left join shopify_account_customers
        on {{ cast('shopify_orders.shopify_customer_id', 'varchar') }} = shopify_account_customers.source_record_id
    left join shopify_guest_customers
        on shopify_orders.order_id = shopify_guest_customers.source_record_id
    where coalesce(shopify_account_customers.customer_id, shopify_guest_customers.customer_id) is not null

),

amazon_attributed as (

    select
        amazon_orders.order_id,
        amazon_orders.channel,
        amazon_buyer_customers.customer_id,
        amazon_orders.ordered_at,
        amazon_orders.is_valid_order,
        amazon_orders.is_cancelled,
        -- Amazon orders carry no refund state
        false as is_refunded,
        amazon_orders.order_status,
        amazon_orders.eur_per_unit,
        amazon_orders.order_total_eur
    from amazon_orders
    inner join amazon_buyer_customers
        on amazon_orders.buyer_identity_email = amazon_buyer_customers.source_record_id

),

unioned as (

    select * from shopify_attributed
    union all
    select * from amazon_attributed

),

final as (

    select
        order_id,
        channel,
        customer_id,
        ordered_at,
        is_valid_order,
        is_cancelled,
        is_refunded,
        order_status,
        eur_per_unit,
        order_total_eur,
        -- an order in a currency without an exchange rate, or with a negative total, counts as an order
        -- without revenue (data_quality_issues: unknown_currency, negative_total)
        greatest(coalesce(order_total_eur, 0), 0) as revenue_eur
    from unioned

)

select * from final
