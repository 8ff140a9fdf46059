"""`sqlrun parity` and `sqlrun bench`: one query on several engines, compared (and timed)."""

from __future__ import annotations

from typing import Annotated

import typer

from sqlrun.cli_common import ParamOpt, ProjectOpt, QueryArg, engine_list, open_session, parse_params
from sqlrun.console import out, progress, text
from sqlrun.errors import SqlrunError


def parity_cmd(
    queries: Annotated[list[str], typer.Argument(help="Catalog names or .sql paths.")],
    engines: Annotated[
        str, typer.Option("--engines", help="Comma-separated engines; the first is the reference.")
    ] = "duckdb,polars,spark",
    param: ParamOpt = None,
    project: ProjectOpt = None,
) -> None:
    """Run each query on each engine and compare the results; exit 1 if any differ."""
    from rich.table import Table

    names = engine_list(engines)
    with open_session(project) as session:
        with progress(f"comparing {len(queries)} quer{'y' if len(queries) == 1 else 'ies'} on {', '.join(names)}"):
            results = session.parity(queries, names, parse_params(param))
    table = Table("query", "engine", "result", "rows", "seconds", "detail")
    for r in results:
        mark = text("pass", "green") if r.ok else text("FAIL", "red")
        table.add_row(text(r.query), text(r.engine), mark, text(r.rows), text(f"{r.seconds:.2f}"), text(r.detail))
    out.print(table)
    failures = [r for r in results if not r.ok]
    for r in failures:
        if r.comparison and r.comparison.left_rows:
            out.print(f"{r.query} on {r.engine}: {r.detail}")
            out.print(f"  reference: {r.comparison.left_rows[0]}")
            out.print(f"  {r.engine}: {r.comparison.right_rows[0]}")
    if failures:
        raise SqlrunError(f"{len(failures)} of {len(results)} results differ or failed")


def bench_cmd(
    query: QueryArg,
    engines: Annotated[
        str, typer.Option("--engines", help="Comma-separated engines; the first is the parity reference.")
    ] = "duckdb,polars,spark",
    repeat: Annotated[int, typer.Option("--repeat", "-n", help="Timed runs per engine.")] = 3,
    param: ParamOpt = None,
    project: ProjectOpt = None,
) -> None:
    """Time QUERY on each engine (each in its own process), check the results agree, recommend one."""
    from rich.table import Table

    from sqlrun.adapters import engine_class
    from sqlrun.bench import bench

    names = engine_list(engines)
    if repeat < 1:
        raise SqlrunError("--repeat must be at least 1")
    for name in names:
        engine_class(name)
    session = open_session(project)
    target = session.query(query)  # a bad name fails here, before any engine starts
    with progress(f"benchmarking {target.name} on {', '.join(names)}"):
        report = bench(session.project, query, names, repeat, parse_params(param))
    table = Table(
        "engine", "result", "rows", "min s", "median s", "peak RSS MiB", "start-up s",
        title=text(f"{target.name}: {repeat} run{'s' if repeat != 1 else ''} per engine"),
    )
    for r in report.runs:
        if r.error:
            table.add_row(text(r.engine), text("error", "red"), "", "", "", f"{r.peak_rss / 2**20:.0f}", "")
            continue
        mark = {None: text("reference"), True: text("same", "green"), False: text("DIFFERENT", "red")}[r.matched]
        table.add_row(text(r.engine), mark, f"{r.rows:,}", f"{r.min:.3f}", f"{r.median:.3f}",
                      f"{r.peak_rss / 2**20:.0f}", f"{r.startup:.2f}")
    out.print(table)
    for r in report.runs:
        if r.error or r.matched is False:
            out.print(f"{r.engine}: {r.error or r.detail}")
    out.print(report.recommendation())
    if any(r.matched is False for r in report.runs):
        raise SqlrunError("results differ between engines (see above)")
