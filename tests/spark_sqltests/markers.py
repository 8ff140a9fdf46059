"""Known gaps of the imported Spark sql-tests: markers.toml, one marker per failing case and engine.

    ["postgreSQL/int4.sql:45"]
    duckdb = { kind = "notimpl", raises = "WrongAnswer", reason = "<root-cause class>: <why>" }

kind: notimpl (sqlrun could do it) / notyet (the engine lacks it) / never; raises: what the case
does today (CompileError: refused at compile time, WrongAnswer: other rows than Spark's,
EngineError: failed inside the engine). A marked case is a strict xfail expecting exactly that
exception, so a case that starts passing, or fails another way, fails the run until its marker
is changed. `conformance --write` proposes markers from the classes in classes.py; a person
reviews them and adds `reviewed = true` to each marker checked: a reviewed marker is kept as
written while the case fails the same way.
"""

from __future__ import annotations

import json

from tests.spark_sqltests import MARKERS_FILE
from tests.spark_sqltests.classes import CLASSES

RAISES = {"refused": "CompileError", "wrong": "WrongAnswer", "error": "EngineError"}
STATUS_OF = {v: k for k, v in RAISES.items()}
HEADER = """\
# Known gaps of the imported Spark sql-tests (tests/spark_sqltests/markers.py says the format).
# Proposed by `python -m tests.spark_sqltests.conformance --write` from the root-cause classes
# in classes.py, then reviewed by a person: a marker never turns a wrong answer into a pass, it
# records it (strict xfail raising WrongAnswer) with the class that explains it.

"""


def marker(markers: dict, case_id: str, engine: str) -> dict | None:
    return markers.get(case_id, {}).get(engine)


def expected_status(markers: dict, case_id: str, engine: str) -> str:
    found = marker(markers, case_id, engine)
    return STATUS_OF[found["raises"]] if found else "pass"


def write_markers(old: dict, cases, outcomes, classes) -> None:
    """Markers for the outcomes of this run; a case or engine it did not run keeps its marker."""
    out = [HEADER]
    ids = [c.id for c in cases]
    ids += sorted(set(old) - set(ids))
    for case_id in ids:
        lines = []
        for engine in ("duckdb", "polars", "spark"):
            entry = _entry(old, case_id, engine, outcomes.get((case_id, engine)), classes)
            if entry:
                fields = ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in entry.items())
                lines.append(f"{engine} = {{ {fields} }}\n")
        if lines:
            out.append(f"[{json.dumps(case_id)}]\n" + "".join(lines) + "\n")
    MARKERS_FILE.write_text("".join(out))


def _entry(old: dict, case_id: str, engine: str, outcome, classes) -> dict | None:
    kept = marker(old, case_id, engine)
    if outcome is None:
        return kept  # not run this time
    if outcome.status == "pass":
        return None
    raises = RAISES[outcome.status]
    if kept and kept.get("raises") == raises and kept.get("reviewed"):
        return kept
    name = classes[case_id, engine]
    kind, why = CLASSES.get(name, ("notimpl", "not classified yet"))
    return {"kind": kind, "raises": raises, "reason": f"{name}: {why}"}
