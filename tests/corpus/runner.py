"""Run one corpus case through sqlrun on one engine and classify what came back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import sqlglot

from sqlrun.api import Session
from sqlrun.engine.catalog import Query
from sqlrun.engine.parity import compare, is_ordered, type_name
from sqlrun.errors import CompileError
from tests.corpus import Case


@dataclass(frozen=True)
class Outcome:
    status: str  # pass | compile | wrong | error
    detail: str = ""


def query_of(case: Case) -> Query:
    # The path is what a CompileError points at: dialect/id.sql reads well in reports.
    return Query(name=case.id, path=Path(f"corpus/{case.dialect}/{case.id}.sql"),
                 dialect=case.dialect, sql=case.sql)


def ordered(case: Case) -> bool:
    return is_ordered(sqlglot.parse_one(case.sql, read=case.dialect))


def expected_table(rows: list) -> pa.Table:
    width = len(rows[0])
    return pa.table({f"c{i}": pa.array([r[i] for r in rows]) for i in range(width)})


def check(case: Case, result: pa.Table) -> str:
    """'' when the result equals the expected rows, else what differs (types: type_check)."""
    cmp = compare(expected_table(case.rows), result, ordered(case))
    if cmp.equal:
        return ""
    got = result.to_pylist()[:6]
    return f"{cmp.reason}: expected {cmp.left_rows or case.rows[:6]} got {cmp.right_rows or got}"


def type_check(case: Case, result: pa.Table) -> str:
    """'' when the result has the source engine's column types (types_<dialect>.json, where frozen)."""
    want, got = case.types, [type_name(f.type) for f in result.schema]
    if want is None or want == got:
        return ""
    i = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), 0)
    return f"column {i + 1} type differs: expected {want[i]} got {got[i]} (all: {want} vs {got})"


def run_case(session: Session, case: Case, engine: str) -> Outcome:
    """Never raises: a CompileError, a wrong answer and any other failure are outcomes."""
    try:
        result = session.run(query_of(case), engine)
    except CompileError as exc:
        return Outcome("compile", str(exc))
    except Exception as exc:  # an engine error here is a bug in sqlrun's translation
        return Outcome("error", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    diff = check(case, result)
    return Outcome("wrong", diff) if diff else Outcome("pass")
