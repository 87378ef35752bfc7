-- Invariant: at most two catchment segments. int_catchment_flow_alternatives adds a school's
-- flows from an LSOA over the segments with a plain sum, which gives the same bits in any
-- order only for one or two terms (a + b == b + a in floating point; a third term makes the
-- order matter). With a third segment in seed catchment_segments, write that sum with
-- macro exact_sum instead.
select count(*) as segments
from {{ ref('catchment_segments') }}
having count(*) > 2
