"""Catalog files: headers, parameters, names, and their errors."""

from pathlib import Path

import pytest

from sqlrun.config import load_project
from sqlrun.engine.catalog import Catalog, Param, load_query
from sqlrun.errors import CatalogError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_headers_are_read_until_the_first_sql_line(tmp_path):
    path = write(
        tmp_path,
        "q.sql",
        (
            "-- name: daily\n-- dialect: redshift\n-- description: Daily totals\n"
            "-- an ordinary comment\n-- engines: duckdb, polars\n"
            "-- param ds: date\n-- param n: int = 5\n"
            "SELECT 1\n-- dialect: duckdb\n"
        ),
    )
    q = load_query(path)
    assert (q.name, q.dialect, q.description, q.engines) == ("daily", "redshift", "Daily totals", ("duckdb", "polars"))
    assert q.params == (Param("ds", "date"), Param("n", "int", "5"))


def test_defaults_come_from_the_project(tmp_path):
    q = load_query(write(tmp_path, "totals.sql", "SELECT 1"), default_dialect="duckdb")
    assert (q.name, q.dialect, q.params, q.engines) == ("totals", "duckdb", (), ())


@pytest.mark.parametrize(
    "text, message",
    [
        ("-- dialect: oracle\nSELECT 1", "dialect 'oracle'"),
        ("-- engines: duckdb, mysql\nSELECT 1", "unknown engine 'mysql'"),
        ("-- param ds: datetime2\nSELECT 1", "unknown type 'datetime2'"),
        ("-- param 1x: int\nSELECT 1", "bad param header"),
        ("\n\n", "empty"),
    ],
)
def test_bad_headers_are_errors(tmp_path, text, message):
    with pytest.raises(CatalogError, match=message):
        load_query(write(tmp_path, "bad.sql", text))


def project(tmp_path: Path):
    (tmp_path / "sqlrun.toml").write_text("[project]\ndialect = 'spark'\n")
    return load_project(tmp_path)


def test_catalog_finds_nested_files_and_skips_data(tmp_path):
    write(tmp_path, "queries/a.sql", "SELECT 1")
    write(tmp_path, "queries/sub/b.sql", "SELECT 2")
    write(tmp_path, "queries/data/junk.sql", "SELECT 3")
    catalog = Catalog(project(tmp_path))
    assert sorted(catalog.queries) == ["a", "b"]
    assert catalog.get("b").path.name == "b.sql"


def test_duplicate_names_are_an_error(tmp_path):
    write(tmp_path, "queries/a.sql", "SELECT 1")
    write(tmp_path, "queries/x/a.sql", "SELECT 2")
    with pytest.raises(CatalogError, match="query name 'a' is used by"):
        _ = Catalog(project(tmp_path)).queries


def test_unknown_query_lists_the_catalog(tmp_path):
    write(tmp_path, "queries/a.sql", "SELECT 1")
    with pytest.raises(CatalogError, match=r"unknown query 'zz' \(catalog has: a\)"):
        Catalog(project(tmp_path)).get("zz")


def test_a_path_outside_the_catalog_can_be_run(tmp_path):
    path = write(tmp_path, "elsewhere/adhoc.sql", "SELECT 1")
    assert Catalog(project(tmp_path)).get(str(path)).name == "adhoc"
    with pytest.raises(CatalogError, match="no such SQL file"):
        Catalog(project(tmp_path)).get(str(tmp_path / "missing.sql"))
