"""Parameters are bound as typed literals in the syntax tree, never pasted into SQL."""

from pathlib import Path

import pytest

from sqlrun.adapters import create_engine
from sqlrun.engine.catalog import load_query
from sqlrun.engine.compile import compile_query
from sqlrun.engine.target import target
from sqlrun.errors import CatalogError

HEADER = (
    "-- param ds: date\n-- param at: timestamp = 2025-01-02T03:04:05\n-- param n: int = 10\n"
    "-- param f: float = 0.5\n-- param d: decimal = 1.25\n-- param s: string = x\n"
    "-- param b: bool = true\n"
)


def query(tmp_path: Path, body: str, header: str = HEADER):
    path = tmp_path / "q.sql"
    path.write_text(header + body)
    return load_query(path)


@pytest.mark.parametrize(
    "engine, expected",
    [
        ("duckdb", "CAST('2025-08-03' AS DATE)"),
        ("spark", "CAST('2025-08-03' AS DATE)"),
        ("polars", "CAST('2025-08-03' AS DATE)"),
    ],
)
def test_date_param_is_a_typed_literal(tmp_path, engine, expected):
    sql = compile_query(query(tmp_path, "SELECT * FROM t WHERE ds = :ds"), target(engine), {"ds": "2025-08-03"})
    assert expected in sql


def test_each_type_binds_to_its_literal(tmp_path):
    q = query(tmp_path, "SELECT :ds, :at, :n, :f, :d, :s, :b")
    sql = compile_query(q, target("duckdb"), {"ds": "2025-08-03", "n": "-3", "s": "it's"})
    for fragment in (
        "CAST('2025-08-03' AS DATE)",
        "CAST('2025-01-02 03:04:05' AS TIMESTAMP)",
        "-3",
        "0.5",
        "1.25",
        "'it''s'",
        "TRUE",
    ):
        assert fragment in sql


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_string_param_cannot_inject_sql(tmp_path, engine):
    hostile = "x' OR '1'='1'; DROP TABLE t; --"
    q = query(tmp_path, "SELECT :s AS v", header="-- param s: string\n")
    sql = compile_query(q, target(engine), {"s": hostile})
    with create_engine(engine) as runner:
        assert runner.to_arrow(sql).column("v").to_pylist() == [hostile]


@pytest.mark.parametrize(
    "values, message",
    [
        ({}, "missing parameter\\(s\\): ds"),
        ({"ds": "2025-08-03", "zz": "1"}, "unknown parameter\\(s\\): zz"),
        ({"ds": "03/08/2025"}, "ds='03/08/2025' is not a valid date"),
        ({"ds": "2025-08-03", "n": "1.5"}, "n='1.5' is not a valid int"),
        ({"ds": "2025-08-03", "f": "nan"}, "not a valid float"),
        ({"ds": "2025-08-03", "b": "maybe"}, "not a valid bool"),
        ({"ds": "2025-08-03", "n": "1; DROP TABLE t"}, "not a valid int"),
    ],
)
def test_bad_params_are_errors(tmp_path, values, message):
    q = query(tmp_path, "SELECT :ds, :n, :f, :b")
    with pytest.raises(CatalogError, match=message):
        compile_query(q, target("duckdb"), values)


def test_undeclared_placeholder_points_at_its_line(tmp_path):
    q = query(tmp_path, "SELECT 1\nFROM t\nWHERE x = :undeclared", header="")
    with pytest.raises(CatalogError, match=r"q.sql:3:\d+: :undeclared has no '-- param"):
        compile_query(q, target("duckdb"), {})
