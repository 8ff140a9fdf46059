"""A seeded sample of Apache Spark's own SQL tests (tests/spark_sqltests) on duckdb and polars.

Every sampled case must give Spark's frozen rows, unless markers.toml records a known gap: then
it is a strict xfail that must fail exactly as recorded (CompileError: refused at compile time,
WrongAnswer: other rows, EngineError: failed at run time), with the root-cause class as reason.
So a new wrong answer or run-time error fails `make test`, and so does a gap that closes. The
full run over every case and Spark is `make conformance`.
"""

from __future__ import annotations

import pytest

from tests.spark_sqltests import load_cases, load_markers, sampling
from tests.spark_sqltests.runner import difference, project_for, query_of

PASSING, KNOWN_BAD = 240, 60  # cases sampled per kind
ENGINES = ("duckdb", "polars")

CASES = [c for c in load_cases() if c.status == "ok"]
MARKERS = load_markers()


def sample() -> list:
    return sampling.sample(CASES, MARKERS, ENGINES, PASSING, KNOWN_BAD)


def params():
    return [sampling.param(case, engine, MARKERS) for case in sample() for engine in ENGINES]


@pytest.fixture(scope="module")
def sessions():
    with sampling.sessions(project_for, "sqlrun-sqltests-") as get:
        yield get


@pytest.mark.parametrize("case, engine", list(params()))
def test_spark_sqltests_case(sessions, case, engine):
    sampling.check(sessions(case), case, engine, query_of, difference)


def test_sample_is_seeded_and_mixed():
    first, second = [c.id for c in sample()], [c.id for c in sample()]
    assert first == second and len(first) == len(set(first))
    assert len(CASES) >= 1000, "run `python -m tests.spark_sqltests.importer` to import the cases"


def test_wrong_rows_are_found():
    """The comparison itself: another value, a missing row, an extra column are differences."""
    import pyarrow as pa

    case = next(c for c in CASES if c.rows and len(c.columns) == 1 and isinstance(c.rows[0][0], int))
    good = pa.table({"c": [r[0] for r in case.rows]})
    assert difference(case, good) == ""
    assert difference(case, pa.table({"c": [r[0] + 1 for r in case.rows]}))
    assert difference(case, pa.table({"c": [r[0] for r in case.rows] * 2}))
    assert difference(case, pa.table({"c": [r[0] for r in case.rows], "d": [1] * len(case.rows)}))
