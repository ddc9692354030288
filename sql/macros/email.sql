{#
  Email checks shared by every staging model that reads an address (sql/DEFINITIONS.md, identity).
  email_identity(input, email_column, identity_column) adds four CTEs after the CTE `input`, which must have
  `email_trimmed`:
    email_validated   email_status: missing | valid | invalid
    email_split       <email_column> (valid addresses only), email_local_part, email_domain
    email_parts       identity_local_part (+tag dropped), identity_domain (googlemail.com → gmail.com)
    email_normalized  <identity_column>: the identity key (Gmail dots dropped), null without a valid address
  Use it between CTEs, `{{ email_identity('renamed') }},`, and read from email_normalized.
#}
{% macro email_identity(input, email_column='email', identity_column='identity_email') -%}
{%- set email_pattern = '^[^@[:space:]]+@[^@[:space:]]+[.][a-z]{2,}$' -%}
email_validated as (

    select
        *,
        case
            when email_trimmed is null then 'missing'
            when {{ regex_matches('email_trimmed', email_pattern) }} then 'valid'
            else 'invalid'
        end as email_status
    from {{ input }}

),

email_split as (

    select
        *,
        case when email_status = 'valid' then email_trimmed end as {{ email_column }},
        case when email_status = 'valid' then substr(email_trimmed, 1, strpos(email_trimmed, '@') - 1) end as email_local_part,
        case when email_status = 'valid' then substr(email_trimmed, strpos(email_trimmed, '@') + 1) end as email_domain
    from email_validated

),

email_parts as (

    select
        *,
        -- the +tag of the local part is dropped for every domain
        case
            when strpos(email_local_part, '+') > 0 then substr(email_local_part, 1, strpos(email_local_part, '+') - 1)
            else email_local_part
        end as identity_local_part,
        case when email_domain = 'googlemail.com' then 'gmail.com' else email_domain end as identity_domain
    from email_split

),

email_normalized as (

    select
        *,
        -- Gmail ignores dots in the local part; a local part that is nothing but a +tag keeps the address
        case
            when {{ email_column }} is null then null
            when identity_domain = 'gmail.com' and replace(identity_local_part, '.', '') <> ''
                then replace(identity_local_part, '.', '') || '@' || identity_domain
            when identity_local_part <> '' then identity_local_part || '@' || identity_domain
            else {{ email_column }}
        end as {{ identity_column }}
    from email_parts

)
{%- endmacro %}
