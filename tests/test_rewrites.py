# ruff: noqa: E501  (table rows read best on one line)
"""Each semantic rewrite, checked by running it: the source form on its own engine and the
rewritten form on every local engine must give the same rows, or compile must refuse."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from sqlrun.adapters import LOCAL_ENGINES
from sqlrun.errors import CompileError
from tests.semantics import query, transpile

D = date
TS = datetime
N = None

# (source dialect, SQL over t, expected rows, engines that must refuse with CompileError)
CASES = [
    # day of week: Spark 1=Sunday, DuckDB/Redshift 0=Sunday
    ("spark", "SELECT DAYOFWEEK(d) FROM t ORDER BY k", [1, 5, N, 1, 6], ()),
    ("spark", "SELECT EXTRACT(DOW FROM d) FROM t ORDER BY k", [1, 5, N, 1, 6], ()),
    ("duckdb", "SELECT dayofweek(d) FROM t ORDER BY k", [0, 4, N, 0, 5], ()),
    ("redshift", "SELECT DATE_PART(dow, d) FROM t ORDER BY k", [0, 4, N, 0, 5], ()),
    # percentiles: exact stays exact (linear for Spark PERCENTILE, discrete for DuckDB QUANTILE)
    ("spark", "SELECT PERCENTILE(i, 0.5) FROM t", [1.5], ()),
    ("spark", "SELECT PERCENTILE(i, 0.25) FROM t", [-1.0], ()),
    ("spark", "SELECT PERCENTILE_APPROX(i, 0.5) FROM t", [1], ()),
    ("spark", "SELECT MEDIAN(f) FROM t", [0.8], ()),
    ("duckdb", "SELECT quantile(i, 0.5) FROM t", [1], ()),
    ("duckdb", "SELECT quantile_cont(i, 0.25) FROM t", [-1.0], ()),
    ("duckdb", "SELECT approx_quantile(i, 0.5) FROM t", [2], ("polars", "spark")),
    ("redshift", "SELECT MEDIAN(i) FROM t", [1.5], ()),
    ("redshift", "SELECT PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY i) FROM t", [-1.0], ()),
    ("redshift", "SELECT PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY i DESC) FROM t", [2.5], ()),
    ("redshift", "SELECT PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY i) FROM t", [1], ()),
    # division
    ("spark", "SELECT i / j FROM t ORDER BY k", [0.5, N, N, N, -3.5], ()),
    ("redshift", "SELECT 7 / 2, -7 / 2, 7 / 2.0", [(3, -3, Decimal("3.5"))], ()),
    ("redshift", "SELECT CAST(i AS INT) / 2 FROM t ORDER BY k", [0, 1, N, 2, -3], ()),
    ("redshift", "SELECT COUNT(*) / 2 FROM t", [2], ()),
    ("redshift", "SELECT i / j FROM t", [], ("duckdb", "polars", "spark")),
    # date arithmetic, negative counts included
    ("spark", "SELECT DATE_ADD(d, -3) FROM t ORDER BY k", [D(2024, 1, 4), D(2024, 2, 26), N, D(2023, 12, 28), D(2024, 2, 27)], ()),
    ("spark", "SELECT DATE_SUB(d, -1) FROM t ORDER BY k", [D(2024, 1, 8), D(2024, 3, 1), N, D(2024, 1, 1), D(2024, 3, 2)], ()),
    ("spark", "SELECT ADD_MONTHS(d, -1) FROM t ORDER BY k", [D(2023, 12, 7), D(2024, 1, 29), N, D(2023, 11, 30), D(2024, 2, 1)], ()),
    ("spark", "SELECT DATEDIFF(DATE '2024-03-01', d) FROM t ORDER BY k", [54, 1, N, 61, 0], ()),
    ("spark", "SELECT DATE_TRUNC('MONTH', d) FROM t ORDER BY k", [TS(2024, 1, 1), TS(2024, 2, 1), N, TS(2023, 12, 1), TS(2024, 3, 1)], ()),
    ("redshift", "SELECT DATEADD(day, -3, d) FROM t ORDER BY k", [TS(2024, 1, 4), TS(2024, 2, 26), N, TS(2023, 12, 28), TS(2024, 2, 27)], ()),
    ("redshift", "SELECT DATEDIFF(day, d, DATE '2024-03-01') FROM t ORDER BY k", [54, 1, N, 61, 0], ()),
    ("redshift", "SELECT DATEDIFF(month, DATE '2023-12-31', d) FROM t ORDER BY k", [1, 2, N, 0, 3], ()),
    ("redshift", "SELECT DATEDIFF(year, DATE '2023-12-31', d) FROM t ORDER BY k", [1, 1, N, 0, 1], ()),
    ("redshift", "SELECT DATE_TRUNC('month', d) FROM t ORDER BY k", [TS(2024, 1, 1), TS(2024, 2, 1), N, TS(2023, 12, 1), TS(2024, 3, 1)], ()),
    ("duckdb", "SELECT date_trunc('month', d) FROM t ORDER BY k", [TS(2024, 1, 1), TS(2024, 2, 1), N, TS(2023, 12, 1), TS(2024, 3, 1)], ()),
    # NULL ordering defaults: Spark/DuckDB ASC puts NULLs first/last, Redshift last
    ("spark", "SELECT s FROM t ORDER BY s", [N, "a", "a", "b", "c"], ()),
    ("spark", "SELECT s FROM t ORDER BY s DESC", ["c", "b", "a", "a", N], ()),
    ("duckdb", "SELECT s FROM t ORDER BY s DESC", ["c", "b", "a", "a", N], ()),
    ("redshift", "SELECT s FROM t ORDER BY s", ["a", "a", "b", "c", N], ()),
    ("redshift", "SELECT s FROM t ORDER BY s DESC", [N, "c", "b", "a", "a"], ()),
    # string aggregation
    ("redshift", "SELECT LISTAGG(DISTINCT s, ',') WITHIN GROUP (ORDER BY s) FROM t", ["a,b,c"], ()),
    ("redshift", "SELECT LISTAGG(s, '|') WITHIN GROUP (ORDER BY s DESC) FROM t", ["c|b|a|a"], ()),
    ("duckdb", "SELECT string_agg(s, ',' ORDER BY s) FROM t", ["a,a,b,c"], ()),
    # conditionals
    ("spark", "SELECT NVL(s, 'z'), IF(i > 1, 'y', 'n') FROM t ORDER BY k", [("b", "n"), ("a", "y"), ("z", "n"), ("a", "y"), ("c", "n")], ()),
    ("redshift", "SELECT DECODE(s, 'a', 1, NULL, -1, 0), NVL(i, 0), NULLIF(i, 1) FROM t ORDER BY k", [(0, 1, N), (1, 2, 2), (-1, 0, N), (1, 4, 4), (0, -7, -7)], ()),
    ("spark", "SELECT DECODE(s, 'a', 1, 'b', 2, 0) FROM t ORDER BY k", [2, 1, 0, 1, 0], ()),
    # decimal scale: Spark FLOOR is BIGINT, so the product stays an exact DECIMAL
    ("spark", "SELECT FLOOR(f * 2) * 0.05 = 0.15 FROM t ORDER BY k", [True, False, N, False, False], ()),
    ("spark", "SELECT ROUND(f) FROM t ORDER BY k", [2.0, 3.0, N, 0.0, -3.0], ()),
    # generators
    ("spark", "SELECT EXPLODE(SEQUENCE(1, 3)) AS v", [1, 2, 3], ()),
    # identifier case: Redshift folds unquoted names
    ("redshift", "SELECT S FROM T ORDER BY K", ["b", "a", N, "a", "c"], ()),
]


def _norm(value):
    if isinstance(value, datetime) and value.tzinfo is not None:  # Spark: UTC session
        value = value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return round(value, 9) if math.isfinite(value) else value
    return value


def _rows(table) -> list:
    rows = [tuple(_norm(v) for v in row) for row in zip(*(c.to_pylist() for c in table.columns))]
    return [r[0] if len(r) == 1 else r for r in rows]


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    from sqlrun.adapters import create_engine
    from sqlrun.config import load_project
    from tests.semantics import make_project

    project = load_project(make_project(tmp_path_factory.mktemp("rewrites")))
    opened = {}
    for name in LOCAL_ENGINES:
        eng = create_engine(name)
        eng.register_source("t", project.sources["t"])
        opened[name] = eng
    yield opened
    for eng in opened.values():
        eng.close()


@pytest.mark.parametrize("engine", LOCAL_ENGINES)
@pytest.mark.parametrize("source,sql,expected,refused", CASES, ids=[f"{c[0]}:{c[1][:50]}" for c in CASES])
def test_rewrite_gives_the_source_answer(engines, engine, source, sql, expected, refused):
    if engine in refused:
        with pytest.raises(CompileError, match=rf"q\.sql:\d+:\d+: .*\({source} -> {engine}\)"):
            transpile(sql, source, engine)
        return
    compiled = transpile(sql, source, engine)
    got = _rows(engines[engine].to_arrow(compiled))
    want = [tuple(_norm(v) for v in e) if isinstance(e, tuple) else _norm(e) for e in expected]
    assert got == want, compiled
    if isinstance(expected[0] if expected else None, (date, datetime)):
        # DATE vs TIMESTAMP is part of the answer
        first = next(v for v in got if v is not None)
        assert type(first) is type(next(v for v in expected if v is not None)), compiled


def test_every_rule_has_a_name_and_runs_only_across_dialects():
    from sqlrun.engine import rewrites

    names = [r.name for r in rewrites.RULES]
    assert len(names) == len(set(names))
    tree = query("SELECT DAYOFWEEK(d) FROM t", "spark").ast()
    assert transpile("SELECT DAYOFWEEK(d) FROM t", "spark", "spark") == tree.sql("spark")


@pytest.mark.parametrize(
    "source, sql, expected",
    [
        ("spark", "SELECT AVG(x) FROM t", "SELECT AVG(CAST(x AS DOUBLE PRECISION)) FROM t"),
        ("duckdb", "SELECT AVG(x) OVER () FROM t", "SELECT AVG(CAST(x AS DOUBLE PRECISION)) OVER () FROM t"),
        ("spark", "SELECT AVG(CAST(x AS DOUBLE)) FROM t", "SELECT AVG(TRY_CAST(x AS DOUBLE PRECISION)) FROM t"),
        ("redshift", "SELECT AVG(x) FROM t", "SELECT AVG(x) FROM t"),  # Redshift meaning kept
    ],
)
def test_avg_keeps_its_fraction_on_redshift(tmp_path, source, sql, expected):
    from sqlrun.engine.catalog import load_query
    from sqlrun.engine.compile import compile_query

    path = tmp_path / "q.sql"
    path.write_text(f"-- dialect: {source}\n{sql}")
    assert " ".join(compile_query(load_query(path), "redshift").split()).endswith(expected)
