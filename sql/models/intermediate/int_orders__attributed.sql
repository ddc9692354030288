-- Every staged order of every sales channel (valid or not) with the customer it belongs to. The channels are
-- the sources declared with `sales_channel` (sql/models/staging/_sources.yml); each channel's orders model
-- provides the columns of the channel contract (sql/DEFINITIONS.md, "Sales channels").

with

identity as (

    select * from {{ ref('int_customer__identity_resolved') }}

),

channel_orders as (
{% for sales_channel in sales_channels('orders') %}
    {% if not loop.first %}union all{% endif %}
    select
        order_id,
        channel,
        customer_source,
        customer_source_record_id,
        identity_email,
        ordered_at,
        order_status,
        is_valid_order,
        is_cancelled,
        is_refunded,
        is_payment_pending,
        eur_per_unit,
        order_total_eur,
        refunded_eur
    from {{ sales_channel.relation }}
{% endfor %}
),

customer_keys as (

    select distinct
        identity_key,
        customer_id
    from identity

),

-- an order belongs to the identity record of its buyer account (Shopify customer, Amazon relay address),
-- else to the record of the order itself (a guest checkout, source '<channel>_order'), else to the customer
-- whose identity key is the order's normalised email
attributed as (

    select
        channel_orders.*,
        coalesce(account_records.customer_id, order_records.customer_id, email_customers.customer_id) as customer_id
    from channel_orders
    left join identity as account_records
        on channel_orders.customer_source = account_records.source
        and channel_orders.customer_source_record_id = account_records.source_record_id
    left join identity as order_records
        on channel_orders.channel || '_order' = order_records.source
        and channel_orders.order_id = order_records.source_record_id
    left join customer_keys as email_customers
        on channel_orders.identity_email = email_customers.identity_key

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
        is_payment_pending,
        order_status,
        eur_per_unit,
        order_total_eur,
        refunded_eur,
        -- revenue is net of refunds; an order in a currency without an exchange rate, or with a negative total,
        -- counts as an order without revenue (data_quality_issues: unknown_currency, negative_total)
        greatest(coalesce(order_total_eur, 0) - coalesce(refunded_eur, 0), 0) as revenue_eur
    from attributed
    where customer_id is not null

)

select * from final
