"""Every query the tests know, each compiled the way its own test compiles it.

Used by test_rule_kinds (rules forced to run change nothing) and by the compile snapshot
(tests/snapshot_write.py, tests/test_compile_snapshot.py). A collection is a list of `Known`:
a stable key and a function from engine name to the SQL sent (or a raised error).
Nothing here starts an engine: compiling reads file footers at most.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlrun import adapters
from sqlrun.api import Session
from sqlrun.engine.catalog import Query
from sqlrun.engine.compile import compile_query
from sqlrun.engine.target import target
from tests import semantics, test_rewrites, test_rewrites_strings_arrays
from tests.corpus import all_cases
from tests.corpus.runner import query_of
from tests.corpus.tables import make_project as make_corpus_project

ENGINES = tuple(adapters.ENGINES)  # the registry
REPO = Path(__file__).resolve().parent.parent
# TPC-H column types do not depend on the scale; the smallest is the quickest to generate.
TPCH_SCALE = 0.01
DEMO_ROWS = 1_000  # the example catalog's demo data: only its column types matter here


@dataclass(frozen=True)
class Known:
    key: str
    compile: Callable[[str], str]  # engine -> SQL, or raises


def _unique(entries: list[tuple[str, Callable[[str], str]]]) -> list[Known]:
    """Keys from the query text stay put when a table gains a row; repeats get #2, #3."""
    seen: dict[str, int] = {}
    known = []
    for key, fn in entries:
        seen[key] = seen.get(key, 0) + 1
        known.append(Known(key if seen[key] == 1 else f"{key} #{seen[key]}", fn))
    return known


def _session_compile(session: Session, ref: str | Query) -> Callable[[str], str]:
    return lambda engine: session.compile(ref, engine)


def _compile_query(q: Query, schema: dict | None = None) -> Callable[[str], str]:
    return lambda engine: compile_query(q, target(engine), schema=schema)


def corpus(tmp: Path) -> list[Known]:
    """The conformance corpus, compiled by one session over the corpus tables (test_corpus)."""
    session = Session(make_corpus_project(tmp / "corpus"))
    return [Known(c.key, _session_compile(session, query_of(c))) for c in all_cases()]


def rewrites(tmp: Path) -> list[Known]:
    """The rewrite tables of test_rewrites and test_rewrites_strings_arrays, compiled as there."""
    entries = []
    for source, sql, *_ in test_rewrites.CASES:  # transpile(): no schema
        entries.append((f"rewrites: {source}: {sql}", _compile_query(semantics.query(sql, source))))
    for source, sql, *_ in test_rewrites.TYPED_CASES:
        typed = _compile_query(semantics.query(sql, source), test_rewrites.T_SCHEMA)
        entries.append((f"typed: {source}: {sql}", typed))
    session = Session(make_corpus_project(tmp / "strings_arrays"))
    for source, sql, *_ in test_rewrites_strings_arrays.CASES:
        q = Query(name="q", path=Path("q.sql"), dialect=source, sql=sql)
        entries.append((f"strings_arrays: {source}: {sql}", _session_compile(session, q)))
    return _unique(entries)


def tpch(tmp: Path) -> list[Known]:
    """The 22 TPC-H queries over typed parquet sources, as test_tpch compiles them; the project
    root (where the schema cache lives) is a temp dir, so every compile reads the footers."""
    from tpch.data import tpch_project

    root = tmp / "tpch"
    root.mkdir(parents=True, exist_ok=True)
    session = Session(dataclasses.replace(tpch_project(TPCH_SCALE), root=root))
    return [Known(name, _session_compile(session, name)) for name in sorted(session.catalog.queries)]


def catalog(tmp: Path) -> list[Known]:
    """The example catalog (queries/) in a copy with demo data, so column types are known
    whether or not `make demo` has run. Pipeline steps are compiled with their views inlined;
    model scoring needs a trained model, so it compiles only for Redshift (an error elsewhere)."""
    from sqlrun.demo import generate

    root = tmp / "catalog"
    root.mkdir(parents=True, exist_ok=True)
    for path in (REPO / "queries").iterdir():
        if path.suffix in (".sql", ".toml"):
            shutil.copy(path, root / path.name)
    generate(root / "data", rows=DEMO_ROWS)
    session = Session(root)
    return [Known(name, _session_compile(session, name)) for name in sorted(session.catalog.queries)]


COLLECTIONS: dict[str, Callable[[Path], list[Known]]] = {
    "corpus": corpus, "rewrites": rewrites, "tpch": tpch, "catalog": catalog,
}
