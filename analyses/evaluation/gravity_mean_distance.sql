-- The gravity model's mean home-school distance (km), over every modelled pupil: what its
-- calibration aims at var mean_distance_km. Run by scripts/catchment_sensitivity.py.
with

flows as (
    select * from {{ ref('int_catchment_flows_gravity') }}
    where variant = 'calibrated'
),

inputs as (
    select * from {{ ref('int_catchment_gravity_inputs') }}
)

select
    sum(flows.expected_pupils * inputs.distance_km) / sum(flows.expected_pupils)
        as mean_distance_km
from flows
inner join inputs
    on
        flows.segment = inputs.segment
        and flows.urn = inputs.urn
        and flows.lsoa_code = inputs.lsoa_code
