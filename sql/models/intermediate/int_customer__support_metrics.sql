-- One row per customer with at least one Zendesk ticket: volume, open tickets, satisfaction, resolution time.

with

identity as (

    select * from {{ ref('int_customer__identity_resolved') }}

),

tickets as (

    select * from {{ ref('stg_zendesk__tickets') }}

),

customer_tickets as (

    select
        identity.customer_id,
        tickets.*
    from tickets
    inner join identity
        on identity.source = 'zendesk_user'
        and {{ cast('tickets.zendesk_user_id', 'varchar') }} = identity.source_record_id

),

ticket_totals as (

    select
        customer_id,
        count(*) as tickets_total,
        sum(case when is_open then 1 else 0 end) as open_tickets,
        max(created_at) as last_ticket_at,
        sum(case when satisfaction_rating = 'good' then 1 else 0 end) as good_ratings,
        sum(case when satisfaction_rating = 'bad' then 1 else 0 end) as bad_ratings,
        avg(
            case
                when solved_at is not null and created_at is not null
                    then {{ hours_between('created_at', 'solved_at') }}
            end
        ) as avg_resolution_hours,
        max(case when satisfaction_rating = 'bad' then created_at end) as last_bad_rating_at
    from customer_tickets
    group by customer_id

),

final as (

    select
        customer_id,
        tickets_total,
        open_tickets,
        open_tickets > 0 as has_unresolved_ticket,
        last_ticket_at,
        good_ratings,
        bad_ratings,
        case
            when good_ratings + bad_ratings > 0 then good_ratings / (good_ratings + bad_ratings)
        end as csat_score,
        avg_resolution_hours,
        last_bad_rating_at
    from ticket_totals

)

select * from final
