# ruff: noqa: E501  (table rows read best on one line)
"""Each semantic rewrite, checked by running it: the source form on its own engine and the
rewritten form on every local engine must give the same rows, or compile must refuse."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

import pytest

from sqlrun.engine.parity import normalize_value
from sqlrun.errors import CompileError
from tests.conftest import engine_params
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
    """parity's form (aware timestamps as naive UTC, NaN, lists), then numbers as floats rounded to 9
    places: these answers are compared with ==, not with parity's tolerance."""
    value = normalize_value(value)
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

    class Opened(dict):
        """Each engine opened at its first use: a run without spark starts no JVM."""

        def __missing__(self, name):
            eng = self[name] = create_engine(name)
            eng.register_source("t", project.sources["t"])
            return eng

    opened = Opened()
    yield opened
    for eng in opened.values():
        eng.close()


@pytest.mark.parametrize("engine", engine_params())
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
    from sqlrun.engine.target import target

    path = tmp_path / "q.sql"
    path.write_text(f"-- dialect: {source}\n{sql}")
    assert " ".join(compile_query(load_query(path), target("redshift")).split()).endswith(expected)


# ---- issue 3 part 1 (dates, math, conditionals, aggregates): typed rules, run on every engine ----

T_SCHEMA = {"t": {"k": "bigint", "i": "bigint", "j": "bigint", "f": "double", "s": "varchar", "d": "date", "ts": "timestamp"}}

