"""Run frozen DuckDB sqllogictest cases through sqlrun as duckdb-dialect catalog queries.

Outcomes as for the Spark sql-tests (tests/spark_sqltests/runner.py): pass (the file's expected
values, by its runner's rules: compare.py), refused (CompileError or CatalogError before anything
runs), wrong (ran, other values), error (failed inside the engine at run time).
"""

from __future__ import annotations

from pathlib import Path

import sqlglot

from sqlrun.config import Project, Source
from sqlrun.engine.catalog import Query
from sqlrun.engine.parity import is_ordered
from tests.duckdb_slt import DATA, Case
from tests.duckdb_slt.compare import HASH, Texts, expected_rows_sorted
from tests.duckdb_slt.compare import difference as text_difference
from tests.spark_sqltests.runner import Outcome, _first_line, run_sqlrun, sessions_by_sources


def query_of(case: Case) -> Query:
    name = "q_" + "".join(c if c.isalnum() else "_" for c in case.id)
    return Query(name=name, path=Path("duckdb-slt") / f"{case.file}@{case.line}", dialect="duckdb", sql=case.sql)


def unordered(case: Case) -> bool:
    """A `nosort` query without an outermost ORDER BY: SQL leaves its row order open (DuckDB's
    runner checks the order DuckDB happens to give; Polars runs UNION ALL branches in any order).
    Not for a hash, which is of the values in the order DuckDB gave."""
    if case.sort != "nosort" or (len(case.expected) == 1 and HASH.match(case.expected[0])):
        return False
    try:
        return not is_ordered(sqlglot.parse_one(case.sql, read="duckdb"))
    except Exception:  # sqlglot cannot read it: the file's mode
        return False


def difference(case: Case, table) -> str:
    """'' when `table` holds the file's expected values (compare.py); an unordered query's rows
    may come in any order."""
    try:
        texts = Texts(table)
        found = text_difference(texts, case.expected, case.columns, case.sort)
        if found and unordered(case) and not text_difference(
            texts, expected_rows_sorted(case.expected, case.columns), case.columns, "rowsort"
        ):
            return ""
        return found
    except Exception as exc:  # a result DuckDB cannot read back (an Arrow type it lacks)
        return "result not readable: " + _first_line(exc)


def project_for(root: Path, sources: dict) -> Project:
    table = {name: Source(name=name, path=str(DATA / path), format="parquet") for name, path in sources.items()}
    return Project(root=root, dialect="duckdb", engine="duckdb", queries_dir=root, sources=table)


def run_cases(cases: list[Case], engines: tuple[str, ...], report=None) -> dict[tuple[str, str], Outcome]:
    """(case id, engine) -> Outcome for every case on every engine."""
    outcomes = {}
    for _, session, group in sessions_by_sources(cases, project_for, "sqlrun-slt-"):
        for case in group:
            for engine in engines:
                outcome = run_sqlrun(session, case, engine, query_of, difference)
                outcomes[case.id, engine] = outcome
                if report:
                    report(case, engine, outcome)
    return outcomes
