"""`sqlrun models`: list, show, train and evaluate the catalog's CREATE MODEL models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from sqlrun.cli_common import EngineOpt, ParamOpt, ProjectOpt, open_session, parse_params, step_printer
from sqlrun.console import err, out, progress, text
from sqlrun.engine.models.listing import model_rows
from sqlrun.errors import SqlrunError

models_app = typer.Typer(help="Models: CREATE MODEL files in the catalog, trained locally or on Redshift.",
                         no_args_is_help=True)


@models_app.command("list")
def list_models(project: ProjectOpt = None) -> None:
    """Every model: name, engine, state, type, target, metrics, trained at."""
    from rich.table import Table

    table = Table("name", "engine", "state", "type", "target", "function", "metrics", "trained at")
    for row in model_rows(open_session(project).models):
        table.add_row(*(text(row.get(k) or "") for k in (
            "name", "engine", "state", "type", "target", "function", "metrics", "trained_at")))
    out.print(table)


@models_app.command("show")
def show_model(name: Annotated[str, typer.Argument(help="Model or catalog name.")], project: ProjectOpt = None) -> None:
    """The model's spec and, once trained, its features, metrics and training record (JSON)."""
    models = open_session(project).models
    query = models.query_for(name)
    stored = models.trained(query)
    record = stored.meta if stored else {"spec": models.spec(query).__dict__, "state": "NOT TRAINED"}
    remote = models.store.remote(models.spec(query).name)
    if remote:
        record = {**record, "redshift": remote}
    typer.echo(json.dumps(_strict(record), indent=2, default=str))


def _strict(value):
    """Valid JSON: NaN and infinite metrics as the strings "NaN", "Infinity", "-Infinity" (as --format json)."""
    from sqlrun.output import json_float

    if isinstance(value, float):
        return json_float(value)
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value


@models_app.command("train")
def train_model(
    name: Annotated[str, typer.Argument(help="Model or catalog name.")],
    engine: EngineOpt = None,
    param: ParamOpt = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Retrain (and recompute steps) even if fresh.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Redshift: drop and recreate a changed model.")] = False,
    project: ProjectOpt = None,
) -> None:
    """Train NAME locally, or CREATE MODEL on Redshift and wait for it (same as `sqlrun run NAME`)."""
    from sqlrun.output import render_table

    with open_session(project) as session:
        query = session.models.query_for(name)
        session.models.progress = lambda message: err.print(message, highlight=False)
        engine = engine or session.project.engine
        with progress(f"training {query.name} on {engine}"):
            table = session.run(query, engine, parse_params(param), refresh, step_printer(query.name), replace=replace)
    out.print(render_table(table, f"{query.name} on {engine}", 5))


@models_app.command("evaluate")
def evaluate_model(
    name: Annotated[str, typer.Argument(help="Model or catalog name.")],
    on: Annotated[str, typer.Option("--on", help="Catalog query with the held-out rows (features + target).")],
    engine: EngineOpt = None,
    pr_curve: Annotated[
        Optional[Path], typer.Option("--pr-curve", help="Write the PR/ROC curve here (.parquet or .csv).")
    ] = None,
    project: ProjectOpt = None,
) -> None:
    """Metrics of NAME on held-out rows, computed in SQL on the engine."""
    from sqlrun.evaluate import evaluate
    from sqlrun.output import check_output, write_result

    if pr_curve is not None:
        if str(pr_curve) == "-":
            raise SqlrunError("--pr-curve needs a file (.parquet, .csv or .json)")
        check_output(pr_curve, None)  # a bad place fails before the evaluation runs
    with open_session(project) as session:
        with progress(f"evaluating {name} on {on}"):
            result = evaluate(session, name, on, engine)
    for key, value in result.metrics.items():
        out.print(f"{key:>10}  {value:.6g}" if isinstance(value, float) else f"{key:>10}  {value}", highlight=False)
    if pr_curve is not None:
        if result.curve is None:
            raise SqlrunError(f"--pr-curve: a {result.problem_type} model has no PR curve")
        write_result(result.curve, pr_curve, None)
        err.print(f"wrote {result.curve.num_rows} curve points to {pr_curve}", highlight=False)
