# ruff: noqa: E501  (table rows read best on one line)
"""Fail closed: anything sqlrun cannot translate faithfully is a CompileError naming
file:line:col, the construct, the source dialect and the target engine - before running."""

from __future__ import annotations

import pytest

from sqlrun.engine.compile import compile_query
from sqlrun.engine.target import target
from sqlrun.errors import CompileError
from tests.semantics import query


@pytest.mark.parametrize(
    "dialect,sql,engine,pattern",
    [
        # an unknown (e.g. user-defined) function, on its own line
        ("spark", "SELECT\n  k,\n  my_udf(s) AS u\nFROM t", "duckdb",
         r"^q\.sql:3:3: function MY_UDF\(\): unknown spark function \(spark -> duckdb\)$"),
        ("spark", "SELECT\n  my_udf(s) AS u\nFROM t", "polars", r"^q\.sql:2:3: function MY_UDF\(\)"),
        # the generator's unsupported() path points at the node it refused
        ("spark", "SELECT k,\n  DATE_ADD(d, k) AS x\nFROM t", "polars",
         r"^q\.sql:2:3: .*not supported by polars: Polars INTERVAL needs a constant .*\(spark -> polars\)$"),
        ("spark", "SELECT k,\n       SOUNDEX(s)\nFROM t", "polars", r"^q\.sql:2:8: .*no function SOUNDEX\(\).*\(spark -> polars\)$"),
        # a rewrite that refuses
        ("redshift", "SELECT\n  a / b\nFROM t", "duckdb",
         r"^q\.sql:2:3: a / b: Redshift '/' divides integers as integers.*\(redshift -> duckdb\)$"),
        ("spark", "SELECT DATEDIFF(MONTH, a, b) FROM t", "duckdb", r"^q\.sql:1:8: .*complete units.*\(spark -> duckdb\)$"),
        ("duckdb", "SELECT approx_quantile(v, 0.5) FROM t", "spark", r"^q\.sql:1:\d+: .*no exact equivalent.*\(duckdb -> spark\)$"),
        # what is an error on the source engine is refused, not given an answer
        ("redshift", "SELECT SUBSTRING('abc', 1, -1)", "polars", r"^q\.sql:1:18: .*negative SUBSTRING length is an error in Redshift"),
        # a Spark function spelled out for the target, called with the wrong arity
        ("spark", "SELECT k,\n  pmod(k) FROM t", "duckdb",
         r"^q\.sql:2:3: function PMOD\(\): PMOD takes 2 argument\(s\), got 1 \(spark -> duckdb\)$"),
        ("spark", "SELECT make_date(2024, 1, k) FROM t", "polars",
         r"^q\.sql:1:8: .*DATE_FROM_PARTS\(\).*not an integer is not translated for polars"),
        # sqlglot's opaque Command fallback
        ("spark", "SHOW TABLES", "duckdb", r"^q\.sql:\d+:\d+: .*SHOW is not a query: .*\(unsafe_sql = true in \[project\] allows it\)$"),
    ],
)
def test_compile_error_names_place_construct_and_engines(dialect, sql, engine, pattern):
    with pytest.raises(CompileError, match=pattern):
        compile_query(query(sql, dialect), target(engine))


def test_same_dialect_keeps_the_source_function():
    # Spark to Spark: an unknown name may be a registered UDF, so it is left to Spark.
    assert "MY_UDF(S)" in compile_query(query("SELECT my_udf(s) FROM t", "spark"), target("spark")).upper()


def test_errors_come_before_anything_runs(tmp_path):
    from sqlrun.api import Session
    from tests.semantics import make_project

    with Session(make_project(tmp_path)) as session, pytest.raises(CompileError):
        session.run(query("SELECT SOUNDEX(s) FROM t", "spark"), "polars")
    assert "polars" not in session._engines  # no engine was even started