TYPED_CASES = [
    # CAST(text AS INT): each engine reads decimals, exponents and spaces its own way
    ("spark", "SELECT CAST(' 42 ' AS INT), CAST('4.5' AS INT), CAST('-4.5' AS INT), CAST('1e3' AS INT), CAST('x' AS INT)",
     [(42, 4, -4, N, N)], ()),  # literals: read as the source reads them
    ("duckdb", "SELECT TRY_CAST('4.5' AS INT), TRY_CAST('1e3' AS INT), TRY_CAST('-2.5' AS TINYINT)", [(5, 1000, -3)], ()),
    ("redshift", "SELECT CAST(' 42 ' AS INT), CAST('-7' AS BIGINT)", [(42, -7)], ()),
    ("spark", "SELECT CAST('3000000000' AS INT), CAST('3000000000' AS BIGINT)", [(N, 3000000000)], ()),
    ("spark", "SELECT CAST(s AS INT) FROM t", [N, N, N, N, N], ()),
    # columns: Polars and DuckDB read text their own way; Spark's reading is spelled out for them
    ("spark", "SELECT CAST(x AS INT) FROM (SELECT 1 AS k, ' 42 ' AS x UNION ALL SELECT 2, '4.5' UNION ALL SELECT 3, ' -4.9 ' UNION ALL SELECT 4, '+7' UNION ALL SELECT 5, '1e3' UNION ALL SELECT 6, '3000000000' UNION ALL SELECT 7, '-0012' UNION ALL SELECT 8, '5.' UNION ALL SELECT 9, '- 5' UNION ALL SELECT 10, NULL UNION ALL SELECT 11, '\t8\n') ORDER BY k",
     [42, 4, -4, 7, N, N, -12, 5, N, N, 8], ()),
    ("duckdb", "SELECT TRY_CAST(s AS INT) FROM t", [N, N, N, N, N], ("polars", "spark")),
    # Redshift divides integer columns as integers, known from the sources' types
    ("redshift", "SELECT i / 2 FROM t ORDER BY k", [0, 1, N, 2, -3], ()),
    ("redshift", "SELECT x / 2 FROM (SELECT i AS x, k FROM t) AS s ORDER BY k", [0, 1, N, 2, -3], ()),
    # Spark TRUNC(date, unit) is a DATE, with Spark's unit spellings
    ("spark", "SELECT TRUNC(d, 'MM') FROM t ORDER BY k", [D(2024, 1, 1), D(2024, 2, 1), N, D(2023, 12, 1), D(2024, 3, 1)], ()),
    ("spark", "SELECT TRUNC(ts, 'year') FROM t ORDER BY k", [D(2024, 1, 1), D(2024, 1, 1), N, D(2023, 1, 1), D(2024, 1, 1)], ()),
    ("spark", "SELECT TRUNC(d, 'DD') FROM t", [N, N, N, N, N], ("duckdb", "polars")),  # Spark: NULL
    # date + INTERVAL: a DATE in Spark, a TIMESTAMP in DuckDB/Redshift
    ("spark", "SELECT d + INTERVAL 1 DAY FROM t ORDER BY k", [D(2024, 1, 8), D(2024, 3, 1), N, D(2024, 1, 1), D(2024, 3, 2)], ()),
    ("duckdb", "SELECT d + INTERVAL 1 MONTH FROM t ORDER BY k", [TS(2024, 2, 7), TS(2024, 3, 29), N, TS(2024, 1, 31), TS(2024, 4, 1)], ()),
    ("duckdb", "SELECT date_add(d, INTERVAL 2 DAY) FROM t ORDER BY k", [TS(2024, 1, 9), TS(2024, 3, 2), N, TS(2024, 1, 2), TS(2024, 3, 3)], ()),
    ("redshift", "SELECT d + INTERVAL '1 day' FROM t ORDER BY k", [TS(2024, 1, 8), TS(2024, 3, 1), N, TS(2024, 1, 1), TS(2024, 3, 2)], ()),
    # Redshift ADD_MONTHS keeps a month end a month end (DATEADD does not)
    ("redshift", "SELECT ADD_MONTHS(d, 1) FROM t ORDER BY k", [TS(2024, 2, 7), TS(2024, 3, 31), N, TS(2024, 1, 31), TS(2024, 4, 1)], ()),
    ("redshift", "SELECT ADD_MONTHS(d, -2), DATEADD(month, 1, d) FROM t ORDER BY k", [(TS(2023, 11, 7), TS(2024, 2, 7)), (TS(2023, 12, 31), TS(2024, 3, 29)), (N, N), (TS(2023, 10, 31), TS(2024, 1, 31)), (TS(2024, 1, 1), TS(2024, 4, 1))], ()),
    # date - date is a day count in DuckDB and Redshift
    ("duckdb", "SELECT d - DATE '2024-01-01' FROM t ORDER BY k", [6, 59, N, -1, 60], ()),
    ("redshift", "SELECT d - '2024-01-01'::date FROM t ORDER BY k", [6, 59, N, -1, 60], ()),
    # DuckDB DATE_DIFF counts boundaries; days between dates whatever the time
    ("duckdb", "SELECT date_diff('month', DATE '2024-01-31', d) FROM t ORDER BY k", [0, 1, N, -1, 2], ()),
    ("duckdb", "SELECT date_diff('year', d, DATE '2025-01-01') FROM t ORDER BY k", [1, 1, N, 2, 1], ()),
    ("redshift", "SELECT DATEDIFF(day, ts, '2024-03-01 06:00:00'::timestamp) FROM t ORDER BY k", [54, 1, N, 61, 0], ()),
    # Redshift TRUNC(timestamp) is a DATE; TRUNC(number) a number
    ("redshift", "SELECT TRUNC(ts), TRUNC(f) FROM t ORDER BY k", [(D(2024, 1, 7), 1.0), (D(2024, 2, 29), 2.0), (N, N), (D(2023, 12, 31), 0.0), (D(2024, 3, 1), -2.0)], ()),
    # epochs
    ("redshift", "SELECT EXTRACT(EPOCH FROM '1970-01-02 00:00:01'::timestamp)", [86401.0], ()),
    ("redshift", "SELECT TIMESTAMP 'epoch' + 86400 * INTERVAL '1 second'", [TS(1970, 1, 2)], ()),
    ("spark", "SELECT UNIX_TIMESTAMP(ts) FROM t ORDER BY k", [1704623400, 1709251140, N, 1703980800, 1709294400], ("polars",)),
    # names and ISO numbers
    ("duckdb", "SELECT isodow(d), week(d) FROM t ORDER BY k", [(7, 1), (4, 9), (N, N), (7, 52), (5, 9)], ()),
    ("duckdb", "SELECT dayname(d), monthname(d) FROM t ORDER BY k", [("Sunday", "January"), ("Thursday", "February"), (N, N), ("Sunday", "December"), ("Friday", "March")], ()),
    ("spark", "SELECT dayname(d), monthname(d) FROM t ORDER BY k", [("Sun", "Jan"), ("Thu", "Feb"), (N, N), ("Sun", "Dec"), ("Fri", "Mar")], ()),
    ("redshift", "SELECT TO_CHAR(d, 'Dy, DD Mon YYYY') FROM t ORDER BY k", ["Sun, 07 Jan 2024", "Thu, 29 Feb 2024", N, "Sun, 31 Dec 2023", "Fri, 01 Mar 2024"], ()),
    ("redshift", "SELECT TO_CHAR(d, 'Month') FROM t", [], ("duckdb", "polars", "spark")),
    # logarithms: one-argument LOG is base 10 in DuckDB/Redshift; Polars takes LOG(x, base)
    ("redshift", "SELECT LOG(1000), LN(1)", [(3.0, 0.0)], ()),
    ("spark", "SELECT LOG(2, 8), LOG10(100)", [(3.0, 2.0)], ()),
    # CAST(fraction AS INT): Spark truncates, DuckDB rounds (DECIMAL half away, DOUBLE half even)
    ("spark", "SELECT CAST(f AS INT) FROM t ORDER BY k", [1, 2, N, 0, -2], ()),
    ("duckdb", "SELECT CAST(f AS INT), CAST(-2.5 AS INT), CAST(2.7 AS INT) FROM t ORDER BY k", [(2, -3, 3), (2, -3, 3), (N, -3, 3), (0, -3, 3), (-2, -3, 3)], ()),
    # division and modulo by zero
    ("spark", "SELECT i % j FROM t ORDER BY k", [1, N, N, N, -1], ()),
    ("duckdb", "SELECT i / j, f / 0 FROM t ORDER BY k", [(0.5, math.inf), (math.inf, math.inf), (N, N), (N, math.inf), (-3.5, -math.inf)], ()),
    ("spark", "SELECT NANVL(CAST('NaN' AS DOUBLE), f) FROM t ORDER BY k", [1.5, 2.5, N, 0.1, -2.5], ()),
    # aggregates: exact percentiles on Spark too, Redshift AVG of integers truncates
    ("spark", "SELECT PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY i) FROM t", [-1.0], ()),
    ("spark", "SELECT PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY i) FROM t", [1], ()),
    ("redshift", "SELECT AVG(i), AVG(f) FROM t", [(0, 0.4)], ()),
    ("redshift", "SELECT AVG(i) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t ORDER BY k",
     [1, 1, 1, 2, 0], ()),
    ("duckdb", "SELECT list_sort(list(i)) FROM t", [[-7, 1, 2, 4, N]], ("polars",)),
    ("duckdb", "SELECT array_agg(k ORDER BY k DESC) FROM t", [[5, 4, 3, 2, 1]], ("spark",)),
]


