"""What the CLI's command modules share: the common options, parameters, the session, progress."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from sqlrun.console import err
from sqlrun.errors import SqlrunError

QueryArg = Annotated[str, typer.Argument(help="Catalog name or path to a .sql file.")]
ProjectOpt = Annotated[Optional[Path], typer.Option("--project", "-p", help="Project directory (holds sqlrun.toml).")]
EngineOpt = Annotated[
    Optional[str],
    typer.Option("--engine", "-e", help="The engine, by name (default: the project's); a wrong name lists them."),
]
ParamOpt = Annotated[Optional[list[str]], typer.Option("--param", help="A query parameter, NAME=VALUE (repeatable).")]


def parse_params(values: list[str] | None) -> dict[str, str]:
    params = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SqlrunError(f"--param expects NAME=VALUE, got '{item}'")
        if name.strip() in params:  # which one was meant? never silently the last
            raise SqlrunError(f"--param {name.strip()} given twice")
        params[name.strip()] = value
    return params


def engine_list(engines: str) -> list[str]:
    """--engines a,b,c as names: at least one, each once."""
    names = [e.strip() for e in engines.split(",") if e.strip()]
    if not names:
        raise SqlrunError("--engines needs at least one engine")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SqlrunError(f"--engines names {', '.join(twice)} twice")
    return names


def open_session(project: Path | None):
    from sqlrun.api import Session

    return Session(project)


def step_printer(target: str):
    """Per-step progress on stderr (what ran: rows, seconds; what was fresh), for pipelines only."""
    seen = []

    def show(report) -> None:
        seen.append(report)
        if report.step == target and len(seen) == 1 and report.status == "ran":
            return  # a plain query, not a pipeline: nothing to add
        if report.status == "ran":
            err.print(f"  {report.step}: {report.rows:,} rows in {report.seconds:.2f} s", highlight=False)
        elif report.status == "fresh":
            err.print(f"  {report.step}: fresh ({report.rows:,} rows stored)", highlight=False)

    return show


def day_printer(job):
    """One line per value and step of a backfill, on stderr: `[3/31] ds=2025-08-03 step: ...`."""
    width = len(str(len(job.values)))

    def show(index: int, report) -> None:
        show.reports.append(report)
        done = f"[{index + 1:>{width}}/{len(job.values)}] {job.key}={report.value} {report.step}:"
        if report.status == "ran":
            err.print(f"{done} {report.rows:,} rows in {report.seconds:.2f} s", highlight=False, markup=False)
        else:
            err.print(f"{done} fresh (stored)", highlight=False, markup=False)

    show.reports = []
    return show
