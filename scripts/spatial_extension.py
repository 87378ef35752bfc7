"""Install and load DuckDB's extensions from their PyPI packages, never from the network.

Two extensions are used: `spatial` (geometry, GDAL readers, the R-tree) and `encodings` (the
CSV reader's Windows-1252, the encoding of the DfE's GIAS download). Each binary ships in a
wheel (`duckdb-extension-spatial`, `duckdb-extension-encodings`). `install` copies them into
DuckDB's extension directory once, at set-up; every connection then only runs `LOAD`. DuckDB
refuses an extension built for another DuckDB version, so every package must carry duckdb's
own version: both `install` and `load_spatial` check that first and say so when they differ.

    python scripts/spatial_extension.py install   # at set-up (make setup)
    python scripts/spatial_extension.py check     # prints the versions and loads the extensions
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata

EXTENSION_PACKAGE = "duckdb-extension-spatial"
# Every extension the project loads, by the PyPI package that carries it.
EXTENSION_PACKAGES = {"spatial": EXTENSION_PACKAGE, "encodings": "duckdb-extension-encodings"}


class SpatialExtensionError(RuntimeError):
    """An extension cannot be used; the message says why and what to do."""


def package_versions(package: str = EXTENSION_PACKAGE) -> tuple[str, str | None]:
    """The installed versions of duckdb and of an extension package (None if absent)."""
    duckdb_version = metadata.version("duckdb")
    try:
        extension_version = metadata.version(package)
    except metadata.PackageNotFoundError:
        extension_version = None
    return duckdb_version, extension_version


def check_versions(package: str = EXTENSION_PACKAGE) -> str:
    """Raise SpatialExtensionError unless duckdb and the extension package have one version."""
    duckdb_version, extension_version = package_versions(package)
    if extension_version is None:
        raise SpatialExtensionError(
            f"The Python package {package} is not installed. "
            "Run `make setup` (it installs requirements.txt)."
        )
    if extension_version != duckdb_version:
        raise SpatialExtensionError(
            f"Version mismatch: duckdb is {duckdb_version} but {package} is "
            f"{extension_version}. DuckDB only loads an extension built for its own version: "
            "pin both to the same version in requirements.txt and run `make setup` again."
        )
    return duckdb_version


def install() -> str:
    """Copy every packaged extension into DuckDB's extension directory; return the version."""
    for package in EXTENSION_PACKAGES.values():
        version = check_versions(package)
    import duckdb
    import duckdb_extensions

    con = duckdb.connect()
    try:
        for name in EXTENSION_PACKAGES:
            duckdb_extensions.import_extension(name, force_install=True, con=con)
        load_spatial(con)
        load_encodings(con)
    finally:
        con.close()
    return version


def _load(con, name: str) -> None:
    check_versions(EXTENSION_PACKAGES[name])
    try:
        con.execute(f"LOAD {name}")
    except Exception as exc:  # duckdb raises IOException when the file is missing
        raise SpatialExtensionError(
            f"DuckDB's {name} extension is not installed in the extension directory. "
            f"Run `make setup` (or `python scripts/spatial_extension.py install`). ({exc})"
        ) from exc


def load_spatial(con) -> None:
    """LOAD spatial on `con`; never installs or downloads. Clear error when not set up."""
    _load(con, "spatial")


def load_encodings(con) -> None:
    """LOAD encodings on `con` (read_csv's encoding = 'CP1252'); never downloads."""
    _load(con, "encodings")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Run by `make setup`; `check` tells whether a set-up is usable.",
    )
    parser.add_argument(
        "action",
        choices=["install", "check"],
        help="install: copy the packaged extensions into DuckDB's extension directory; "
        "check: verify versions and that the extensions load",
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "install":
            version = install()
            print(
                f"[setup] DuckDB extensions {', '.join(EXTENSION_PACKAGES)} {version} "
                "installed from their PyPI packages"
            )
        else:
            import duckdb

            con = duckdb.connect()
            load_spatial(con)
            load_encodings(con)
            print(f"[check] duckdb {duckdb.__version__}: spatial and encodings extensions load")
    except SpatialExtensionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
