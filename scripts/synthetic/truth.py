"""Ground truth that the pipeline never reads: what its outputs should approximate."""

import numpy as np

from .geography import Geography
from .offences import Offences
from .persons import OFFENDER, SUSPECT, Persons
from .schools import Schools

OFFENDER_AGES = (10, 17)  # the pipeline's school-aged suspects and offenders


def offender_school_rows(per: Persons, schools: Schools, geo: Geography) -> list:
    """Every person who is a suspect or offender aged 10-17 at some crime: school and home.

    The school is empty for the few who are not at a school (16-17 year olds at college or
    not in education, home-educated children).
    """
    suspect = np.isin(per.role, [SUSPECT, OFFENDER])
    youth = suspect & (per.age >= OFFENDER_AGES[0]) & (per.age <= OFFENDER_AGES[1])
    people = np.unique(per.person[youth])
    rows = [
        [
            per.person_ref[p],
            str(schools.urn[per.school[p]]) if per.school[p] >= 0 else "",
            geo.lsoa_code[per.home_lsoa[p]],
        ]
        for p in people.tolist()
    ]
    return sorted(rows)


def offence_location_rows(off: Offences, geo: Geography) -> list:
    return [[off.crime_ref[i], geo.lsoa_code[off.lsoa[i]]] for i in np.flatnonzero(off.lsoa >= 0)]
