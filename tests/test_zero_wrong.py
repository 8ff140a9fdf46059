"""Spark answers at the edges, or a refusal before anything runs: the engine binds the statement
over empty tables at compile time; Spark's integer wrapping and saturation on DuckDB and Polars."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlrun.engine.catalog import Query
from sqlrun.errors import CompileError


def spark(sql: str) -> Query:
    return Query(name="q", path=Path("q.sql"), dialect="spark", sql=sql)


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_a_binder_error_is_refused_at_compile_time(demo_session, engine):
    # grouping__id is Spark's; the engines' binders reject it: named at compile time, not at run
    with pytest.raises(CompileError, match=rf"q.sql:1:\d+: {engine} cannot run this statement: .*grouping__id"):
        demo_session.compile(spark("SELECT country, grouping__id FROM users GROUP BY country WITH ROLLUP"), engine)


def test_a_literal_statement_duckdb_cannot_compute_is_refused(demo_session):
    with pytest.raises(CompileError, match=r"duckdb cannot run this statement: .*base64"):
        demo_session.compile(spark("SELECT unbase64(' ab cd ')"), "duckdb")


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_spark_integers_wrap_and_doubles_saturate(demo_session, engine):
    sql = (
        "SELECT CAST(user_id * 4294967296 + 7 AS INT) AS narrowed, birth_year * 2147483647 AS product,"
        " CAST(birth_year * 1e300 AS BIGINT) AS saturated, CAST(CAST('NaN' AS DOUBLE) + birth_year AS INT) AS nan"
        " FROM users WHERE user_id = 1"
    )
    row = demo_session.run(spark(sql), engine).to_pylist()[0]
    year = demo_session.run(spark("SELECT birth_year FROM users WHERE user_id = 1"), engine).column(0)[0].as_py()
    wrapped = (year * 2147483647) % 2**32
    assert row == {
        "narrowed": 7,  # 2^32 + 7 keeps its low 32 bits
        "product": wrapped - 2**32 if wrapped >= 2**31 else wrapped,  # INT * INT stays an INT, wrapped
        "saturated": 2**63 - 1,
        "nan": 0,
    }
