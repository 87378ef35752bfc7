#!/usr/bin/env python3
"""Render the static HTML report from the published marts, in two editions by audience.

    python scripts/report.py --db data/school_exposure.duckdb --out outputs/report
        [--edition vru public] [--top N]

  vru.html     for the VRU and its partners (named schools): the top schools' ranks with their
               90% intervals, the new candidates, a map of LSOA smoothed rates with schools,
               a funnel plot of schools' offender rates, per-authority summaries, the measures
               used, data quality and bias headlines, how to read a rank.
  public.html  for anyone: the method, area maps and distributions, bias and data quality
               summaries. It names no school and shows no school-level figure.

Each file is self-contained: charts and maps are inline SVG (matplotlib), no script or font is
fetched, so it opens offline and can be mailed. Every figure is read from a mart that applies
the disclosure control (fct_*, dim_*); nothing is computed from unpublished tables, and which
marts an edition may read is the marts' own meta.audience (the public edition reads only
public marts). Counts are marked class="count" so tests can check that none shown lies between
1 and the threshold. The analyst's fct_data_quality holds exact file counts, so the report
shows only its shares.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR / "scripts"))

# Which marts each edition may read: the marts' meta.audience (models/marts/**/_*.yml).
EDITION_MARTS = {
    "public": [
        "fct_area_violence",
        "dim_area_boundaries",
        "fct_bias_checks",
        "dim_priority_measures",
        "fct_data_quality",
    ],
    "vru": [
        "fct_area_violence",
        "dim_area_boundaries",
        "fct_bias_checks",
        "dim_priority_measures",
        "fct_data_quality",
        "fct_school_exposure",
        "dim_school_locations",
        "fct_new_candidate_mix",
        "fct_priority_list_changes",
    ],
}
# Funnel limits as OHID Fingertips draws them: about 2 and 3 standard deviations.
FUNNEL_LEVELS = {"95%": 0.95, "99.8%": 0.998}
START = time.monotonic()


class ReportError(Exception):
    """A problem the user can fix; shown as one line, never as a traceback."""


def say(message: str) -> None:
    print(f"[report {time.monotonic() - START:5.1f}s] {message}", file=sys.stderr, flush=True)


# --- data -------------------------------------------------------------------------------------


def connect(db: Path):
    import duckdb

    from spatial_extension import load_spatial

    if not db.exists():
        raise ReportError(f"{db} does not exist: run `make build` (or `make run`) first")
    con = duckdb.connect(str(db), read_only=True)
    load_spatial(con)
    return con


def rows(con, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def check_marts(con, edition: str) -> None:
    present = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    missing = [m for m in EDITION_MARTS[edition] if m not in present]
    if missing:
        raise ReportError(
            f"the database has no marts.{', marts.'.join(missing)}: rebuild it with this "
            "version of the project (`make build`)"
        )


def area_shapes(con, level: str, tolerance: float) -> dict[str, list]:
    """Each area's rings (simplified for the map) as lists of (x, y), from GeoJSON."""
    shapes = {}
    for code, geojson in con.execute(
        "select area_code, st_asgeojson(st_simplifypreservetopology(geom, ?))"
        " from marts.dim_area_boundaries where area_level = ?",
        [tolerance, level],
    ).fetchall():
        geometry = json.loads(geojson)
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        shapes[code] = [ring for polygon in polygons for ring in polygon[:1]]
    return shapes


# --- charts -----------------------------------------------------------------------------------


def pyplot():
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    # Text stays text (smaller, searchable) and ids are stable, so the same marts give the
    # same file.
    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "school-exposure", "font.size": 9})
    return plt


