"""`sqlrun plan`: the pipeline a query needs, and the stored days of its incremental steps."""

from __future__ import annotations

from typing import Annotated

import typer

from sqlrun.cli_common import ParamOpt, ProjectOpt, QueryArg, open_session, parse_params
from sqlrun.console import out, text


def plan_cmd(
    query: QueryArg,
    param: ParamOpt = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Plan as if every step were stale.")] = False,
    project: ProjectOpt = None,
) -> None:
    """Show the pipeline QUERY needs, upstream first, and which steps will run or are fresh."""
    from rich.table import Table

    from sqlrun.daily import find_backfill, stored_days

    session, params = open_session(project), parse_params(param)
    job = find_backfill(session, query, params)
    first = {**params, job.key: job.values[0]} if job else params
    plan = session.plan(query, first, refresh)
    table = Table("step", "reads", "materialize", "status", title=text(f"plan for {plan.target}"))
    for name, step in plan.steps.items():
        reads = ", ".join([*step.inputs, *(f"{s} (source)" for s in step.sources)])
        mode = step.materialize + (f" by {', '.join(step.partition_by)}" if step.partition_by else "")
        mode += f", one per {step.incremental}" if step.incremental else ""
        status = {"run": text("will run", "yellow"), "fresh": text("fresh", "green"), "view": text("inlined")}
        table.add_row(text(name), text(reads), text(mode), status[plan.status(name)])
    out.print(table)
    days = stored_days(session, query, params, job)
    if days:
        table = Table("step", "value", "status", "rows", "engine", "computed at", title=text("stored values"))
        colour = {"fresh": "green", "stale": "yellow", "missing": "red"}
        for d in days:
            rows = f"{d.rows:,}" if d.rows is not None else ""
            table.add_row(text(d.step), text(d.value), text(d.status, colour[d.status]), text(rows),
                          text(d.engine), text(d.written_at))
        out.print(table)
        counts = {s: sum(d.status == s for d in days) for s in colour}
        out.print(text(", ".join(f"{n} {s}" for s, n in counts.items())))
