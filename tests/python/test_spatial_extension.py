"""The spatial extension comes from its PyPI package and must match DuckDB's version."""

from __future__ import annotations

import duckdb
import pytest

import spatial_extension
from spatial_extension import SpatialExtensionError, check_versions, load_spatial


def test_installed_versions_match_and_the_extension_loads():
    assert check_versions() == duckdb.__version__
    con = duckdb.connect()
    load_spatial(con)
    assert con.execute("select st_astext(st_point(1, 2))").fetchone()[0] == "POINT (1 2)"


def test_a_version_mismatch_fails_with_a_message_that_says_so(monkeypatch):
    monkeypatch.setattr(
        spatial_extension, "package_versions", lambda package=None: ("1.5.5", "1.4.0")
    )
    with pytest.raises(SpatialExtensionError, match="Version mismatch: duckdb is 1.5.5 but"):
        check_versions()
    with pytest.raises(SpatialExtensionError, match="Version mismatch"):
        load_spatial(duckdb.connect())


def test_a_missing_extension_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(spatial_extension, "package_versions", lambda package=None: ("1.5.5", None))
    with pytest.raises(SpatialExtensionError, match="make setup"):
        check_versions()


def test_the_cli_reports_errors_without_a_traceback(monkeypatch, capsys):
    monkeypatch.setattr(
        spatial_extension, "package_versions", lambda package=None: ("1.5.5", "1.4.0")
    )
    assert spatial_extension.main(["check"]) == 1
    assert "Version mismatch" in capsys.readouterr().err
