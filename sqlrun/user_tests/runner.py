"""Run a test on engines: in a throwaway project in a temp directory (the project's settings, the
catalog's query files but those of the given steps, each given table a parquet source), so the
user's own store and data are never read or written; then the result against the expectation."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlrun.adapters import engine_class
from sqlrun.config import Source
from sqlrun.engine.parity import first_difference, is_ordered, normalize_value, rows_of, sort_rows
from sqlrun.errors import SqlrunError
from sqlrun.user_tests.cases import find_cases, prepare
from sqlrun.user_tests.values import result_type, show_row, types_match

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.config import Project
    from sqlrun.engine.catalog import Catalog
    from sqlrun.user_tests.cases import Ready

DEFAULT_ENGINES = "duckdb,polars,spark"


@dataclass(frozen=True)
class Result:
    test: str  # FILE::NAME
    engine: str
    status: str  # pass | fail | error | skip
    seconds: float = 0.0
    message: str = ""  # one line: what differs, the error, why skipped
    lines: tuple[str, ...] = ()  # the first differing rows: expected, got

    @property
    def ok(self) -> bool:
        return self.status in ("pass", "skip")


def check_engines(names: list[str]) -> list[str]:
    """Engines tests can run on: the local ones (given rows are local files)."""
    for name in names:
        if not engine_class(name).LOCAL:  # an unknown name is an error listing the engines
            raise SqlrunError(f"tests run on local engines; {name} is not one")
    return names


def run_test(project: Project, catalog: Catalog, ready: Ready, engines: list[str]) -> list[Result]:
    """One result per engine; never raises for a failure of the query itself."""
    from sqlrun.api import Session

    case = ready.case
    root = Path(tempfile.mkdtemp(prefix="sqlrun-test-"))
    try:
        with Session(_temp_project(project, catalog, ready, root)) as session:
            query = session.query(case.query)
            ordered = case.order_matters if case.order_matters is not None else is_ordered(query.ast())
            results = []
            for engine in engines:
                if query.engines and engine not in query.engines:
                    reason = f"{case.query} runs only on {', '.join(query.engines)}"
                    results.append(Result(case.id, engine, "skip", message=reason))
                    continue
                started = time.perf_counter()
                try:
                    # refresh: every engine computes every step itself.
                    table = session.run(query, engine, case.params, refresh=True)
                except SqlrunError as exc:  # naming the catalog's file, not its copy
                    message = str(exc).replace(str(root / "queries"), str(project.queries_dir or project.root))
                    results.append(Result(case.id, engine, "error", time.perf_counter() - started, message))
                    continue
                seconds = time.perf_counter() - started
                message, lines = check(ready, table, ordered)
                results.append(Result(case.id, engine, "fail" if message else "pass", seconds, message, lines))
            return results
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _temp_project(project: Project, catalog: Catalog, ready: Ready, root: Path) -> Project:
    import pyarrow.parquet as pq

    queries, given = root / "queries", root / "given"
    home = project.queries_dir or project.root
    for query in catalog.queries.values():
        if query.name.lower() not in ready.tables:  # a given step is a source here
            target = queries / query.path.relative_to(home)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(query.path, target)
    queries.mkdir(exist_ok=True)
    given.mkdir()
    sources = {}
    for i, (name, table) in enumerate(ready.tables.items()):
        path = given / f"{i}.parquet"  # by number: a name never becomes a path
        pq.write_table(table, path)
        sources[name] = Source(name, str(path), "parquet")
    return dataclasses.replace(project, root=root, queries_dir=queries, sources=sources)


def check(ready: Ready, table: pa.Table, ordered: bool) -> tuple[str, tuple[str, ...]]:
    """('', ()) when the result is what the test expects; else what differs, in one line, and
    the first differing rows (expected, got)."""
    case, problems, lines = ready.case, [], ()
    got = table.column_names
    by_name = {name.lower(): i for i, name in enumerate(got)}
    if case.expect:
        wanted = list(case.expect[0])
        if sorted(c.lower() for c in wanted) != sorted(by_name):
            return f"columns differ: expected {', '.join(wanted)}; got {', '.join(got)}", ()
        column_of = {c.lower(): c for c in wanted}
        expected = [tuple(normalize_value(row[column_of[g.lower()]]) for g in got) for row in case.expect]
    else:
        expected = []
    a, b = sort_rows(expected, ordered), sort_rows(rows_of(table), ordered)
    i = first_difference(a, b)
    if i is not None:
        kind = "row" if ordered else "sorted row"
        problems.append(
            f"row count: expected {len(a)}, got {len(b)}" if len(a) != len(b) else f"{kind} {i + 1} differs"
        )
        lines = (
            f"expected: {show_row(got, a[i] if i < len(a) else None)}",
            f"got:      {show_row(got, b[i] if i < len(b) else None)}",
        )
    for column, wanted_type in ready.expect_types.items():
        if column.lower() not in by_name:
            problems.append(f"expect_types: no result column {column}")
            continue
        got_type = result_type(table.schema.field(by_name[column.lower()]).type)
        if not types_match(wanted_type, got_type):
            problems.append(f"type of {column}: expected {wanted_type}, got {got_type}")
    return "; ".join(problems), lines


def run_tests(project_dir, names: list[str] | None, engines: list[str],
              on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """The catalog's tests (or those `names` select) on each engine. Every test file is checked
    before anything runs: a mistake in one is a SqlrunError naming its file and test."""
    from sqlrun.config import load_project
    from sqlrun.engine.catalog import Catalog

    project = load_project(project_dir)
    catalog = Catalog(project)
    check_engines(engines)
    ready = [prepare(project, catalog, case) for case in find_cases(catalog, names)]
    results = []
    for test in ready:
        for result in run_test(project, catalog, test, engines):
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results
