-- fct_bias_checks has a row for each IMD decile 1 to 10 in each check by decile (violence,
-- and school exposure), whether or not the force area has LSOAs or schools in it, so that a
-- reader sees every decile. Fails with each check and missing decile.
select
    checks.check_name,
    cast(deciles.decile as varchar) as missing_decile
from range(1, 11) as deciles (decile)
cross join (
    values ('violence_by_deprivation_decile'), ('exposure_by_deprivation_decile')
) as checks (check_name)
where not exists (
    select 1
    from {{ ref('fct_bias_checks') }} as fct_bias_checks
    where
        fct_bias_checks.check_name = checks.check_name
        and fct_bias_checks.breakdown = cast(deciles.decile as varchar)
)
