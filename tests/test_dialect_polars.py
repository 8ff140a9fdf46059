# ruff: noqa: E501  (table rows read best on one line)
"""The Polars dialect, table style: what `write="polars"` produces, and what it refuses."""

from __future__ import annotations

import polars as pl
import pytest
import sqlglot
from sqlglot.errors import ErrorLevel, UnsupportedError

from sqlrun.dialects.polars import SUPPORTED_FUNCTIONS
from tests.semantics import validate_all


def polars_sql(sql: str, read: str) -> str:
    return sqlglot.transpile(sql, read=read, write="polars", unsupported_level=ErrorLevel.RAISE)[0]


@pytest.mark.parametrize(
    "read,sql,expected",
    [
        ("spark", "SELECT DAYOFWEEK(d) FROM t", "SELECT DATE_PART('dow', CAST(d AS DATE)) FROM t"),
        ("spark", "SELECT PERCENTILE(v, 0.5) FROM t", "SELECT QUANTILE_CONT(v, 0.5) FROM t"),
        ("spark", "SELECT MEDIAN(v) FROM t", "SELECT MEDIAN(v) FROM t"),
        ("spark", "SELECT DATE_ADD(d, -3) FROM t", "SELECT CAST(d AS DATE) - INTERVAL '3 days' FROM t"),
        ("spark", "SELECT DATE_SUB(d, -1) FROM t", "SELECT CAST(d AS DATE) + INTERVAL '1 days' FROM t"),
        ("spark", "SELECT ADD_MONTHS(d, -1) FROM t", "SELECT d - INTERVAL '1 months' FROM t"),
        ("duckdb", "SELECT d - INTERVAL '-2 days' FROM t", "SELECT d + INTERVAL '2 days' FROM t"),
        ("spark", "SELECT DATEDIFF(b, a) FROM t", "SELECT (CAST(CAST(CAST(b AS DATE) AS DATE) AS INT) - CAST(CAST(CAST(a AS DATE) AS DATE) AS INT)) FROM t"),
        ("spark", "SELECT DATE_FORMAT(d, 'yyyy-MM') FROM t", "SELECT STRFTIME(CAST(d AS TIMESTAMP), '%Y-%m') FROM t"),
        ("spark", "SELECT INSTR(s, 'a') FROM t", "SELECT STRPOS(s, 'a') FROM t"),
        ("spark", "SELECT ROUND(x, 1) FROM t", "SELECT (SIGN(x) * FLOOR(ABS(x) * POWER(10, 1) + 0.5) / POWER(10, 1)) FROM t"),
        ("spark", "SELECT x FROM t ORDER BY x", "SELECT x FROM t ORDER BY x ASC NULLS FIRST"),
        ("redshift", "SELECT x FROM t ORDER BY x", "SELECT x FROM t ORDER BY x ASC NULLS LAST"),
        ("duckdb", "SELECT x FROM t ORDER BY x DESC", "SELECT x FROM t ORDER BY x DESC NULLS LAST"),
        ("redshift", "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY v DESC) FROM t", "SELECT QUANTILE_CONT(v, 1 - 0.5) FROM t"),
    ],
)
def test_polars_writes(read, sql, expected):
    assert polars_sql(sql, read) == expected


@pytest.mark.parametrize(
    "read,sql,reason",
    [
        ("spark", "SELECT SOUNDEX(s) FROM t", "no function SOUNDEX"),
        ("spark", "SELECT PERCENTILE_APPROX(v, 0.5) FROM t", "approximate percentile"),
        ("spark", "SELECT APPROX_COUNT_DISTINCT(v) FROM t", "approximate COUNT DISTINCT"),
        ("spark", "SELECT DATE_ADD(d, n) FROM t", "constant whole count"),
        ("redshift", "SELECT DATEDIFF(hour, a, b) FROM t", "only DAY"),
        ("spark", "SELECT LEVENSHTEIN(a, b) FROM t", "no function LEVENSHTEIN"),
    ],
)
def test_polars_refuses(read, sql, reason):
    with pytest.raises(UnsupportedError, match=reason):
        polars_sql(sql, read)


def test_supported_functions_are_really_in_polars():
    # The list is data; if a Polars upgrade drops a name, this says which.
    ctx = pl.SQLContext(df=pl.LazyFrame({"x": [1]}))
    missing = []
    for name in sorted(SUPPORTED_FUNCTIONS - {"cast", "try_cast"}):
        try:
            ctx.execute(f"SELECT {name}(x) FROM df", eager=True)
        except Exception as exc:  # wrong arity/type is fine; an unknown name is not
            if f"unsupported function '{name}'" in str(exc):
                missing.append(name)
    assert missing == []


def test_unknown_polars_function_is_really_unknown():
    ctx = pl.SQLContext(df=pl.LazyFrame({"x": [1]}))
    with pytest.raises(Exception, match="unsupported function 'soundex'"):
        ctx.execute("SELECT soundex(x) FROM df", eager=True)


def test_compiled_polars_sql_table_style():
    validate_all(
        "SELECT DAYOFWEEK(d) AS w FROM t ORDER BY w",
        read="spark",
        write={
            "polars": "SELECT (DATE_PART('dow', CAST(d AS DATE)) + 1) AS w FROM t ORDER BY w ASC NULLS FIRST",
            "duckdb": "SELECT (DAYOFWEEK(CAST(d AS DATE)) + 1) AS w FROM t ORDER BY w NULLS FIRST",
            "spark": "SELECT DAYOFWEEK(d) AS w FROM t ORDER BY w",
        },
    )
