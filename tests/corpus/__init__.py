"""The conformance corpus: small queries per source dialect with frozen expected results.

Cases live in `cases_<dialect>.py` (the SQL, and for Redshift the rows worked out by hand
from Amazon's documentation), expected rows for Spark and DuckDB in
`expected_<dialect>.py` (frozen from the source engine by `python -m tests.corpus.freeze`),
and known gaps per case and engine in `markers.toml` (updated by
`python -m tests.corpus.triage --write`).
"""

from __future__ import annotations

import importlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlrun.adapters import LOCAL_ENGINES

HERE = Path(__file__).parent
DIALECTS = ("spark", "redshift", "duckdb")
ENGINES = LOCAL_ENGINES  # the registry's engines on this machine: one marker column each
TOPICS = (
    "date", "string", "math", "conditional", "aggregate", "window", "setops", "joins",
    "subquery", "cte", "grouping", "qualify", "arrays",
)
# Ibis-style gap kinds: a strict xfail that must raise CompileError ...
GAP_KINDS = ("notimpl", "notyet", "never")
# What triage writes for a failure no person has classified: the case keeps failing (no xfail)
# until someone turns it into a gap kind with a reason, or fixes it.
PROPOSED = "proposed"
MARKERS_FILE = HERE / "markers.toml"
# Cases answered with the right rows in another type than the source engine's, per engine: what
# the engine computes in a type sqlrun does not cast from (a float where Spark keeps a decimal).
TYPE_GAPS_FILE = HERE / "type_gaps.toml"


@dataclass(frozen=True)
class Case:
    dialect: str
    topic: str
    id: str
    sql: str
    rows: list | None = None  # expected rows, as tuples
    markers: dict = field(default_factory=dict)  # engine -> "kind: reason"
    types: list | None = None  # the source engine's column types (parity.type_name), where frozen

    @property
    def key(self) -> str:
        return f"{self.dialect}/{self.id}"

    def marker(self, engine: str) -> tuple[str, str] | None:
        text = self.markers.get(engine)
        if not text:
            return None
        kind, _, reason = text.partition(":")
        return kind.strip(), reason.strip()


def case(topic: str, id: str, sql: str, rows: list | None = None) -> tuple:
    """One corpus entry as written in a cases file."""
    assert topic in TOPICS, topic
    return (topic, id, sql, rows)  # as written: string literals keep their whitespace


def load_type_gaps() -> dict:
    """dialect -> case id -> engine -> why its type differs."""
    return tomllib.loads(TYPE_GAPS_FILE.read_text())


def load_markers() -> dict:
    return tomllib.loads(MARKERS_FILE.read_text()) if MARKERS_FILE.exists() else {}


def load_cases(dialect: str, with_expected: bool = True) -> list[Case]:
    """Every case of one dialect with its expected rows and markers."""
    module = importlib.import_module(f"tests.corpus.cases_{dialect}")
    entries = module.CASES
    expected = {}
    if with_expected:
        try:
            expected = importlib.import_module(f"tests.corpus.expected_{dialect}").EXPECTED
        except ModuleNotFoundError:
            expected = {}
    markers = load_markers().get(dialect, {})
    types_file = HERE / f"types_{dialect}.json"
    types = json.loads(types_file.read_text()) if with_expected and types_file.exists() else {}
    types.update(getattr(module, "TYPES", {}) if with_expected else {})  # Redshift's, written from its docs
    cases, seen = [], set()
    for topic, id_, sql, rows in entries:
        assert id_ not in seen, f"duplicate case id {dialect}/{id_}"
        seen.add(id_)
        if rows is None:
            rows = expected.get(id_)
        cases.append(Case(dialect, topic, id_, sql, rows, dict(markers.get(id_, {})), types.get(id_)))
    return cases


def all_cases() -> list[Case]:
    return [c for d in DIALECTS for c in load_cases(d)]