@pytest.mark.parametrize("engine", engine_params())
@pytest.mark.parametrize("source,sql,expected,refused", TYPED_CASES, ids=[f"{c[0]}:{c[1][:50]}" for c in TYPED_CASES])
def test_typed_rewrite_gives_the_source_answer(engines, engine, source, sql, expected, refused):
    from sqlrun.engine.compile import compile_query
    from sqlrun.engine.target import target

    def compiled():
        return compile_query(query(sql, source), target(engine), schema=T_SCHEMA)

    if engine in refused:
        with pytest.raises(CompileError, match=rf"q\.sql:\d+:\d+: .*\({source} -> {engine}\)"):
            compiled()
        return
    sql_sent = compiled()
    got = _rows(engines[engine].to_arrow(sql_sent))
    want = [tuple(_norm(v) for v in e) if isinstance(e, tuple) else _norm(e) for e in expected]
    assert got == want, sql_sent
    first_want = next((v for v in want if v is not None), None)
    if isinstance(first_want, (date, datetime)):  # DATE vs TIMESTAMP is part of the answer
        assert type(next(v for v in got if v is not None)) is type(first_want), sql_sent


@pytest.mark.parametrize(
    "source, sql, engine",
    [
        ("redshift", "SELECT AVG(x) FROM u", "duckdb"),  # u's types are unknown
        ("redshift", "SELECT TRUNC(x) FROM u", "spark"),
        ("spark", "SELECT CAST(x AS INT) FROM u", "duckdb"),
        ("duckdb", "SELECT x - DATE '2024-01-01' FROM u", "polars"),
        ("spark", "SELECT x + INTERVAL 1 DAY FROM u", "duckdb"),
    ],
)
def test_type_dependent_rules_refuse_unknown_types(source, sql, engine):
    from sqlrun.engine.compile import compile_query
    from sqlrun.engine.target import target

    with pytest.raises(CompileError, match="unknown here"):
        compile_query(query(sql, source), target(engine), schema=T_SCHEMA)
