"""Install and load DuckDB's spatial extension from its PyPI package, never from the network.

The extension binary ships in the `duckdb-extension-spatial` wheel. `install` copies it into
DuckDB's extension directory once, at set-up; every connection then only runs `LOAD spatial`.
DuckDB refuses an extension built for another DuckDB version, so the two packages must carry the
same version: both `install` and `load_spatial` check that first and say so when they differ.

    python scripts/spatial_extension.py install   # at set-up (make setup)
    python scripts/spatial_extension.py check     # prints the versions and loads the extension
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata

EXTENSION_PACKAGE = "duckdb-extension-spatial"


class SpatialExtensionError(RuntimeError):
    """The spatial extension cannot be used; the message says why and what to do."""


def package_versions() -> tuple[str, str | None]:
    """The installed versions of duckdb and of the spatial extension package (None if absent)."""
    duckdb_version = metadata.version("duckdb")
    try:
        spatial_version = metadata.version(EXTENSION_PACKAGE)
    except metadata.PackageNotFoundError:
        spatial_version = None
    return duckdb_version, spatial_version


def check_versions() -> str:
    """Raise SpatialExtensionError unless duckdb and its spatial package have one version."""
    duckdb_version, spatial_version = package_versions()
    if spatial_version is None:
        raise SpatialExtensionError(
            f"The Python package {EXTENSION_PACKAGE} is not installed. "
            "Run `make setup` (it installs requirements.txt)."
        )
    if spatial_version != duckdb_version:
        raise SpatialExtensionError(
            f"Version mismatch: duckdb is {duckdb_version} but {EXTENSION_PACKAGE} is "
            f"{spatial_version}. DuckDB only loads an extension built for its own version: pin "
            "both to the same version in requirements.txt and run `make setup` again."
        )
    return duckdb_version


def install() -> str:
    """Copy the packaged extension into DuckDB's extension directory; return the version."""
    version = check_versions()
    import duckdb
    import duckdb_extensions

    con = duckdb.connect()
    try:
        duckdb_extensions.import_extension("spatial", force_install=True, con=con)
        load_spatial(con)
    finally:
        con.close()
    return version


def load_spatial(con) -> None:
    """LOAD spatial on `con`; never installs or downloads. Clear error when not set up."""
    check_versions()
    try:
        con.execute("LOAD spatial")
    except Exception as exc:  # duckdb raises IOException when the file is missing
        raise SpatialExtensionError(
            "DuckDB's spatial extension is not installed in the extension directory. "
            f"Run `make setup` (or `python scripts/spatial_extension.py install`). ({exc})"
        ) from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "action",
        choices=["install", "check"],
        help="install: copy the packaged extension into DuckDB's extension directory; "
        "check: verify versions and that the extension loads",
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "install":
            version = install()
            print(f"[setup] DuckDB spatial extension {version} installed from PyPI package")
        else:
            import duckdb

            con = duckdb.connect()
            load_spatial(con)
            print(f"[check] duckdb {duckdb.__version__}: spatial extension loads")
    except SpatialExtensionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
