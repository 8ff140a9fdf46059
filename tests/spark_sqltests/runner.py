"""Run frozen Spark sql-tests cases through sqlrun (or plain sqlglot + DuckDB) and classify.

Outcomes: pass (Spark's rows, by parity's rules), refused (CompileError or CatalogError before
anything runs), wrong (ran, other rows), error (failed inside the engine at run time).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp

from sqlrun.api import Session
from sqlrun.config import Project, Source
from sqlrun.engine.catalog import Query
from sqlrun.engine.parity import first_difference, is_ordered, normalize_value, rows_of, sort_rows
from sqlrun.errors import CatalogError, CompileError, EngineError
from tests.spark_sqltests import DATA, PLAIN, Case
from tests.spark_sqltests.values import decode

STATUSES = ("pass", "refused", "wrong", "error")


class WrongAnswer(AssertionError):
    """sqlrun ran the case and returned other rows than Spark's."""


@dataclass(frozen=True)
class Outcome:
    status: str  # pass | refused | wrong | error
    detail: str = ""


def query_of(case: Case) -> Query:
    name = "q_" + "".join(c if c.isalnum() else "_" for c in case.id)
    return Query(name=name, path=Path("sql-tests") / f"{case.file}@{case.line}", dialect="spark", sql=case.sql)


def ordered(case: Case) -> bool:
    try:
        return is_ordered(sqlglot.parse_one(case.sql, read="spark"))
    except Exception:  # sqlglot cannot parse it: compared as a multiset
        return False


def sort_key_columns(case: Case) -> list[int] | None:
    """The output columns the outermost ORDER BY sorts by (names or ordinals); None if any key
    is not an output column."""
    try:
        tree = sqlglot.parse_one(case.sql, read="spark")
    except Exception:
        return None
    names = [name.lower() for name, _ in case.columns]
    keys = []
    for ordered_ in tree.args["order"].expressions:
        key = ordered_.this
        if isinstance(key, exp.Literal) and key.is_int and 0 < int(key.name) <= len(names):
            keys.append(int(key.name) - 1)
        elif isinstance(key, exp.Column) and names.count(key.name.lower()) == 1:
            keys.append(names.index(key.name.lower()))
        else:
            return None
    return keys


def difference(case: Case, table) -> str:
    """'' when `table` holds Spark's rows (parity's rules), else what differs. Under ORDER BY, rows
    that tie on every sort key (all of them output columns) may come in any order."""
    if table.num_columns != len(case.columns):
        return f"column count differs: {len(case.columns)} vs {table.num_columns}"
    if table.num_rows != len(case.rows):
        return f"row count differs: {len(case.rows)} vs {table.num_rows}"
    want = [tuple(normalize_value(decode(v)) for v in row) for row in case.rows]
    got = rows_of(table)
    a, b = sort_rows(want, False), sort_rows(got, False)
    i = first_difference(a, b)
    if i is not None:
        return f"sorted row {i} differs: expected {a[i]!r:.200} got {b[i]!r:.200}"
    if not ordered(case):
        return ""
    keys = sort_key_columns(case)
    if keys is not None:  # the same multiset: only the order of the sort keys can differ
        want, got = [tuple(r[k] for k in keys) for r in want], [tuple(r[k] for k in keys) for r in got]
    i = first_difference(want, got)
    return "" if i is None else f"row {i} differs: expected {want[i]!r:.200} got {got[i]!r:.200}"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"[:400]


def run_sqlrun(session: Session, case: Case, engine: str, query_of=query_of, difference=difference) -> Outcome:
    """Never raises: a refusal, a wrong answer and an engine's failure are outcomes. (The DuckDB
    sqllogictests pass their own query_of and difference.)"""
    try:
        table = session.run(query_of(case), engine)
    except (CompileError, CatalogError) as exc:
        return Outcome("refused", _first_line(exc))
    except EngineError as exc:
        return Outcome("error", _first_line(exc))
    except Exception as exc:  # anything else escaping sqlrun is a crash, counted with the engine errors
        return Outcome("error", "crash: " + _first_line(exc))
    diff = difference(case, table)
    return Outcome("wrong", diff) if diff else Outcome("pass")


def run_plain(connection, case: Case) -> Outcome:
    """sqlglot.transpile(read="spark", write="duckdb") as is, run on DuckDB."""
    try:
        sql = sqlglot.transpile(case.sql, read="spark", write="duckdb")
    except Exception as exc:
        return Outcome("refused", _first_line(exc))
    try:
        for statement in sql[:-1]:
            connection.execute(statement)
        table = connection.sql(sql[-1]).to_arrow_table()
    except Exception as exc:
        return Outcome("error", _first_line(exc))
    diff = difference(case, table)
    return Outcome("wrong", diff) if diff else Outcome("pass")


def project_for(root: Path, sources: dict) -> Project:
    table = {name: Source(name=name, path=str(DATA / path), format="parquet") for name, path in sources.items()}
    return Project(root=root, dialect="spark", engine="duckdb", queries_dir=root, sources=table)


def sessions_by_sources(cases: list[Case], project_for, prefix: str):
    """(sources, Session, cases) for each set of tables the cases read: one project (and Session)
    per group, in a temporary directory."""
    groups: dict[tuple, list[Case]] = defaultdict(list)
    for case in cases:
        groups[tuple(sorted(case.sources.items()))].append(case)
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        for i, (sources, group) in enumerate(groups.items()):
            root = Path(tmp) / f"p{i}"
            root.mkdir()
            with Session(project_for(root, dict(sources))) as session:
                yield dict(sources), session, group


def run_cases(cases: list[Case], engines: tuple[str, ...], report=None) -> dict[tuple[str, str], Outcome]:
    """(case id, engine) -> Outcome for every case on every engine (PLAIN: sqlglot + DuckDB)."""
    outcomes = {}
    for sources, session, group in sessions_by_sources(cases, project_for, "sqlrun-sqltests-"):
        with plain_duckdb(sources) as con:
            for case in group:
                for engine in engines:
                    if engine == PLAIN:
                        outcome = run_plain(con, case)
                    else:
                        outcome = run_sqlrun(session, case, engine)
                    outcomes[case.id, engine] = outcome
                    if report:
                        report(case, engine, outcome)
    return outcomes


@contextlib.contextmanager
def plain_duckdb(sources: dict):
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name, path in sources.items():
        con.execute(f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{DATA / path}')")
    try:
        yield con
    finally:
        con.close()
