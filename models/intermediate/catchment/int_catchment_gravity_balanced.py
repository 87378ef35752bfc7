"""One row per candidate pair (segment, school, LSOA) of int_catchment_gravity_inputs: the
expected pupils of the school living in the LSOA under the calibrated gravity model
(int_catchment_gravity_calibration), with beta and alpha times var gravity_beta_scale (1;
sensitivity runs use 0.5 and 2), balanced by var gravity_ipf_iterations rounds of iterative
proportional fitting (scripts/catchment_gravity.py). int_catchment_flows_gravity adds the
schools that have no candidate pair."""

import numpy as np
import pyarrow as pa

from catchment_gravity import Pairs, balance


def model(dbt, session):
    dbt.config(materialized="table")
    scale = float(dbt.config.get("beta_scale"))
    rounds = int(dbt.config.get("ipf_iterations"))
    inputs = dbt.ref("int_catchment_gravity_inputs").fetchnumpy()
    calibration = dbt.ref("int_catchment_gravity_calibration").fetchnumpy()
    parts = []
    for i, segment in enumerate(calibration["segment"]):
        pick = np.flatnonzero(inputs["segment"] == segment)
        pairs = Pairs.from_columns(
            inputs["origin_id"][pick],
            inputs["destination_id"][pick],
            inputs["distance_km"][pick],
            inputs["is_cross_authority"][pick],
            inputs["origin_children"][pick],
            inputs["pupils"][pick],
            inputs["is_nearest_school"][pick],
        )
        deterrence = pairs.deterrence(
            scale * float(calibration["beta_per_km"][i]),
            scale * float(calibration["distance_power"][i]),
            float(calibration["authority_penalty"][i]),
            float(calibration["nearest_school_bonus"][i]),
        )
        flows, _, _ = balance(pairs, deterrence, rounds)
        parts.append(
            pa.table(
                {
                    "segment": pa.array(inputs["segment"][pick]).cast(pa.string()),
                    "urn": pa.array(inputs["urn"][pick]),
                    "lsoa_code": pa.array(inputs["lsoa_code"][pick]).cast(pa.string()),
                    # To a millionth of a pupil: beyond that only floating-point noise.
                    "expected_pupils": pa.array(np.round(flows, 6)),
                }
            )
        )
    if not parts:
        return pa.table(
            {
                "segment": pa.array([], pa.string()),
                "urn": pa.array([], pa.int64()),
                "lsoa_code": pa.array([], pa.string()),
                "expected_pupils": pa.array([], pa.float64()),
            }
        )
    return pa.concat_tables(parts)
