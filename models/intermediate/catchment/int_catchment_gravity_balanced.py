"""One row per candidate pair (segment, school, LSOA) of int_catchment_gravity_inputs and
variant: the expected pupils of the school living in the LSOA under the gravity model,
balanced by var gravity_ipf_iterations rounds of iterative proportional fitting, and further
while more than 0.01% of children are misplaced (scripts/catchment_gravity.py).
int_catchment_flows_gravity adds the schools that have no candidate pair.

variant 'calibrated' is the model (int_catchment_gravity_calibration), with beta and alpha
times var gravity_beta_scale (1; sensitivity runs use 0.5 and 2). The others are plausible
alternatives, for the catchment's share of the exposure's uncertainty
(int_school_home_area_violence): 'exponential', a pure exponential decay fitted to the mean
distance alone; 'flatter' and 'steeper', the calibrated decay's beta and alpha times 0.75
and 1.33."""

import numpy as np
import pyarrow as pa

from catchment_gravity import balance_further, balance_the_model, calibrate, segment_pairs

ALTERNATIVES = {"flatter": 0.75, "steeper": 1.0 / 0.75}


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("meta")
    scale = float(settings["beta_scale"])
    rounds = int(settings["ipf_iterations"])
    inputs = dbt.ref("int_catchment_gravity_inputs")
    calibration = dbt.ref("int_catchment_gravity_calibration").order("segment").fetchnumpy()
    parts = []
    for i, segment in enumerate(calibration["segment"]):
        pairs, keys = segment_pairs(inputs, str(segment))
        beta = scale * float(calibration["beta_per_km"][i])
        alpha = scale * float(calibration["distance_power"][i])
        authority = float(calibration["authority_penalty"][i])
        nearest = float(calibration["nearest_school_bonus"][i])
        exponential = calibrate(pairs, (float(calibration["target_mean_distance_km"][i]),))
        deterrence = pairs.deterrence(beta, alpha, authority, nearest)
        flows, factors = balance_the_model(pairs, deterrence, rounds)
        variants = {"calibrated": flows}
        alternatives = {
            "exponential": pairs.deterrence(exponential.beta),
            **{
                name: pairs.deterrence(beta * factor, alpha * factor, authority, nearest)
                for name, factor in ALTERNATIVES.items()
            },
        }
        for variant, deterrence in alternatives.items():
            # Only their spread is used: balanced from the model's factors until the
            # children misplaced are under 0.01% of all, which mostly takes a few rounds.
            variants[variant], _, _ = balance_further(pairs, deterrence, rounds, factors)
        for variant, variant_flows in variants.items():
            parts.append(
                pa.table(
                    {
                        # pa.repeat, not a list of one string per pair: at national size
                        # those lists took a second for each variant.
                        "segment": pa.repeat(pa.scalar(str(segment), pa.string()), len(keys)),
                        "urn": keys.column("urn"),
                        "lsoa_code": keys.column("lsoa_code"),
                        "variant": pa.repeat(pa.scalar(variant, pa.string()), len(keys)),
                        # To a millionth of a pupil: beyond that only floating-point noise.
                        "expected_pupils": pa.array(np.round(variant_flows, 6)),
                    }
                )
            )
    if not parts:
        return pa.table(
            {
                "segment": pa.array([], pa.string()),
                "urn": pa.array([], pa.int64()),
                "lsoa_code": pa.array([], pa.string()),
                "variant": pa.array([], pa.string()),
                "expected_pupils": pa.array([], pa.float64()),
            }
        )
    return pa.concat_tables(parts)
