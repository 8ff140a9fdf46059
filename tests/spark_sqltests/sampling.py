"""What the seeded conformance samples in make test share (tests/test_spark_sqltests.py and
tests/test_duckdb_slt.py): the sample, the strict-xfail marks from markers.toml, the sessions."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sqlrun.api import Session
from sqlrun.errors import CatalogError, CompileError, EngineError
from tests.spark_sqltests.markers import RAISES
from tests.spark_sqltests.runner import WrongAnswer

SEED = 13
EXCEPTIONS = {"CompileError": (CompileError, CatalogError), "EngineError": EngineError, "WrongAnswer": WrongAnswer}
assert set(EXCEPTIONS) == set(RAISES.values())


def sample(cases: list, markers: dict, engines, passing: int, known_bad: int) -> list:
    """`passing` cases no marker names for `engines` and `known_bad` ones some marker does, seeded."""
    rng = random.Random(SEED)
    marked = [c for c in cases if any(e in markers.get(c.id, {}) for e in engines)]
    clean = [c for c in cases if c not in marked]
    return rng.sample(clean, min(passing, len(clean))) + rng.sample(marked, min(known_bad, len(marked)))


def param(case, engine: str, markers: dict):
    """One (case, engine) test: a strict xfail raising what its marker records, if it has one."""
    marks = [pytest.mark.spark] if engine == "spark" else []
    marker = markers.get(case.id, {}).get(engine)
    if marker:
        marks += [getattr(pytest.mark, marker["kind"]),
                  pytest.mark.xfail(strict=True, raises=EXCEPTIONS[marker["raises"]], reason=marker["reason"])]
    return pytest.param(case, engine, marks=marks, id=f"{case.id}-{engine}")


@contextmanager
def sessions(project_for: Callable, prefix: str) -> Iterator[Callable]:
    """get(case): one Session per set of tables read, opened on first use."""
    opened: dict[tuple, Session] = {}
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:

        def get(case) -> Session:
            key = tuple(sorted(case.sources.items()))
            if key not in opened:
                root = Path(tmp) / f"p{len(opened)}"
                root.mkdir()
                opened[key] = Session(project_for(root, case.sources))
            return opened[key]

        try:
            yield get
        finally:
            for session in opened.values():
                session.close()


def check(session: Session, case, engine: str, query_of: Callable, difference: Callable) -> None:
    """Run the case through sqlrun on `engine`; WrongAnswer if its rows are not the expected ones."""
    diff = difference(case, session.run(query_of(case), engine))
    if diff:
        raise WrongAnswer(f"{case.id} on {engine}: {diff}")
