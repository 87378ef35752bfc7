-- One row per row of offences.csv: typed, located in an LSOA, and checked. reject_reason is
-- null for a row that stg_police__offences takes, else why stg_police__offences_rejects has it.
-- A crime cannot be committed after it was recorded, nor recorded after the build's reference
-- date (macro reference_date): such a row is rejected, so that one mistyped year cannot move
-- the analysis window (int_analysis_window). In open-data mode (macro offence_source) the
-- rows are police.uk's (base_police_uk__street_crimes), in offences.csv's shape, and go
-- through the same checks.
-- depends_on: {{ ref('base_police_uk__street_crimes') }}

with

lsoas as (
    select * from {{ ref('stg_ons__lsoa_boundaries') }}
),

offence_classes as (
    {{ offence_classification() | indent(4) }}
),

{%- if offence_source() == 'police_uk' %}

raw_offences as (
    select
        source_row_number,
        malformed_reason,
        crime_ref,
        ho_offence_code,
        offence_title,
        committed_from,
        committed_to,
        recorded_at,
        easting,
        northing,
        location_type,
        knife_flag,
        proactive_flag,
        status
    from {{ ref('base_police_uk__street_crimes') }}
),
{%- else %}

{#- The file read and numbered in raw_offences_read (materialised, one thread), everything else
    on every thread (macro raw_rows_ctes). #}
{{ raw_rows_ctes('raw_offences', 'offences.csv', source('police', 'offences'), {
    'crime_ref': {'required': true},
    'ho_offence_code': {'required': true},
    'offence_title': {},
    'committed_from': {'required': true},
    'committed_to': {},
    'recorded_at': {'required': true},
    'easting': {},
    'northing': {},
    'location_type': {},
    'knife_flag': {},
    'proactive_flag': {},
    'status': {},
}, reject_line_breaks=true, show_columns=false) }},
{%- endif %}

typed as not materialized (
    -- Not materialised: located and repeats take two columns of it, joined all of them, each
    -- from the rows as read (raw_offences_read); a materialised copy held every row twice.
    select
        -- ids
        source_row_number,
        malformed_reason,
        crime_ref,
        -- ONS writes a subdivided code as 4.1 where the Counting Rules write 4/1, and force
        -- systems pad codes with zeros (004/01, 008N): both read as the Counting Rules'.
        regexp_replace(
            regexp_replace(upper(ho_offence_code), '^([0-9]+[A-Z]?)\.([0-9]+)$', '\1/\2'),
            '(^|/)0+([0-9])', '\1\2', 'g'
        ) as ho_offence_code,

        -- attributes
        offence_title,
        lower(location_type) as location_type,
        {{ parse_flag('knife_flag') }} as is_knife_crime,
        {{ parse_flag('proactive_flag') }} as is_proactive,
        coalesce(lower(status), 'confirmed') as status,

        -- timestamps
        -- A date alone is its midnight, or for the two upper bounds the day's end: an
        -- offence on 4 May recorded "2023-05-04" was not committed after it was recorded.
        {{ parse_timestamp('committed_from') }} as committed_from_at,
        {{ parse_timestamp('committed_to', date_only_ends_day=true) }} as committed_to_at,
        {{ parse_timestamp('recorded_at', date_only_ends_day=true) }} as recorded_at,

        -- geometry (British National Grid metres, as the contract says)
        {{ parse_number('easting', thousands=true) }} as easting,
        {{ parse_number('northing', thousands=true) }} as northing,

        -- the text, kept only to tell absent values from unreadable ones
        knife_flag as knife_flag_text,
        proactive_flag as proactive_flag_text,
        committed_from as committed_from_text,
        committed_to as committed_to_text,
        recorded_at as recorded_at_text,
        easting as easting_text,
        northing as northing_text
    from raw_offences
),

located as (
    -- In one LSOA; a point on a shared boundary goes to the lowest code (the macro's rule).
    {{ locate_in_lsoas('typed', 'source_row_number', 'easting', 'northing') | indent(4) }}
),

repeats as (
    -- The duplicate check's window over the key and the row's position only: the other
    -- columns would be carried through its sort for nothing (8 million rows nationally).
    select
        source_row_number,
        {{ is_repeat_of_earlier_row(['crime_ref']) }} as is_repeat
    from typed
),

joined as (
    select
        typed.*,
        located.lsoa_code,
        offence_classes.ho_offence_code is not null as is_known_offence_code,
        repeats.is_repeat
    from typed
    inner join repeats
        on typed.source_row_number = repeats.source_row_number
    left join offence_classes
        on typed.ho_offence_code = offence_classes.ho_offence_code
    left join located
        on typed.source_row_number = located.source_row_number
),

checked as (
    select
        *,
        {{ first_reject_reason([
            ('missing_crime_ref', 'crime_ref is null'),
            ('duplicate_crime_ref', 'is_repeat'),
            ('missing_timestamp', 'committed_from_text is null or recorded_at_text is null'),
            ('unparseable_timestamp',
                is_unreadable('committed_from_text', 'committed_from_at')
                ~ ' or ' ~ is_unreadable('committed_to_text', 'committed_to_at')
                ~ ' or ' ~ is_unreadable('recorded_at_text', 'recorded_at')),
            ('inconsistent_timestamps', 'committed_to_at < committed_from_at'),
            ('committed_after_recorded', 'committed_from_at > recorded_at'),
            ('future_timestamp', 'cast(recorded_at as date) > ' ~ reference_date()),
            ('unknown_offence_code', 'not is_known_offence_code'),
            ('unparseable_coordinates',
                is_unparseable_point('easting_text', 'easting', 'northing_text', 'northing')),
            ('outside_study_area', 'easting is not null and lsoa_code is null'),
            ('unknown_status', "status not in ('confirmed', 'cancelled')"),
            ('unparseable_flag',
                is_unreadable('knife_flag_text', 'is_knife_crime')
                ~ ' or ' ~ is_unreadable('proactive_flag_text', 'is_proactive')),
        ], malformed_reason='malformed_reason') }} as reject_reason
    from joined
)

select
    source_row_number,
    reject_reason,
    crime_ref,
    ho_offence_code,
    offence_title,
    location_type,
    is_knife_crime,
    is_proactive,
    status,
    committed_from_at,
    committed_to_at,
    recorded_at,
    easting,
    northing,
    lsoa_code
from checked
