"""A rule is skipped when the tree has none of the node kinds it declares. Skipping must never
change what is compiled: every query we have (corpus, rewrite cases, TPC-H, the example
catalog) compiles to the same SQL, or the same error, with every rule forced to run."""

from __future__ import annotations

import dataclasses

import pytest

from sqlrun.engine import rewrites
from sqlrun.errors import SqlrunError
from tests.known_queries import COLLECTIONS, ENGINES


def _outcome(known, engine: str) -> str:
    try:
        return known.compile(engine)
    except SqlrunError as exc:
        return f"error: {exc}"


def test_rules_declare_kinds():
    # Rules that always run are the exception: each costs a walk of every tree.
    always = [r.name for r in rewrites.RULES if not r.kinds]
    assert always == ["redshift_folds_identifiers", "polars_unique_output_names"]


@pytest.mark.parametrize("collection", list(COLLECTIONS))
def test_skipping_changes_nothing(monkeypatch, tmp_path, collection):
    queries = COLLECTIONS[collection](tmp_path)
    skipped = {(k.key, e): _outcome(k, e) for k in queries for e in ENGINES}
    monkeypatch.setattr(rewrites, "RULES", tuple(dataclasses.replace(r, kinds=()) for r in rewrites.RULES))
    differ = [f"{k.key} on {e}" for k in queries for e in ENGINES if _outcome(k, e) != skipped[k.key, e]]
    assert not differ


def test_every_rule_has_golden_sql_in_the_snapshot(monkeypatch, tmp_path):
    """Each rule of the table acts on at least one query the compile snapshot holds, so a change
    to any rule's spelling shows there as a diff (sqlglot's validate_all, for the whole table)."""
    acted: set[str] = set()

    def watched(r):
        def fn(tree, ctx):
            acted.add(r.name)
            return r.fn(tree, ctx)

        return dataclasses.replace(r, fn=fn)

    monkeypatch.setattr(rewrites, "RULES", tuple(watched(r) for r in rewrites.RULES))
    for collection in COLLECTIONS:
        for known in COLLECTIONS[collection](tmp_path / collection):
            for engine in ENGINES:
                _outcome(known, engine)
    assert [r.name for r in rewrites.RULES if r.name not in acted] == []
