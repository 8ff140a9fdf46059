"""`sqlrun test`: the catalog's *.test.yaml tests on every engine (logic in sqlrun/user_tests/)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from sqlrun.cli_common import ProjectOpt, engine_list
from sqlrun.console import out, progress, text
from sqlrun.errors import SqlrunError


def test_cmd(
    names: Annotated[Optional[list[str]], typer.Argument(help="Test or query names (default: all tests).")] = None,
    engines: Annotated[str, typer.Option("--engines", help="Comma-separated engines.")] = "duckdb,polars,spark",
    junit: Annotated[Optional[Path], typer.Option("--junit", help="Also write the results as JUnit XML here.")] = None,
    project: ProjectOpt = None,
) -> None:
    """Run the catalog's tests (NAME.test.yaml beside the queries) on each engine; exit 1 if any fails."""
    from rich.table import Column, Table

    from sqlrun.atomic import check_target, is_stdout
    from sqlrun.user_tests.junit import write_junit
    from sqlrun.user_tests.runner import run_tests

    chosen = engine_list(engines)
    if junit is not None:
        if is_stdout(junit):
            raise SqlrunError("--junit needs a file name (stdout holds the table)")
        check_target(junit)  # a bad place fails now, not after the tests
    with progress(f"testing on {', '.join(chosen)}"):
        results = run_tests(project, names, chosen)
    table = Table("engine", "result", "seconds")
    table.columns.insert(0, Column("test", overflow="fold"))  # a test's id whole, even in a narrow log
    marks = {"pass": text("pass", "green"), "skip": text("skip", "yellow")}
    for r in results:
        table.add_row(text(r.test), text(r.engine), marks.get(r.status, text(r.status.upper(), "red")),
                      text(f"{r.seconds:.2f}"))
    out.print(table)
    for r in results:
        if r.status != "pass":
            out.print(f"{r.test} on {r.engine}: {r.message}")
            for line in r.lines:
                out.print(f"  {line}")
    if junit is not None:
        write_junit(junit, results)
    failed = [r for r in results if not r.ok]
    if failed:
        raise SqlrunError(f"{len(failed)} of {len(results)} test runs failed")