def svg(fig) -> str:
    plt = pyplot()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def area_map(con, title: str, schools: list[dict] | None = None) -> str:
    """Choropleth of LSOA smoothed violent rates; suppressed or null areas hatched grey."""
    from matplotlib.collections import PolyCollection

    plt = pyplot()
    shapes = area_shapes(con, "lsoa", 25.0)
    rates = {
        r["area_code"]: r["smoothed_violent_rate_per_1000_per_year"]
        for r in rows(
            con,
            "select area_code, smoothed_violent_rate_per_1000_per_year"
            " from marts.fct_area_violence where area_level = 'lsoa'",
        )
    }
    known = [(c, rates[c]) for c in shapes if rates.get(c) is not None]
    unknown = [c for c in shapes if rates.get(c) is None]
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    if unknown:
        ax.add_collection(
            PolyCollection(
                [ring for c in unknown for ring in shapes[c]],
                facecolor="#dddddd",
                edgecolor="white",
                linewidth=0.1,
                hatch="///",
            )
        )
    polygons, values = [], []
    for code, rate in known:
        for ring in shapes[code]:
            polygons.append(ring)
            values.append(rate)
    collection = PolyCollection(polygons, array=values, cmap="YlOrRd", edgecolor="white")
    collection.set_linewidth(0.1)
    ax.add_collection(collection)
    fig.colorbar(collection, ax=ax, shrink=0.7, label="smoothed violent offences per 1,000/yr")
    lad = area_shapes(con, "lad", 50.0)
    ax.add_collection(
        PolyCollection(
            [ring for rings in lad.values() for ring in rings],
            facecolor="none",
            edgecolor="#333333",
            linewidth=0.6,
        )
    )
    if schools:
        top = [s for s in schools if s["is_top"]]
        rest = [s for s in schools if not s["is_top"]]
        ax.scatter(
            [s["easting"] for s in rest],
            [s["northing"] for s in rest],
            s=3,
            c="#555555",
            label="other schools",
        )
        ax.scatter(
            [s["easting"] for s in top],
            [s["northing"] for s in top],
            s=18,
            c="#1f4e9a",
            marker="^",
            label="top of the priority list",
        )
        ax.legend(loc="lower left", fontsize=8)
    ax.autoscale()
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title)
    return svg(fig)


def rate_histogram(areas: list[dict]) -> str:
    plt = pyplot()
    values = [
        a["smoothed_violent_rate_per_1000_per_year"]
        for a in areas
        if a["smoothed_violent_rate_per_1000_per_year"] is not None
    ]
    fig, ax = plt.subplots(figsize=(6.5, 3))
    ax.hist(values, bins=40, color="#c0504d")
    force = areas[0]["force_violent_rate_per_1000_per_year"] if areas else None
    if force is not None:
        ax.axvline(force, color="black", linestyle="--", label="force-wide rate")
        ax.legend()
    ax.set_xlabel("smoothed violent offences per 1,000 residents per year (LSOAs)")
    ax.set_ylabel("LSOAs")
    return svg(fig)


def decile_chart(deciles: list[dict]) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3))
    labels = [d["breakdown"] for d in deciles]
    values = [d["violent_rate_per_1000_per_year"] or 0 for d in deciles]
    ax.bar(labels, values, color="#4f81bd")
    ax.set_xlabel("deprivation decile of the LSOA (1 = most deprived 10%)")
    ax.set_ylabel("violent offences per 1,000/yr")
    return svg(fig)


