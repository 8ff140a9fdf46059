"""Daily jobs: the values an incremental step has stored, and backfills of a range of values.

An incremental step (`-- incremental: ds`) stores one result per value of its parameter; a run
computes the run's value only (and recomputes it if its inputs changed), and steps downstream
read every stored value. A backfill (`--param ds=2025-08-01..2025-08-31`) runs those steps value
by value, upstream first; each value is stored as it completes, so a failed backfill run again
resumes where it stopped (fresh values are not redone).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlrun.engine.catalog import is_create_model
from sqlrun.engine.params import RANGE, value_range
from sqlrun.engine.pipeline import Step, build_dag
from sqlrun.errors import CatalogError, SqlrunError

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.api import Session
    from sqlrun.engine.catalog import Query


@dataclass(frozen=True)
class Backfill:
    key: str
    values: list[str]
    steps: list[Step]  # the incremental steps stored by `key`, upstream first

    def names(self) -> set[str]:
        return {s.name for s in self.steps}


@dataclass(frozen=True)
class DayReport:
    """One value of one incremental step: ran or fresh (a backfill), or its stored state (plan)."""

    step: str
    value: str
    status: str  # ran | fresh | stale | missing
    rows: int | None = None
    seconds: float = 0.0
    engine: str = ""
    written_at: str = ""


def incremental_steps(session: Session, query: Query) -> list[Step]:
    steps = build_dag(session.catalog, session.project.sources, query)
    return [s for s in steps.values() if s.incremental is not None]


def find_backfill(session: Session, ref: str | Query, params: dict[str, str]) -> Backfill | None:
    """The backfill a range value (`ds=A..B`) asks for, checked; None when no value is a range."""
    query = session.query(ref)
    if not params or is_create_model(query.sql):
        return None
    stored_by = {}
    for step in incremental_steps(session, query):
        stored_by.setdefault(step.incremental, []).append(step)
    found = []
    for key, text in params.items():
        if key in stored_by:
            param = next(p for p in stored_by[key][0].query.params if p.name == key)
            values = value_range(stored_by[key][0].query, param, text)
            if values is not None:
                found.append(Backfill(key, values, stored_by[key]))
        elif RANGE.fullmatch(text.strip()) and _typed(session, query, key):
            raise CatalogError(
                f"{query.path}: {key}={text} is a range: a range backfills the steps stored by {key}"
                f" ('-- incremental: {key}'), and {query.name} reads none"
            )
    if len(found) > 1:
        raise CatalogError(f"{query.path}: one range at a time (given for {', '.join(b.key for b in found)})")
    return found[0] if found else None


def _typed(session: Session, query: Query, key: str) -> bool:
    steps = build_dag(session.catalog, session.project.sources, query)
    return any(p.name == key and p.type in ("date", "int") for s in steps.values() for p in s.query.params)


def own_params(session: Session, step: Step, params: dict[str, str]) -> dict[str, str]:
    """The parameters that the step's own pipeline declares."""
    steps = build_dag(session.catalog, session.project.sources, step.query)
    declared = {p.name for s in steps.values() for p in s.query.params}
    return {k: v for k, v in params.items() if k in declared}


def backfill(
    session: Session, ref: str | Query, engine: str | None, params: dict[str, str], job: Backfill,
    refresh: bool = False, on_day: Callable[[int, DayReport], None] | None = None,
) -> pa.Table | None:
    """Run the incremental steps for each value of the range; then the query itself once (for
    the last value) when it is not one of them: its result, or None."""
    query = session.query(ref)
    report = on_day or (lambda _i, _r: None)
    for index, value in enumerate(job.values):
        for step in job.steps:
            own = {**own_params(session, step, params), job.key: value}
            if not refresh and session.plan(step.query, own).status(step.name) == "fresh":
                report(index, DayReport(step.name, value, "fresh"))
                continue
            started = time.perf_counter()
            try:
                table = session.run(step.query, engine, own, refresh)
            except (SqlrunError, OSError) as exc:  # OSError: the machine said no (disk full, permissions)
                why = str(exc) if isinstance(exc, SqlrunError) else f"{exc.strerror or exc}: {exc.filename}"
                raise SqlrunError(
                    f"backfill stopped at {job.key}={value} ({index} of {len(job.values)} values done; run the"
                    f" same command again to resume): {why}"
                ) from None
            report(index, DayReport(step.name, value, "ran", table.num_rows, time.perf_counter() - started))
    if query.name in job.names():
        return None
    return session.run(query, engine, {**params, job.key: job.values[-1]})


def stored_days(
    session: Session, ref: str | Query, params: dict[str, str], job: Backfill | None = None
) -> list[DayReport]:
    """Each incremental step's values: the stored ones and the run's (or the range's), each
    fresh, stale (its inputs or SQL changed since) or missing."""
    query = session.query(ref)
    reports = []
    for step in incremental_steps(session, query):
        stored = session.store.all_days(step.name)
        own = own_params(session, step, params)
        if job is not None and job.key == step.incremental:
            wanted = job.values
        else:  # the stored values, and the run's if it has one
            given = own.get(step.incremental, next(p.default for p in step.query.params if p.name == step.incremental))
            run = {session.plan(step.query, own).values[step.name]} if given is not None else set()
            wanted = sorted({*stored, *run}, key=_order)
        for value in wanted:
            now = session.plan(step.query, {**own, step.incremental: value}, refresh=True).fingerprints[step.name]
            have = stored.get(value)
            if have is None:
                reports.append(DayReport(step.name, value, "missing"))
                continue
            status = "fresh" if have.fingerprint == now else "stale"
            reports.append(DayReport(step.name, value, status, have.rows, 0.0, have.engine, have.written_at or ""))
    return reports


def _order(value: str) -> tuple:
    """Values in order: numbers as numbers, dates (ISO) and the rest as text."""
    try:
        return (0, int(value), "")
    except ValueError:
        return (1, 0, value)
