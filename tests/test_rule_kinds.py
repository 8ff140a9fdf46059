"""A rule is skipped when the tree has none of the node kinds it declares. Skipping must never
change what is compiled: every query we have (corpus, rewrite cases, TPC-H, the example
catalog) compiles to the same SQL, or the same error, with every rule forced to run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sqlrun.api import Session
from sqlrun.engine.rewrites import base
from sqlrun.errors import SqlrunError
from tests import test_rewrites, test_rewrites_strings_arrays
from tests.corpus import all_cases
from tests.corpus.runner import query_of
from tests.corpus.tables import make_project
from tests.semantics import make_project as make_t_project
from tests.semantics import query

ENGINES = ("duckdb", "polars", "spark", "redshift")
ROOT = Path(__file__).resolve().parent.parent


def _outcome(session: Session, q, engine: str) -> str:
    try:
        return session.compile(q, engine)
    except SqlrunError as exc:
        return f"error: {exc}"


def _compare(monkeypatch, session: Session, queries) -> list[str]:
    skipped = [(q, e, _outcome(session, q, e)) for q in queries for e in ENGINES]
    monkeypatch.setattr(base, "RULES", [dataclasses.replace(r, kinds=()) for r in base.RULES])
    differ = []
    for q, engine, text in skipped:
        if _outcome(session, q, engine) != text:
            differ.append(f"{getattr(q, 'name', q)} on {engine}")
    return differ


def test_rules_declare_kinds():
    # Rules that always run are the exception: each costs a walk of every tree.
    assert [r.name for r in base.RULES if not r.kinds] == ["redshift_folds_identifiers", "polars_unique_output_names"]


def test_skipping_changes_nothing_on_the_corpus(monkeypatch, tmp_path):
    session = Session(make_project(tmp_path))
    assert not _compare(monkeypatch, session, [query_of(c) for c in all_cases()])


def test_skipping_changes_nothing_on_the_rewrite_cases(monkeypatch, tmp_path):
    session = Session(make_t_project(tmp_path))
    cases = [*test_rewrites.CASES, *test_rewrites.TYPED_CASES, *test_rewrites_strings_arrays.CASES]
    queries = [query(sql, source, name=f"case{i}") for i, (source, sql, *_) in enumerate(cases)]
    assert not _compare(monkeypatch, session, queries)


@pytest.mark.parametrize("project", ["queries", "tpch"])
def test_skipping_changes_nothing_on_the_catalogs(monkeypatch, project):
    session = Session(ROOT / project)
    assert not _compare(monkeypatch, session, sorted(session.catalog.queries))
