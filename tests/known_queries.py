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


def _session_compile(session: Session, ref: str | Query) -> Callable[[str], str]:
    return lambda engine: session.compile(ref, engine)


def corpus(tmp: Path) -> list[Known]:
    """The conformance corpus, compiled by one session over the corpus tables (test_corpus)."""
    session = Session(make_corpus_project(tmp / "corpus"))
    return [Known(c.key, _session_compile(session, query_of(c))) for c in all_cases()]


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
    "corpus": corpus, "tpch": tpch, "catalog": catalog,
}
