"""The `sqlrun` command: each command a thin call into sqlrun.api."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from sqlrun.cli_common import (
    EngineOpt,
    ParamOpt,
    ProjectOpt,
    QueryArg,
    day_printer,
    open_session,
    parse_params,
    step_printer,
)
from sqlrun.cli_compare import bench_cmd, parity_cmd
from sqlrun.cli_dashboard import dashboard_cmd
from sqlrun.cli_models import models_app
from sqlrun.cli_plan import plan_cmd
from sqlrun.cli_tests import test_cmd
from sqlrun.console import err, out, progress, text
from sqlrun.errors import SqlrunError

app = typer.Typer(
    help="Write the SQL once, run it on DuckDB, Polars SQL, Spark SQL or Redshift.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

@app.command("list")
def list_queries(project: ProjectOpt = None) -> None:
    """List the catalog: name, dialect, description, parameters."""
    from rich.table import Table

    session = open_session(project)
    table = Table("name", "dialect", "params", "description")
    for query in session.catalog.queries.values():
        params = ", ".join(f"{p.name}: {p.type}" + (f" = {p.default}" if p.default else "") for p in query.params)
        table.add_row(text(query.name), text(query.dialect), text(params), text(query.description or ""))
    out.print(table)
    for problem in session.catalog.problems():  # files that could not be loaded: the rest still work
        err.print(f"warning: {problem}", highlight=False, markup=False, soft_wrap=True)


@app.command("compile")
def compile_cmd(
    query: QueryArg,
    engine: EngineOpt = None,
    param: ParamOpt = None,
    project: ProjectOpt = None,
) -> None:
    """Print the SQL an engine will run for QUERY."""
    sql = open_session(project).compile(query, engine, parse_params(param))
    typer.echo(sql)


@app.command("run")
def run_cmd(
    query: QueryArg,
    engine: EngineOpt = None,
    param: ParamOpt = None,
    output: Annotated[
        Optional[str],
        typer.Option(
            "--output", "-o", help="Write the result to a file or s3://bucket/key (format from the extension); "
            "'-' is stdout.",
        ),
    ] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="table | csv | json | parquet")] = None,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Rows to print in table format.")] = 20,
    refresh: Annotated[bool, typer.Option("--refresh", help="Recompute materialized steps even if fresh.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print exactly what would be sent; run nothing.")] = False,
    chart: Annotated[Optional[str], typer.Option("--chart", help="Draw the result: line | bar | scatter.")] = None,
    x: Annotated[Optional[str], typer.Option("--x", help="Chart: the x-axis column.")] = None,
    y: Annotated[Optional[str], typer.Option("--y", help="Chart: y column(s), comma-separated.")] = None,
    project: ProjectOpt = None,
) -> None:
    """Run QUERY (and the pipeline steps it reads) on an engine; print the result or write it to --output.

    With --output FILE.png or FILE.html the result is drawn as a chart (--chart/--x/--y, or the
    query's '-- chart:' header)."""
    from sqlrun.daily import backfill, find_backfill
    from sqlrun.output import FORMATS, check_output, render_table, write_result, write_stdout
    from sqlrun.s3_write import destination

    if fmt is not None and fmt not in FORMATS:
        raise SqlrunError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    if max_rows < 0:
        raise SqlrunError("--max-rows must be 0 or more")
    if fmt == "parquet" and output is None:
        raise SqlrunError("--format parquet needs --output FILE (or -o - for stdout)")
    if output is not None and str(output) == "-" and fmt == "table":
        output = None  # the table, printed
    with open_session(project) as session:
        name = engine or session.project.engine
        params = parse_params(param)
        job = find_backfill(session, query, params)
        if job is not None and (dry_run or (output is not None and session.query(query).name in job.names())):
            raise SqlrunError(f"--param {job.key}=A..B runs a backfill, which stores each value: "
                              f"{'--dry-run' if dry_run else '--output'} needs one value")
        if dry_run:
            for statement in session.dry_run(query, name, params):
                typer.echo(statement.rstrip().rstrip(";") + ";")
            return
        dest = destination(output, session.project.s3) if output is not None else None  # a Path or an S3 object
        spec = _chart_spec(session.query(query), dest, chart, x, y)
        if dest is not None and spec is None:
            fmt = check_output(dest, fmt)  # a bad place or format fails now, not after the query
        if job is not None:
            shown = day_printer(job)
            table = backfill(session, query, name, params, job, refresh, shown)
            ran = sum(r.status == "ran" for r in shown.reports)
            err.print(f"backfilled {len(job.values)} values of {job.key}: {ran} computed,"
                      f" {len(shown.reports) - ran} fresh", highlight=False, markup=False)
            if table is None:
                return
        else:
            with progress(f"running {query} on {name}"):
                table = session.run(query, name, params, refresh, step_printer(session.query(query).name))
    if spec is not None:
        from sqlrun.chart import write_chart

        with progress(f"writing {dest}"):
            write_chart(table, spec, dest, session.query(query).name)
        err.print(f"wrote a {spec.kind} chart of {table.num_rows} rows to {dest}")
    elif dest is not None and str(dest) != "-":
        with progress(f"writing {dest}"):
            write_result(table, dest, fmt)
        err.print(f"wrote {table.num_rows} rows to {dest}")
    elif fmt in (None, "table"):
        out.print(render_table(table, f"{query} on {name}", max_rows))
    else:
        write_stdout(table, fmt)


def _chart_spec(query, output, kind: str | None, x: str | None, y: str | None):
    """The chart to draw, checked before the query runs; None when the output is not a chart.
    `output`: a Path or an S3 object (sqlrun.s3_write.destination)."""
    from sqlrun.chart import SUFFIXES, check_output, resolve

    is_chart_file = output is not None and Path(str(output)).suffix.lower() in SUFFIXES
    if not is_chart_file and (kind or x or y):
        raise SqlrunError("--chart/--x/--y need --output FILE.png or FILE.html")
    if not is_chart_file:
        return None
    spec = resolve(query.headers.get("chart"), kind, x, y, query.description or query.name, str(query.path))
    check_output(output)
    return spec


app.command("parity")(parity_cmd)
app.command("bench")(bench_cmd)

MAX_DEMO_ROWS = 1_000_000_000


@app.command("demo-data")
def demo_data_cmd(
    rows: Annotated[int, typer.Option("--rows", help="Play-log rows to generate.")] = 300_000,
    project: ProjectOpt = None,
) -> None:
    """Generate the example catalog's deterministic demo data under PROJECT/data."""
    from sqlrun.demo import generate

    if not 1 <= rows <= MAX_DEMO_ROWS:  # beyond it numpy cannot size the arrays (or memory runs out)
        raise SqlrunError(f"--rows must be between 1 and {MAX_DEMO_ROWS:,}")
    target = (project or Path(".")) / "data"
    with progress(f"generating demo data in {target}"):
        counts = generate(target, rows)
    err.print(", ".join(f"{name}: {n} rows" for name, n in counts.items()), highlight=False)


app.command("plan")(plan_cmd)
app.command("dashboard")(dashboard_cmd)
app.add_typer(models_app, name="models")
app.command("test")(test_cmd)


def main() -> None:
    """Entry point: every sqlrun error is one line on stderr and exit status 1; Ctrl-C is the
    line "interrupted" and exit status 130."""
    try:
        code = app(standalone_mode=False)
    except SystemExit:
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":  # typer's mark of a broken pipe
            sys.exit(141)  # the reader went away (`| head`): quiet, as cat or grep would be (128 + SIGPIPE)
        raise
    except (SqlrunError, typer.TyperException) as exc:
        message = exc.format_message() if isinstance(exc, typer.TyperException) else str(exc)
        if not message:  # `sqlrun` alone: the help was printed
            sys.exit(0)
        err.print(f"error: {message}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _interrupted()
    except Exception as exc:  # an OSError (disk full, ...) or a bug: still one line; SQLRUN_DEBUG=1 re-raises
        if os.environ.get("SQLRUN_DEBUG"):
            raise
        err.print(f"error: {_unexpected(exc)}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
    if code == 130:  # typer's own answer to Ctrl-C (no sqlrun command returns a code)
        _interrupted()
    sys.exit(code if isinstance(code, int) else 0)


def _unexpected(exc: Exception) -> str:
    if isinstance(exc, OSError):  # the machine said no: disk full, permissions, a file gone meanwhile
        return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    text = " ".join(str(exc).split())[:200]
    return f"internal error ({type(exc).__name__}: {text}); SQLRUN_DEBUG=1 shows where"


def _interrupted() -> None:
    """Ctrl-C: one line and exit status 130. Further Ctrl-Cs are ignored from here on, so an
    engine shutting down (Spark's JVM is stopped at exit) cannot end in a traceback."""
    import signal

    while True:
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            break
        except KeyboardInterrupt:  # one already pending runs as the handler is replaced
            continue
    err.print("interrupted", highlight=False, markup=False)
    sys.exit(130)
