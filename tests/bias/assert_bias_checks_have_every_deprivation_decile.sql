-- fct_bias_checks has a row for each IMD decile 1 to 10, whether or not the force area has
-- LSOAs in it, so that a reader sees every decile. Fails with each missing decile.
select cast(deciles.decile as varchar) as missing_decile
from range(1, 11) as deciles (decile)
where cast(deciles.decile as varchar) not in (
    select fct_bias_checks.breakdown
    from {{ ref('fct_bias_checks') }} as fct_bias_checks
    where fct_bias_checks.check_name = 'violence_by_deprivation_decile'
)