def caterpillar(top: list[dict]) -> str:
    """Each top school's rank and 90% interval; schools on the VRU's list filled."""
    plt = pyplot()
    height = max(3.0, 0.22 * len(top) + 1)
    fig, ax = plt.subplots(figsize=(7.5, height))
    for i, school in enumerate(top):
        colour = "#1f4e9a" if school["on_vru_list"] else "#c0504d"
        ax.plot(
            [school["priority_rank_lower"], school["priority_rank_upper"]],
            [i, i],
            color=colour,
            linewidth=2,
        )
        ax.plot(
            school["priority_rank"],
            i,
            "o",
            color=colour,
            markerfacecolor=colour if school["on_vru_list"] else "white",
        )
    ax.set_yticks(range(len(top)))
    ax.set_yticklabels([s["school_name"] for s in top], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("priority rank with its 90% interval (1 = highest priority)")
    ax.plot([], [], "o-", color="#1f4e9a", label="on the VRU's list")
    ax.plot([], [], "o-", color="#c0504d", markerfacecolor="white", label="new candidate")
    ax.legend(loc="lower right", fontsize=8)
    return svg(fig)


def funnel(schools: list[dict]) -> tuple[str, float | None]:
    """Schools' offender rates per 1,000 pupils against their pupils, with Poisson limits
    around the overall published rate."""
    from scipy.stats import poisson

    plt = pyplot()
    points = [
        s for s in schools if s["school_aged_violent_offenders"] is not None and s["pupils_on_roll"]
    ]
    fig, ax = plt.subplots(figsize=(7, 4))
    if not points:
        ax.text(0.5, 0.5, "no school-level offender counts in this build", ha="center")
        ax.set_axis_off()
        return svg(fig), None
    overall = sum(s["school_aged_violent_offenders"] for s in points) / sum(
        s["pupils_on_roll"] for s in points
    )
    largest = max(s["pupils_on_roll"] for s in points)
    sizes = [largest * k / 200 for k in range(1, 201)]
    for label, level in FUNNEL_LEVELS.items():
        tail = (1 - level) / 2
        style = "--" if label == "95%" else ":"
        for q in (tail, 1 - tail):
            ax.plot(
                sizes,
                [poisson.ppf(q, overall * n) / n * 1000 for n in sizes],
                style,
                color="#555555",
                linewidth=0.8,
            )
        ax.plot([], [], style, color="#555555", label=f"{label} limits")
    ax.axhline(overall * 1000, color="black", linewidth=0.8, label="overall rate")
    ax.scatter(
        [s["pupils_on_roll"] for s in points],
        [s["school_aged_violent_offenders"] / s["pupils_on_roll"] * 1000 for s in points],
        s=6,
        c="#c0504d",
    )
    ax.set_xlabel("pupils on roll")
    ax.set_ylabel("school-aged violent offenders per 1,000 pupils")
    ax.legend(fontsize=8)
    return svg(fig), overall * 1000


# --- html -------------------------------------------------------------------------------------


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def count(value) -> str:
    """A published count: suppressed (null) shows as a dash."""
    if value is None:
        return '<span class="count suppressed" title="suppressed">&ndash;</span>'
    return f'<span class="count">{value:,}</span>'


def number(value, digits: int = 2) -> str:
    return "&ndash;" if value is None else f"{value:,.{digits}f}"


def percent(value, digits: int = 1) -> str:
    return "&ndash;" if value is None else f"{100 * value:.{digits}f}%"


def interval(value, lower, upper, digits: int = 2) -> str:
    if value is None:
        return "&ndash;"
    bounds = f"{number(lower, digits)}&ndash;{number(upper, digits)}"
    return f"{value:,.{digits}f} <small>({bounds})</small>"


def table(headers: list[str], body: list[list[str]], caption: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    lines = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>"


def section(slug: str, title: str, *parts: str) -> str:
    return f'<section id="{slug}"><h2>{esc(title)}</h2>{"".join(parts)}</section>'


def figure(chart: str, caption: str) -> str:
    return f'<figure class="chart">{chart}<figcaption>{esc(caption)}</figcaption></figure>'


def p(text: str) -> str:
    return f"<p>{text}</p>"


CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;color:#222}
h1{font-size:1.6rem}h2{border-bottom:2px solid #1f4e9a;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}
td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:left}th{background:#eef2f8}
caption{text-align:left;font-weight:600;padding:.3rem 0}
figure.chart{margin:.5rem 0}figure.chart svg{max-width:100%;height:auto}
.banner{background:#fff4d6;border-left:4px solid #e0a800;padding:.5rem 1rem}
nav a{margin-right:.8rem}small{color:#666}
"""


def page(edition: str, built: dict, sections: list[str]) -> str:
    title = (
        "School violence exposure: VRU edition"
        if edition == "vru"
        else "School violence exposure: public edition"
    )
    banner = (
        "<strong>For the VRU and its partners only, under the information-sharing agreement."
        "</strong> Names schools. Ranks are a prompt for a conversation with a school, never "
        "a league table: do not publish them. The results are advisory."
        if edition == "vru"
        else "Names no school and shows no school-level figure. Counts below the disclosure "
        "threshold are suppressed and the rest rounded. The results are advisory."
    )
    nav = "".join(
        f'<a href="#{s.split(chr(34))[1]}">{s.split("<h2>")[1].split("</h2>")[0]}</a>'
        for s in sections
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title><style>{CSS}</style></head>
<body data-edition="{edition}">
<h1>{esc(title)}</h1>
<p class="banner">{banner}</p>
<p><small>Built {esc(built.get("finished_at"))} from the marts of the analysis window
{esc(built.get("window_start_date"))} to {esc(built.get("window_end_date"))}.</small></p>
<nav>{nav}</nav>
{"".join(sections)}
<script>document.body.dataset.rendered = "yes";</script>
</body></html>
"""


# --- sections ---------------------------------------------------------------------------------


def built_info(con) -> dict:
    info = rows(
        con,
        "select min(window_start_date) as window_start_date,"
        " max(window_end_date) as window_end_date from marts.fct_area_violence",
    )[0]
    try:
        status = rows(con, "select finished_at, status from marts.build_status")
        info.update(status[0] if status else {})
    except Exception:  # noqa: BLE001 - an older database without build_status
        pass
    return info


def method_section(measures: list[dict]) -> str:
    body = [
        [
            esc(m["measure"]),
            number(m["priority_weight"]),
            "yes" if m["is_available"] else "no",
            number(m["priority_weight_used"]),
            esc(m["unavailable_reason"] or ""),
        ]
        for m in measures
    ]
    return section(
        "method",
        "Method and measures",
        p(
            "Violent offences are counted where they happen, in small areas (LSOAs), and "
            "turned into rates per 1,000 residents per year, smoothed towards the force-wide "
            "rate where numbers are small. A school's exposure is the average rate of the "
            "areas its pupils live in, weighted by an estimate of how many pupils come from "
            "each area (its catchment). The priority score combines the measures below with "
            "the VRU's weights; an unavailable measure is left out and the rest re-weighted."
        ),
        table(
            ["measure", "weight set", "available", "weight used", "why unavailable"],
            body,
            "Measures of the priority score (dim_priority_measures)",
        ),
    )


def areas_section(con, areas: list[dict], lads: list[dict], schools=None) -> str:
    body = [
        [
            esc(a["area_name"]),
            count(a["violent_offences"]),
            interval(
                a["violent_rate_per_1000_per_year"],
                a["violent_rate_lower"],
                a["violent_rate_upper"],
            ),
            count(a["youth_violent_offences"]),
        ]
        for a in lads
    ]
    return section(
        "areas",
        "Where violence happens",
        figure(
            area_map(con, "Smoothed violent offence rate by LSOA", schools),
            "Empirical-Bayes smoothed rates (fct_area_violence, level lsoa); hatched grey: "
            "no rate. Lines: local authorities."
            + (" Triangles: schools at the top of the priority list." if schools else ""),
        ),
        figure(
            rate_histogram(areas),
            "How LSOA smoothed rates are spread; dashed: the force-wide rate.",
        ),
        table(
            [
                "local authority",
                "violent offences",
                "rate per 1,000/yr (90% interval)",
                "youth-involved",
            ],
            body,
            "Local authorities (fct_area_violence, level lad; counts rounded)",
        ),
    )


def bias_section(checks: list[dict]) -> str:
    deciles = [c for c in checks if c["check_name"] == "violence_by_deprivation_decile"]
    by_la = [c for c in checks if c["check_name"] == "violence_by_local_authority"]
    people = [c for c in checks if c["check_name"].startswith("school_aged_suspects")]
    stability = [c for c in checks if c["check_name"] == "priority_list_without_proactive"]
    parts = [
        figure(
            decile_chart(deciles),
            "Violent offences per 1,000 residents per year by deprivation decile "
            "(fct_bias_checks).",
        ),
        table(
            ["decile", "violent offences", "rate per 1,000/yr", "share from proactive policing"],
            [
                [
                    esc(d["breakdown_name"]),
                    count(d["violent_offences"]),
                    number(d["violent_rate_per_1000_per_year"]),
                    percent(d["proactive_share"]),
                ]
                for d in deciles + by_la
            ],
            "Counted offences by deprivation decile and local authority, and how many came "
            "from proactive policing",
        ),
    ]
    if stability and stability[0]["top_schools"] is not None:
        s = stability[0]
        parts.append(
            p(
                "Without offences from proactive policing, "
                f"{percent(s['top_schools_kept_share'], 0)} of the top schools stay at the top "
                "(rank correlation "
                f"{number(s['rank_correlation_without_proactive'], 3)}): the list does not rest "
                "on where police chose to look."
            )
        )
    shown = [c for c in people if c["suspect_share"] is not None]
    if shown:
        parts.append(
            table(
                [
                    "check",
                    "group",
                    "suspects and offenders of school age",
                    "share (90% interval)",
                    "share of residents 10-17 in their home areas",
                    "ratio (90% interval)",
                ],
                [
                    [
                        esc(c["check_name"].replace("school_aged_suspects_", "")),
                        esc(c["breakdown_name"]),
                        count(c["suspects_of_school_age"]),
                        interval(
                            c["suspect_share"], c["suspect_share_lower"], c["suspect_share_upper"]
                        ),
                        percent(c["resident_share_of_home_areas"]),
                        interval(
                            c["ratio_to_home_areas"],
                            c["ratio_to_home_areas_lower"],
                            c["ratio_to_home_areas_upper"],
                        ),
                    ]
                    for c in people
                ],
                "Sex and ethnicity of school-aged suspects and offenders against the "
                "residents of the areas they live in (a ratio near 1: proportionate)",
            )
        )
    else:
        parts.append(
            p("No person records in this build: the sex and ethnicity checks are unavailable.")
        )
    return section("bias", "Checks for bias", *parts)


def quality_section(quality: list[dict]) -> str:
    checks = [q for q in quality if q["threshold"] is not None]
    return section(
        "quality",
        "Data quality",
        p(
            "Shares only: the exact file counts are in fct_data_quality, for the analyst. "
            "Each check has a threshold; a check that misses it warns in the build."
        ),
        table(
            ["source", "check", "share", "threshold", "met"],
            [
                [
                    esc(q["source"]),
                    esc(q["check_name"] + (f" ({q['breakdown']})" if q["breakdown"] else "")),
                    percent(q["share"]),
                    f"{esc(q['threshold_kind'])} {percent(q['threshold'], 0)}",
                    "yes" if q["meets_threshold"] else "<strong>no</strong>",
                ]
                for q in checks
            ],
            "Quality checks with their thresholds (fct_data_quality)",
        ),
    )


def reading_section() -> str:
    return section(
        "reading",
        "How to read a rank",
        p(
            "A rank comes with a 90% interval from simulated rankings that include the "
            "uncertainty of the counts and of the catchments. Two schools whose intervals "
            "overlap cannot be told apart: read the chart as groups, not as an order. A "
            "school high on the list is a prompt for a conversation with it, not a finding "
            "about its pupils. Counts below the threshold are suppressed (shown as a dash) and "
            "the rest rounded."
        ),
    )


def rank_caution(rank_check: dict | None) -> str:
    """A banner over the top of the list when fct_data_quality's rank check missed its
    threshold: with too few offences the ranks cannot be told apart, and a reader of the
    report (not of the build's warnings) must see that before any school's name."""
    if not rank_check or rank_check["meets_threshold"] is not False:
        return ""
    return (
        '<p class="banner"><strong>These ranks cannot be told apart.</strong> '
        f"{percent(rank_check['share'], 0)} of the top {rank_check['denominator']} "
        "schools have a rank interval reaching the bottom half of the list: too few offences "
        "to order them (data-quality check top_rank_reaches_bottom_half). Do not read this "
        "list as an order, and do not single out any school from it.</p>"
    )


def schools_sections(con, top_n: int, rank_check: dict | None = None) -> list[str]:
    schools = rows(
        con,
        "select e.*, l.easting, l.northing, e.priority_rank <= ? as is_top"
        " from marts.fct_school_exposure e left join marts.dim_school_locations l using (urn)"
        " order by e.priority_rank, e.urn",
        [top_n],
    )
    top = [s for s in schools if s["is_top"]]
    candidates = [s for s in schools if s["is_new_candidate"]]
    funnel_svg, overall = funnel(schools)
    top_table = table(
        [
            "rank (90% interval)",
            "school",
            "phase",
            "local authority",
            "exposure index (90% interval)",
            "pupils from high-violence areas",
            "on the VRU's list",
        ],
        [
            [
                interval(s["priority_rank"], s["priority_rank_lower"], s["priority_rank_upper"], 0),
                esc(s["school_name"]),
                esc(s["phase"]),
                esc(s["la_name"]),
                interval(
                    s["exposure_index"], s["exposure_index_lower"], s["exposure_index_upper"], 0
                ),
                count(s["pupils_from_high_violence_areas"]),
                "yes" if s["on_vru_list"] else "no",
            ]
            for s in top
        ],
        f"The top {len(top)} schools (fct_school_exposure)",
    )
    authorities: dict[str, dict] = {}
    for s in schools:
        a = authorities.setdefault(
            s["la_name"] or "unknown", {"schools": 0, "top": 0, "candidates": 0, "on_list": 0}
        )
        a["schools"] += 1
        a["top"] += bool(s["is_top"])
        a["candidates"] += bool(s["is_new_candidate"])
        a["on_list"] += bool(s["on_vru_list"])
    return [
        section(
            "ranks",
            "Top of the priority list",
            rank_caution(rank_check),
            figure(
                caterpillar(top),
                "Each school's priority rank (dot) and 90% interval (line). Filled: on the "
                "VRU's list; open: a new candidate.",
            ),
            top_table,
        ),
        section(
            "candidates",
            "New candidates",
            p(
                "Schools at the top of the list that are not yet on the VRU's list: a prompt "
                "to talk to them."
            ),
            table(
                ["rank (90% interval)", "school", "phase", "type", "local authority"],
                [
                    [
                        interval(
                            s["priority_rank"],
                            s["priority_rank_lower"],
                            s["priority_rank_upper"],
                            0,
                        ),
                        esc(s["school_name"]),
                        esc(s["phase"]),
                        esc(s["establishment_type"]),
                        esc(s["la_name"]),
                    ]
                    for s in candidates
                ],
                f"{len(candidates)} new candidates",
            ),
        ),
        section(
            "schools-map",
            "Schools and area rates",
            figure(
                area_map(con, "Smoothed LSOA rates and schools", schools),
                "Triangles: the top of the priority list; dots: other schools.",
            ),
        ),
        section(
            "funnel",
            "Funnel plot of offender rates",
            figure(
                funnel_svg,
                "School-aged violent offenders attributed to each school per 1,000 pupils, "
                "against its pupils, with 95% and 99.8% limits around the overall rate "
                f"({number(overall)} per 1,000). Inside the funnel: not distinguishable from "
                "the overall rate. Suppressed schools are not plotted.",
            ),
        ),
        section(
            "authorities",
            "By local authority",
            table(
                ["local authority", "schools", "in the top", "new candidates", "on the VRU's list"],
                [
                    [
                        esc(name),
                        str(a["schools"]),
                        str(a["top"]),
                        str(a["candidates"]),
                        str(a["on_list"]),
                    ]
                    for name, a in sorted(authorities.items())
                ],
                "Numbers of schools (not of children)",
            ),
        ),
    ]


def changes_section(con, top_n: int) -> str:
    """Schools that entered or left the top since the previous build (the VRU only)."""
    changes = rows(con, "select * from marts.fct_priority_list_changes")
    if not changes:
        return section(
            "changes",
            "Changes since the previous build",
            p(
                "No school entered or left the top of the list since the previous build (or "
                "this is the first build, with nothing to compare)."
            ),
        )
    beyond = sum(bool(c["is_beyond_interval"]) for c in changes)
    entered = sum(c["list_change"].startswith("entered") for c in changes)

    return section(
        "changes",
        "Changes since the previous build",
        p(
            f"{entered} school(s) entered and {len(changes) - entered} left the top {top_n} "
            f"since the previous build. {beyond} of these moves go beyond the school's 90% "
            "rank interval; the others are a reshuffle among schools the data cannot tell "
            "apart, not a change to act on."
        ),
        table(
            [
                "change",
                "school",
                "local authority",
                "then: rank (90% interval)",
                "now: rank (90% interval)",
                "why",
                "beyond the interval",
            ],
            [
                [
                    esc(c["list_change"]),
                    esc(c["school_name"]),
                    esc(c["la_name"]),
                    interval(
                        c["previous_priority_rank"],
                        c["previous_priority_rank_lower"],
                        c["previous_priority_rank_upper"],
                        0,
                    ),
                    interval(
                        c["priority_rank"], c["priority_rank_lower"], c["priority_rank_upper"], 0
                    ),
                    esc(c["change_reason"]),
                    {True: "yes", False: "no", None: "&ndash;"}[c["is_beyond_interval"]],
                ]
                for c in changes
            ],
            "Schools entering or leaving the top (fct_priority_list_changes)",
        ),
    )


def render(con, edition: str, top_n: int) -> str:
    check_marts(con, edition)
    areas = rows(
        con,
        "select * from marts.fct_area_violence where area_level = 'lsoa' order by area_code",
    )
    lads = rows(
        con, "select * from marts.fct_area_violence where area_level = 'lad' order by area_code"
    )
    checks = rows(con, "select * from marts.fct_bias_checks order by check_name, breakdown")
    measures = rows(con, "select * from marts.dim_priority_measures order by measure_order")
    quality = rows(con, "select * from marts.fct_data_quality order by source, check_name")
    sections = [method_section(measures)]
    if edition == "vru":
        say("vru edition: ranks, candidates, school map, funnel plot")
        rank_check = next(
            (q for q in quality if q["check_name"] == "top_rank_reaches_bottom_half"), None
        )
        sections += schools_sections(con, top_n, rank_check)
        sections.append(changes_section(con, top_n))
    say(f"{edition} edition: area map and distributions")
    sections.append(areas_section(con, areas, lads))
    say(f"{edition} edition: bias and data quality")
    sections += [bias_section(checks), quality_section(quality), reading_section()]
    return page(edition, built_info(con), sections)


def top_n_default() -> int:
    import yaml

    with open(PROJECT_DIR / "dbt_project.yml", encoding="utf-8") as handle:
        return int(yaml.safe_load(handle)["vars"]["priority_top_n"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render the static HTML report (VRU and public editions) from the marts.",
        epilog="Run after `make build` or `make run`. Each edition is one self-contained "
        "HTML file that opens offline.",
    )
    parser.add_argument("--db", type=Path, default=PROJECT_DIR / "data/school_exposure.duckdb")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "outputs/report")
    parser.add_argument(
        "--edition", nargs="+", choices=sorted(EDITION_MARTS), default=["vru", "public"]
    )
    parser.add_argument(
        "--top",
        type=int,
        default=None,
        help="schools shown at the top (default: var priority_top_n)",
    )
    args = parser.parse_args(argv)
    try:
        con = connect(args.db)
        top_n = args.top or top_n_default()
        args.out.mkdir(parents=True, exist_ok=True)
        for edition in args.edition:
            say(f"rendering the {edition} edition from {args.db}")
            text = render(con, edition, top_n)
            path = args.out / f"{edition}.html"
            path.write_text(text, encoding="utf-8")
            say(f"wrote {path} ({len(text) / 1e6:.1f} MB)")
    except ReportError as error:
        print(f"report: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
