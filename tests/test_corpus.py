"""The conformance corpus: every case of every source dialect on duckdb, polars and spark.

Expected rows are frozen in tests/corpus (see its __init__); known gaps and bugs are the
markers in tests/corpus/markers.toml: `python -m tests.corpus.triage --write` proposes, a person
decides (a proposal is no xfail: the case keeps failing until its kind and reason are written).
"""

from __future__ import annotations

import pytest

from sqlrun.api import Session
from sqlrun.errors import CompileError
from tests.corpus import ENGINES, GAP_KINDS, PROPOSED, all_cases, load_type_gaps
from tests.corpus.runner import check, query_of, type_check
from tests.corpus.tables import make_project

CASES = all_cases()
TYPE_GAPS = load_type_gaps()


def params():
    for case in CASES:
        for engine in ENGINES:
            marks = [pytest.mark.spark] if engine == "spark" else []
            marker = case.marker(engine)
            if marker:
                kind, reason = marker
                if kind in GAP_KINDS:
                    # Ibis style: a known gap must fail with sqlrun's clear CompileError, and
                    # one that starts passing fails the run until its marker is removed.
                    marks += [getattr(pytest.mark, kind),
                              pytest.mark.xfail(strict=True, raises=CompileError, reason=reason)]
                elif kind.startswith(PROPOSED):
                    pass  # triage's proposal, not a decision: the case fails until a person decides
                else:
                    raise ValueError(f"{case.key}: unknown marker kind {kind!r} for {engine}")
            yield pytest.param(case, engine, marks=marks, id=f"{case.dialect}-{case.topic}-{case.id}-{engine}")


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    # One session for the whole corpus: one engine of each kind, one Spark JVM.
    with Session(make_project(tmp_path_factory.mktemp("corpus"))) as s:
        yield s


@pytest.mark.parametrize("case, engine", list(params()))
def test_corpus_case(session, case, engine):
    result = session.run(query_of(case), engine)
    diff = check(case, result)
    assert not diff, f"{case.key} on {engine}: {diff}"
    # Types are part of the answer: the source engine's (where frozen), but for a known type gap.
    types, gap = type_check(case, result), TYPE_GAPS.get(case.dialect, {}).get(case.id, {}).get(engine)
    assert bool(types) == bool(gap), f"{case.key} on {engine}: " + (
        types or "has the source's types now: remove its entry from tests/corpus/type_gaps.toml")


def test_corpus_size_per_dialect():
    by_dialect = {}
    for case in CASES:
        by_dialect[case.dialect] = by_dialect.get(case.dialect, 0) + 1
    assert all(by_dialect.get(d, 0) >= 150 for d in ("spark", "redshift", "duckdb")), by_dialect


def test_every_case_has_expected_rows():
    missing = [c.key for c in CASES if not c.rows]
    assert not missing, f"run `python -m tests.corpus.freeze` for: {missing}"


@pytest.mark.parametrize(
    "status, before, after",
    [
        ("compile", None, "proposed-compile: d"),  # a new refusal is proposed, never written as a gap
        ("compile", "notyet: the engine lacks it", "notyet: the engine lacks it"),  # a person's decision stays
        ("wrong", "notimpl: was refused", "proposed-wrong: d"),  # a gap that now answers wrongly is no gap
        ("error", None, "proposed-error: d"),
        ("pass", "notimpl: x", None),
    ],
)
def test_triage_proposes_and_never_blesses(status, before, after):
    from tests.corpus import Case
    from tests.corpus.triage import new_marker

    case = Case("spark", "math", "c", "SELECT 1", markers={"duckdb": before} if before else {})
    assert new_marker(case, "duckdb", status, "d") == after
    if after and after.startswith("proposed"):
        proposed = Case("spark", "math", "c", "SELECT 1", markers={"duckdb": after})
        CASES.append(proposed)
        try:
            marks = [m.name for p in params() if p.values[0] is proposed for m in p.marks]
        finally:
            CASES.remove(proposed)
        assert "xfail" not in marks  # a proposal keeps the case failing
