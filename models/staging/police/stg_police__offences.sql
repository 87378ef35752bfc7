with

checked as (
    select * from {{ ref('base_police__offences') }}
),

-- Stops the build here, naming the file, when too many of its rows were rejected. When the
-- study area was cut from larger boundaries (var study_area_is_cut, set by open-data mode's
-- --local-authorities or --force-area), offences outside it are expected, and are rejected
-- without counting against the file.
intake as materialized (
    {{ intake_check(
        ref('base_police__offences'), offence_file_label(),
        not_counted=['outside_study_area'] if var('study_area_is_cut') else []
    ) | indent(4) }}
),

final as (
    select
        -- ids
        crime_ref,
        ho_offence_code,
        lsoa_code,

        -- attributes
        offence_title,
        location_type,
        is_knife_crime,
        is_proactive,
        status = 'cancelled' as is_cancelled,

        -- timestamps
        committed_from_at,
        committed_to_at,
        recorded_at,

        -- geometry
        easting,
        northing,
        case
            when easting is not null then st_point(easting, northing)
        end as geom
    from checked
    where reject_reason is null and (select intake.passes from intake)
)

select * from final
