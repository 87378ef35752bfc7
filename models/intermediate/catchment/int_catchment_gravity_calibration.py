"""One row per catchment segment: the gravity model's deterrence parameters, calibrated so
that the balanced flows reproduce the segment's targets (int_catchment_calibration_targets):
beta per km, the power of distance alpha, the authority-boundary penalty lambda and the
nearest-school bonus nu, with the figures the calibrated model gives beside the targets. The
fitting is numpy (scripts/catchment_gravity.py): a dbt Python model, because a four-parameter
fit that re-balances the model at every step is a loop, which SQL is the wrong tool for."""

import pyarrow as pa

from catchment_gravity import calibrate, known_number, segment_pairs


def model(dbt, session):
    dbt.config(materialized="table")
    inputs = dbt.ref("int_catchment_gravity_inputs")
    targets = dbt.ref("int_catchment_calibration_targets").order("segment").fetchnumpy()
    rows = []
    for i, segment in enumerate(targets["segment"]):
        pairs, _ = segment_pairs(inputs, str(segment))
        if not len(pairs.origin):
            continue
        wanted = tuple(
            known_number(targets[column][i])
            for column in (
                "target_mean_distance_km",
                "target_mean_log_distance",
                "target_cross_authority_share",
                "target_nearest_school_share",
            )
        )
        fit = calibrate(pairs, wanted)
        rows.append(
            {
                "segment": str(segment),
                "target_source": str(targets["target_source"][i]),
                "beta_per_km": fit.beta,
                "distance_power": fit.alpha,
                "authority_penalty": fit.authority,
                "nearest_school_bonus": fit.nearest,
                "target_mean_distance_km": wanted[0],
                "modelled_mean_distance_km": float(fit.modelled[0]),
                "target_mean_log_distance": wanted[1],
                "modelled_mean_log_distance": float(fit.modelled[1]),
                "target_cross_authority_share": wanted[2],
                "modelled_cross_authority_share": float(fit.modelled[2]),
                "target_nearest_school_share": wanted[3],
                "modelled_nearest_school_share": float(fit.modelled[3]),
                "evaluations": fit.evaluations,
                "is_converged": fit.converged,
            }
        )
    columns = list(rows[0]) if rows else []
    return pa.table({c: [r[c] for r in rows] for c in columns})
