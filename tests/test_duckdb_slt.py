"""A seeded sample of DuckDB's own sqllogictests (tests/duckdb_slt) on duckdb and polars, a few on Spark.

Every sampled case must give the file's expected values (compared as DuckDB's runner compares),
unless markers.toml records a known gap: then it is a strict xfail that must fail exactly as
recorded (CompileError: refused at compile time, WrongAnswer: other values, EngineError: failed
at run time), with the root-cause class as reason. The full run is `make conformance`.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from tests.duckdb_slt import load_cases, load_markers
from tests.duckdb_slt.compare import Texts
from tests.duckdb_slt.compare import difference as compare
from tests.duckdb_slt.runner import difference, project_for, query_of
from tests.spark_sqltests import sampling

PASSING, KNOWN_BAD, ON_SPARK = 160, 40, 3  # cases sampled per kind

CASES = [c for c in load_cases() if c.status == "ok"]
MARKERS = load_markers()


def sample(engines=("duckdb", "polars"), passing=PASSING, known_bad=KNOWN_BAD) -> list:
    return sampling.sample(CASES, MARKERS, engines, passing, known_bad)


def params():
    runs = [(case, e) for case in sample() for e in ("duckdb", "polars")]
    runs += [(case, "spark") for case in sample(("spark",), ON_SPARK, 0)]
    return [sampling.param(case, engine, MARKERS) for case, engine in runs]


@pytest.fixture(scope="module")
def sessions():
    with sampling.sessions(project_for, "sqlrun-slt-") as get:
        yield get


@pytest.mark.parametrize("case, engine", list(params()))
def test_duckdb_slt_case(sessions, case, engine):
    sampling.check(sessions(case), case, engine, query_of, difference)


def test_sample_is_seeded_and_mixed():
    first, second = [c.id for c in sample()], [c.id for c in sample()]
    assert first == second and len(first) == len(set(first))
    assert len(CASES) >= 1000, "run `python -m tests.duckdb_slt.importer` to import the cases"


def test_comparison_follows_duckdbs_runner():
    """Texts as DuckDB's runner prints them; numbers by the column's type, floats within 1 %; sort modes."""
    table = pa.table({"i": [2, 1, None], "f": [0.5, 1 / 3, 2.0], "b": [True, False, None], "s": ["x", "", "z"]})
    texts = Texts(table)
    assert texts.values == ["2", "0.5", "1", "x", "1", "0.3333333333333333", "0", "(empty)", "NULL", "2.0", "NULL", "z"]
    rows = ["2\t0.5\ttrue\tx", "1\t0.333\tfalse\t(empty)", "NULL\t2\tNULL\tz"]
    assert compare(texts, rows, 4, "nosort") == ""
    assert compare(texts, [v for line in rows for v in line.split("\t")], 4, "nosort") == ""  # a value a line
    assert "row 2 column 2" in compare(texts, [rows[0], "1\t0.32\tfalse\t(empty)", rows[2]], 4, "nosort")
    assert "row 1 column 3" in compare(texts, ["2\t0.5\tfalse\tx", *rows[1:]], 4, "nosort")
    assert "row 3 column 1" in compare(texts, [*rows[:2], "0\t2\tNULL\tz"], 4, "nosort")  # NULL is not 0
    by_rows = [rows[1], rows[0], rows[2]]
    assert compare(texts, by_rows, 4, "rowsort") == "" and compare(texts, by_rows, 4, "nosort")
    assert compare(texts, rows[:2], 4, "nosort").startswith("row count differs")
    assert compare(texts, rows, 3, "nosort").startswith("column count differs")


def test_rows_of_a_query_without_order_by_may_come_in_any_order():
    """SQL leaves the order open without an outermost ORDER BY (Polars runs UNION ALL branches in
    any order); under ORDER BY, or for a hash of DuckDB's order, the order is still checked."""
    from tests.duckdb_slt import Case

    table = pa.table({"a": [2, 1]})
    unordered = Case("x.test", 1, "SELECT 1 AS a UNION ALL SELECT 2", "ok", 1, "nosort", ["1", "2"])
    assert difference(unordered, table) == ""
    ordered = Case("x.test", 1, "SELECT a FROM t ORDER BY a", "ok", 1, "nosort", ["1", "2"])
    assert difference(ordered, table).startswith("row 1 column 1")
    assert difference(unordered, pa.table({"a": [2, 3]})).startswith("row 1 column 1")  # other rows
