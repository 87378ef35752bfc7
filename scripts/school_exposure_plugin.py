"""dbt-duckdb plugin: prepares every DuckDB connection dbt opens for this project.

- loads the spatial extension that set-up installed (never downloads it);
- registers `pseudonymise(text) -> text`, the keyed hash of person references. The key is read
  lazily, on the first call, so dbt commands that never touch person data (docs, parse, seeds)
  work without one, and a build that does stops with a clear message.

Named in profiles.yml under `plugins:`; `module_paths: [scripts]` puts this folder on the path.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin

from pseudonymisation import load_key, make_pseudonymiser
from spatial_extension import load_spatial


def _lazy_pseudonymiser():
    state: dict = {}

    def pseudonymise(reference: str | None) -> str | None:
        if "fn" not in state:
            state["fn"] = make_pseudonymiser(load_key())
        return state["fn"](reference)

    return pseudonymise


class Plugin(BasePlugin):
    def configure_connection(self, conn):
        load_spatial(conn)
        # dbt-duckdb may configure the same database more than once; functions are
        # database-wide, so replace rather than fail on "already exists".
        try:
            conn.remove_function("pseudonymise")
        except Exception:  # not registered yet
            pass
        conn.create_function(
            "pseudonymise",
            _lazy_pseudonymiser(),
            ["VARCHAR"],
            "VARCHAR",
            null_handling="special",
            side_effects=False,
        )
