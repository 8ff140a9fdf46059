"""Run one query on its source engine itself and through sqlrun on other engines, and classify.

Outcomes per target: same, refused (at compile time: fine), wrong (other rows: a bug), error (the
engine failed at run time: a bug, it should have been refused). A query its own engine rejects
is `invalid` (a grammar slip, not counted as a run).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import sqlglot

from sqlrun.adapters.duckdb import DuckDBEngine
from sqlrun.api import Session
from sqlrun.config import Project
from sqlrun.engine.catalog import Query
from sqlrun.engine.parity import compare, is_ordered
from sqlrun.errors import CatalogError, CompileError

# Source dialect -> the engines sqlrun runs it on (the source engine itself is the reference).
PAIRS = {"duckdb": ("polars", "spark"), "spark": ("duckdb", "polars")}
BUGS = ("wrong", "error")
# Spark settings for the fuzzer's tiny tables (its sessions only): no adaptive re-planning, one
# shuffle partition, interpreted expressions instead of a Janino compile per query. The same
# answers (compared on a sample: tests/fuzz/findings.md, "Runs"); ANSI off, UTC etc. stay sqlrun's.
FAST_SPARK = {"spark.sql.adaptive.enabled": "false", "spark.sql.shuffle.partitions": "1",
              "spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN"}


@dataclass(frozen=True)
class Outcome:
    status: str  # same | refused | wrong | error | invalid
    detail: str = ""


@dataclass
class Stats:
    """Counts and seconds per (source, target): the source's own run is counted once per target."""

    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    seconds: dict = field(default_factory=lambda: defaultdict(float))
    refusals: Counter = field(default_factory=Counter)  # (target, the refusal's reason) -> count

    def rate(self, pair: tuple[str, str]) -> float:
        ran = sum(v for k, v in self.counts[pair].items() if k != "invalid")
        return ran / self.seconds[pair] if self.seconds[pair] else 0.0


def _moments_as_numbers(table: pa.Table) -> pa.Table:
    """Dates as days and timestamps as microseconds since 1970 (their Arrow storage), time zones
    dropped: for years Python's datetime cannot hold."""
    columns = []
    for column in table.columns:
        if pa.types.is_date(column.type):
            column = column.cast(pa.date32()).cast(pa.int32())
        elif pa.types.is_timestamp(column.type):
            column = pc.cast(column.cast(pa.timestamp("us", column.type.tz)), pa.int64())
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _line(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"[:300]


class Natives:
    """The source engines themselves (sqlrun's adapters, so sqlrun's own settings: Spark's
    timezone, ANSI mode...), with the round's tables registered under their own names."""

    def __init__(self, fast: bool = True):
        self.engines: dict = {}
        self.fast = fast  # FAST_SPARK and cached tables; False: exactly sqlrun's Spark settings

    def engine(self, dialect: str):
        if dialect not in self.engines:
            if dialect == "spark":
                from sqlrun.adapters.spark import SparkEngine

                self.engines[dialect] = SparkEngine({})
                if self.fast:
                    fast_spark(self.engines[dialect])
            else:
                self.engines[dialect] = DuckDBEngine({})
        return self.engines[dialect]

    def register(self, project: Project, dialects) -> None:
        for dialect in dialects:
            engine = self.engine(dialect)
            for name, source in project.sources.items():
                if dialect == "spark" and self.fast:
                    engine.execute(f"UNCACHE TABLE IF EXISTS {name}")  # the last round's
                engine.register_source(name, source)
                if dialect == "spark" and self.fast:
                    engine.execute(f"CACHE TABLE {name}")

    def run(self, dialect: str, sql: str):
        return self.engine(dialect).to_arrow(sql)

    def close(self) -> None:
        for engine in self.engines.values():
            engine.close()


def fast_spark(engine) -> None:
    for key, value in FAST_SPARK.items():
        engine.spark.conf.set(key, value)


class Round:
    """One set of tables: the native engines read them, a Session runs sqlrun on them."""

    def __init__(self, natives: Natives, project: Project, dialects, targets=()):
        self.natives, self.session = natives, Session(project)
        natives.register(project, dialects)
        self.count = 0
        if "spark" in targets and natives.fast:  # the Session's Spark: fast settings, the tables cached
            engine = self.session.engine("spark")
            fast_spark(engine)
            for name, source in project.sources.items():
                engine.register_source(name, source)  # the Session registers them again: same plan, still cached
                engine.execute(f"CACHE TABLE {name}")

    def reference(self, dialect: str, sql: str):
        """The source engine's own answer, or an Outcome('invalid') if it rejects the query."""
        try:
            return self.natives.run(dialect, sql)
        except Exception as exc:
            return Outcome("invalid", _line(exc))

    def target(self, dialect: str, sql: str, target: str, expected) -> Outcome:
        self.count += 1
        query = Query(name=f"fuzz_{self.count}", path=Path(f"fuzz/{dialect}.sql"), dialect=dialect, sql=sql)
        try:
            table = self.session.run(query, target)
        except (CompileError, CatalogError) as exc:
            return Outcome("refused", _line(exc))
        except Exception as exc:  # an engine error (or a crash) at run time: should have been refused
            return Outcome("error", _line(exc))
        ordered = is_ordered(sqlglot.parse_one(sql, read=dialect))
        try:
            cmp = compare(expected, table, ordered)
        except (OverflowError, ValueError) as exc:  # a value Python cannot hold (year 11111, DuckDB's 'infinity')
            try:  # compared as numbers: days, microseconds
                cmp = compare(_moments_as_numbers(expected), _moments_as_numbers(table), ordered)
            except (OverflowError, ValueError, pa.ArrowInvalid):
                return Outcome("wrong", f"cannot compare the results: {_line(exc)}")
        if cmp.equal:
            return Outcome("same")
        return Outcome("wrong", f"{cmp.reason}: {dialect} {cmp.left_rows!r:.300} {target} {cmp.right_rows!r:.300}")

    def outcome(self, dialect: str, sql: str, target: str) -> Outcome:
        expected = self.reference(dialect, sql)
        return expected if isinstance(expected, Outcome) else self.target(dialect, sql, target, expected)

    def close(self) -> None:
        self.session.close()


def run_query(rnd: Round, dialect: str, sql: str, targets, stats: Stats) -> dict[str, Outcome]:
    """The query on its source engine once, then on each target; timed into `stats`."""
    started = time.perf_counter()
    expected = rnd.reference(dialect, sql)
    native = time.perf_counter() - started
    results = {}
    for target in targets:
        started = time.perf_counter()
        if isinstance(expected, Outcome):
            outcome = expected
        else:
            outcome = rnd.target(dialect, sql, target, expected)
        stats.seconds[dialect, target] += native + time.perf_counter() - started
        stats.counts[dialect, target][outcome.status] += 1
        if outcome.status == "refused":
            stats.refusals[target, outcome.detail.split(": ", 2)[-1].split(" (")[0][:90]] += 1
        results[target] = outcome
    return results
