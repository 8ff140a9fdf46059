"""`sqlrun dashboard`: the catalog's chart queries run (as `sqlrun run` runs them) and drawn into one
static page, DIR/index.html (rendered by sqlrun/dashboard.py, written by sqlrun/publish.py)."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from sqlrun.cli_common import EngineOpt, ParamOpt, ProjectOpt, open_session, parse_params, step_printer
from sqlrun.console import err, progress
from sqlrun.errors import SqlrunError

if TYPE_CHECKING:
    from sqlrun.api import Session
    from sqlrun.dashboard import Entry


def dashboard_cmd(
    queries: Annotated[
        Optional[list[str]],
        typer.Argument(help="Chart queries (default: every query with a '-- chart:' header).", show_default=False),
    ] = None,
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="Directory for index.html (made if missing).", show_default=False),
    ] = "",
    engine: EngineOpt = None,
    param: ParamOpt = None,
    title: Annotated[str, typer.Option("--title", help="The page's heading.")] = "Dashboard",
    project: ProjectOpt = None,
) -> None:
    """Run the chart queries and draw them into one self-contained HTML page, DIR/index.html:
    no server, no network; each chart with its parameters, engine, time and rows."""
    from sqlrun.publish import check_dest, publish

    if importlib.util.find_spec("plotly") is None:
        raise SqlrunError("dashboards need plotly: pip install 'sqlrun[charts]'")
    with open_session(project) as session:
        check_dest(output, session.project.s3)  # a bad place fails now, not after the queries ran
        entries = chart_entries(session, queries or [], engine, parse_params(param))
    from sqlrun.dashboard import render

    page = publish(render(entries, title), output, session.project.s3)
    err.print(f"wrote a dashboard of {len(entries)} chart{'s' if len(entries) != 1 else ''} to {page}")


def chart_entries(session: Session, refs: list[str], engine: str | None, params: dict[str, str]) -> list[Entry]:
    """Each chart query run once on `engine`: one version per entry. A parameter goes to the
    queries that declare it (in their pipeline); one no chart query declares is an error."""
    from sqlrun.chart import check_columns, resolve
    from sqlrun.dashboard import Entry, Version

    chosen = _chart_queries(session, refs)
    declared = {query.name: _declared(session, query) for query in chosen}
    unused = sorted(set(params) - {name for names in declared.values() for name in names})
    if unused:
        raise SqlrunError(f"--param {', '.join(unused)}: no chart query on the dashboard takes it")
    specs = {q.name: resolve(q.headers["chart"], None, None, None, q.description or q.name, str(q.path))
             for q in chosen}
    name = engine or session.project.engine
    entries = []
    for query in chosen:
        given = {k: v for k, v in params.items() if k in declared[query.name]}
        with progress(f"running {query.name} on {name}"):
            table = session.run(query, name, given, False, step_printer(query.name))
        check_columns(table, specs[query.name], query.name)
        shown = {k: given.get(k, default) for k, default in declared[query.name].items()}
        version = Version(table, {k: v for k, v in shown.items() if v is not None}, datetime.now(UTC), name)
        versions = _history(session, query, given, version) or (version,)
        entries.append(Entry(query.name, specs[query.name], query.description, versions))
    return entries


def _history(session: Session, query, given: dict[str, str], version) -> tuple | None:
    """An incremental query's stored values, one version each (oldest first, the run's among
    them): the page's history. None for other queries."""
    from sqlrun.dashboard import Version

    step = session.plan(query, given).steps[query.name]
    if step.incremental is None:
        return None
    versions = []
    for value, stored in session.store.all_days(query.name).items():
        when = datetime.fromisoformat(stored.written_at) if stored.written_at else version.computed_at
        params = {**version.params, step.incremental: value}
        versions.append(Version(stored.read(), params, when, stored.engine))
    return tuple(versions)


def _chart_queries(session: Session, refs: list[str]) -> list:
    if not refs:
        for problem in session.catalog.problems():  # a file that could not be loaded may be a chart
            err.print(f"warning: {problem}", highlight=False, markup=False, soft_wrap=True)
        chosen = [q for q in session.catalog.queries.values() if "chart" in q.headers]
        if not chosen:
            raise SqlrunError("the catalog has no chart queries (a '-- chart:' header)")
        return chosen
    chosen = [session.query(ref) for ref in dict.fromkeys(refs)]
    for query in chosen:
        if "chart" not in query.headers:
            raise SqlrunError(f"{query.name} has no '-- chart:' header, so it has no place on a dashboard")
    return chosen


def _declared(session: Session, query) -> dict[str, str | None]:
    """The parameters the query's pipeline declares, with their defaults."""
    plan = session.plan(query)
    return {p.name: p.default for step in plan.steps.values() for p in step.query.params}
