-- One row per row of offence_persons.csv: pseudonymised, parsed, aged and home located, but
-- not yet checked (base_police__offence_persons checks every row and gives the reason). The
-- force's person reference is replaced here by a keyed hash, the date of birth by the age at
-- offence and the home point by its LSOA: none of them is selected beyond this model's CTEs,
-- so none is ever stored. Of the other text, only what the checks need is kept, as flags.
-- Two models, not one, so that no single query holds the raw rows, the spatial join and the
-- duplicate check's window at once: at national size (12 million rows) one query did not fit
-- the deployment profile's 8GB of memory.

with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

offence_rows as (
    select * from {{ ref('base_police__offences') }}
),

{#- The file read and numbered in raw_persons_read (materialised, one thread), everything else
    on every thread (macro raw_rows_ctes). #}
{{ raw_rows_ctes('raw_persons', 'offence_persons.csv', source('police', 'offence_persons'), {
    'crime_ref': {'required': true},
    'person_ref': {'required': true},
    'role': {'required': true},
    'date_of_birth': {},
    'sex': {},
    'ethnicity': {},
    'home_easting': {},
    'home_northing': {},
    'home_lsoa_code': {},
    'school_urn': {},
}, required=offence_source() == 'extract', allow_empty=true, reject_line_breaks=true,
    show_columns=false) }},

pseudonymisation_key as (
    -- Checked once: without a usable key the build stops here with a plain message. The key's
    -- padded blocks are taken once too (macro pseudonymise).
    select
        pseudonymisation_key_problem() as problem,
        pseudonymisation_key_pad('inner') as inner_pad,
        pseudonymisation_key_pad('outer') as outer_pad
),

pseudonymised as not materialized (
    -- Not materialised: located and final each take the rows as read (raw_persons_read, the
    -- one copy of the file DuckDB holds; the spatial join needs only the points), where a
    -- materialised copy would hold every row twice. Every row's reference is hashed where
    -- final takes it, rather than the distinct references hashed and joined back, which held
    -- every raw row in memory once more. So 12 million rows fit the deployment profile's 8GB
    -- (README, benchmarks).
    select
        -- ids
        raw_persons.source_row_number,
        raw_persons.malformed_reason,
        raw_persons.crime_ref,
        case
            when pseudonymisation_key.problem is null
                then {{ pseudonymise(
                    'raw_persons.person_ref',
                    'pseudonymisation_key.inner_pad',
                    'pseudonymisation_key.outer_pad',
                ) | indent(16) }}
            else error(pseudonymisation_key.problem)
        end as person_id,
        upper(raw_persons.role) as role,
        {{ parse_integer('raw_persons.school_urn') }} as school_urn,
        upper(raw_persons.home_lsoa_code) as recorded_home_lsoa_code,
        -- A lookup, not a left join of the boundaries: DuckDB cannot count the file's rows
        -- before reading it, took it for the smaller side and built its hash table of all 12
        -- million rows (11 of the query's 94 CPU-seconds nationally).
        upper(raw_persons.home_lsoa_code) in (select lsoas.lsoa_code from lsoas)
            as is_recorded_home_lsoa_known,

        -- attributes
        {{ parse_date('raw_persons.date_of_birth') }} as born_on,
        {{ parse_sex('raw_persons.sex') }} as sex,
        {{ parse_ethnicity('raw_persons.ethnicity') }} as ethnicity,

        -- geometry (British National Grid metres)
        {{ parse_number('raw_persons.home_easting', thousands=true) }} as home_easting,
        {{ parse_number('raw_persons.home_northing', thousands=true) }} as home_northing,

        -- what the checks need of the text
        raw_persons.date_of_birth is not null
        and {{ parse_date('raw_persons.date_of_birth') }} is null as has_unreadable_age,
        {{ is_unparseable_point(
            'raw_persons.home_easting', parse_number('raw_persons.home_easting', thousands=true),
            'raw_persons.home_northing', parse_number('raw_persons.home_northing', thousands=true),
        ) }} as has_unparseable_coordinates,
        {{ is_unreadable('raw_persons.school_urn', parse_integer('raw_persons.school_urn')) }}
            as has_unparseable_school_urn
    from raw_persons
    cross join pseudonymisation_key
),

offences as (
    -- Every row of offences.csv, to tell a person row of a rejected crime from an orphan.
    select
        crime_ref,
        bool_or(reject_reason is null) as is_staged,
        min(cast(committed_from_at as date)) filter (
            where reject_reason is null
        ) as committed_on
    from offence_rows
    where crime_ref is not null
    group by crime_ref
),

located as (
    -- In one LSOA; a point on a shared boundary goes to the lowest code (the macro's rule).
    {{ locate_in_lsoas('pseudonymised', 'source_row_number', 'home_easting', 'home_northing') }}
),

final as (
    select
        -- ids
        pseudonymised.source_row_number,
        pseudonymised.crime_ref,
        pseudonymised.person_id,
        pseudonymised.role,
        pseudonymised.school_urn,
        -- The home point decides when there is one; a recorded LSOA code only without a
        -- point. A home outside the study area is kept (people live outside the force area).
        case
            when pseudonymised.home_easting is not null then located.lsoa_code
            when pseudonymised.is_recorded_home_lsoa_known
                then pseudonymised.recorded_home_lsoa_code
        end as home_lsoa_code,

        -- attributes
        {{ age_in_years('pseudonymised.born_on', 'offences.committed_on') }}
            as age_at_offence,
        pseudonymised.sex,
        pseudonymised.ethnicity,
        case
            when pseudonymised.home_easting is not null and located.lsoa_code is not null
                then 'point'
            when pseudonymised.home_easting is not null then 'outside_study_area'
            when pseudonymised.is_recorded_home_lsoa_known then 'lsoa_code'
            when pseudonymised.recorded_home_lsoa_code is not null then 'outside_study_area'
            else 'none'
        end as home_location_source,

        -- what the checks need (base_police__offence_persons)
        pseudonymised.malformed_reason,
        offences.crime_ref is not null as is_known_crime,
        coalesce(offences.is_staged, false) as is_staged_crime,
        pseudonymised.has_unreadable_age,
        pseudonymised.has_unparseable_coordinates,
        pseudonymised.has_unparseable_school_urn
    from pseudonymised
    left join located
        on pseudonymised.source_row_number = located.source_row_number
    left join offences
        on pseudonymised.crime_ref = offences.crime_ref
)

select * from final
