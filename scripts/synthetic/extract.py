"""The simulated world as the text rows of the extract files (see extract-contract.md)."""

import numpy as np

from .catchment import Catchment
from .geography import Geography
from .offences import Offences
from .persons import Persons
from .population import MAX_AGE, Population
from .schools import Schools, dfe_la_code

OFFENCE_COLUMNS = (
    "crime_ref",
    "ho_offence_code",
    "offence_title",
    "committed_from",
    "committed_to",
    "recorded_at",
    "easting",
    "northing",
    "location_type",
    "knife_flag",
    "proactive_flag",
    "status",
)
PERSON_COLUMNS = (
    "crime_ref",
    "person_ref",
    "role",
    "date_of_birth",
    "sex",
    "ethnicity",
    "home_easting",
    "home_northing",
    "home_lsoa_code",
    "school_urn",
)
SCHOOL_COLUMNS = (
    "URN",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentStatus (name)",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "NumberOfPupils",
    "LA (code)",
    "LA (name)",
    "Easting",
    "Northing",
    "ReligiousCharacter (name)",
    "AdmissionsPolicy (name)",
)
LOOKUP_COLUMNS = (
    "LSOA21CD",
    "LSOA21NM",
    "MSOA21CD",
    "MSOA21NM",
    "WD24CD",
    "WD24NM",
    "LAD24CD",
    "LAD24NM",
)
PUPILS_UNPUBLISHED = 0.02  # schools whose NumberOfPupils is left empty


def format_timestamps(values: np.ndarray, iso_t: np.ndarray) -> list:
    """'2023-05-04T15:20:00' where iso_t, else '2023-05-04 15:20'; NaT becomes empty."""
    text = np.datetime_as_string(values, unit="m")
    return [
        "" if t == "NaT" else (t + ":00" if full else t.replace("T", " "))
        for t, full in zip(text.tolist(), iso_t.tolist())
    ]


def offence_rows(off: Offences) -> list:
    located = off.lsoa >= 0
    easting = np.where(located, off.xy[:, 0].astype(str), "").tolist()
    northing = np.where(located, off.xy[:, 1].astype(str), "").tolist()
    columns = (
        off.crime_ref,
        off.code.tolist(),
        off.title.tolist(),
        format_timestamps(off.committed_from, off.iso_t),
        format_timestamps(off.committed_to, off.iso_t),
        format_timestamps(off.recorded_at, off.iso_t),
        easting,
        northing,
        off.location_type.tolist(),
        off.knife_flag.tolist(),
        off.proactive_flag.tolist(),
        off.status.tolist(),
    )
    return [list(row) for row in zip(*columns)]


def person_rows(per: Persons, off: Offences, geo: Geography, schools: Schools) -> list:
    p = per.person
    dob = np.datetime_as_string(per.dob[p], unit="D")
    point, area = per.home_mode == "point", per.home_mode == "area"
    home_xy = per.home_xy[p]
    lsoa_code = np.array(geo.lsoa_code)[per.home_lsoa[p]]
    school = per.school[p]
    columns = (
        [off.crime_ref[i] for i in per.offence.tolist()],
        [per.person_ref[i] for i in p.tolist()],
        per.role.tolist(),
        np.where(per.dob_published, dob, "").tolist(),
        per.sex[p].tolist(),
        per.ethnicity[p].tolist(),
        np.where(point, home_xy[:, 0].astype(str), "").tolist(),
        np.where(point, home_xy[:, 1].astype(str), "").tolist(),
        np.where(area, lsoa_code, "").tolist(),
        np.where(per.school_recorded, schools.urn[np.maximum(school, 0)].astype(str), "").tolist(),
    )
    return [list(row) for row in zip(*columns)]


def school_rows(rng, schools: Schools, catchment: Catchment, geo: Geography) -> list:
    published = schools.is_open & (rng.random(schools.n) >= PUPILS_UNPUBLISHED)
    rows = []
    for i in range(schools.n):
        ages = (
            [str(schools.low[i]), str(schools.high[i])]
            if schools.age_range_published[i]
            else ["", ""]
        )
        rows.append(
            [
                str(schools.urn[i]),
                schools.name[i],
                schools.type[i],
                "Open" if schools.is_open[i] else "Closed",
                schools.phase[i],
                *ages,
                str(catchment.pupils[i]) if published[i] else "",
                str(dfe_la_code(schools.la[i])),
                geo.la_name[schools.la[i]],
                str(schools.xy[i, 0]),
                str(schools.xy[i, 1]),
                schools.religious_character[i],
                schools.admissions_policy[i],
            ]
        )
    return rows


def lookup_rows(geo: Geography) -> list:
    return [
        [
            geo.lsoa_code[i],
            geo.lsoa_name[i],
            geo.msoa_code[geo.msoa[i]],
            geo.msoa_name[geo.msoa[i]],
            geo.ward_code[geo.ward[i]],
            geo.ward_name[geo.ward[i]],
            geo.la_code[geo.la[i]],
            geo.la_name[geo.la[i]],
        ]
        for i in range(geo.n)
    ]


def population_rows(geo: Geography, pop: Population) -> list:
    return [
        [geo.lsoa_code[i], str(age), str(pop.by_age[i, age])]
        for i in range(geo.n)
        for age in range(MAX_AGE + 1)
    ]


def deprivation_rows(geo: Geography, pop: Population) -> list:
    return [
        [geo.lsoa_code[i], f"{pop.imd_score[i]:.3f}", str(pop.imd_decile[i])] for i in range(geo.n)
    ]


def flow_rows(schools: Schools, catchment: Catchment, geo: Geography, keep: np.ndarray) -> list:
    """(urn, lsoa_code, pupils) for the schools in `keep`, in URN then area order."""
    area, school, pupils = catchment.school_totals()
    rows = np.flatnonzero(keep[school])
    return [[str(schools.urn[school[r]]), geo.lsoa_code[area[r]], str(pupils[r])] for r in rows]
