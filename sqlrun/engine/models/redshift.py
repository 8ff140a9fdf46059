"""CREATE MODEL on Redshift: send it, poll SHOW MODEL until READY or FAILED, idempotently.

Redshift has no CREATE OR REPLACE MODEL. The statement sent (training query compiled for
Redshift) is fingerprinted and recorded in the model store; an unchanged model is left
alone, a changed one is dropped and recreated only with `replace`.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING

from sqlrun.engine.models.spec import ModelSpec
from sqlrun.errors import CatalogError, EngineError

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.engine.catalog import Query
    from sqlrun.engine.models.catalog import ModelCatalog

DONE = ("READY", "FAILED")


def create_statement(query: Query, spec: ModelSpec, training: str | None) -> str:
    """The CREATE MODEL statement as written in the file (comments and a final ';' aside), with
    one substitution: the training query in FROM, compiled for Redshift (`training`). A FROM
    table_name stays as written unless compiling changed it (a source mapped to another table)."""
    start, end = spec.statement
    text = query.sql[start:end]
    if training is None or spec.from_span is None or spec.byom_source is not None:
        return text
    lo, hi = spec.from_span[0] - start, spec.from_span[1] - start
    if spec.source_table is not None:
        if " ".join(training.split()).lower() == f"select * from {spec.source_table}".lower():
            return text
        return text[:lo] + "(\n" + _indent(training) + "\n)" + text[hi:]
    return text[:lo] + "\n" + _indent(training) + "\n" + text[hi:]


def _indent(sql: str) -> str:
    return "\n".join("  " + line for line in sql.splitlines())


def _engine(models: ModelCatalog):
    """A Redshift engine that runs statements without a cursor (SHOW MODEL cannot be DECLAREd)."""
    from sqlrun.adapters import create_engine

    if models._redshift is None:
        settings = dict(models.project.engine_settings("redshift"))
        if settings.get("transport", "wire") == "wire":
            settings["server_cursor"] = False
        models._redshift = create_engine("redshift", settings)
    return models._redshift


def show_model(engine, name: str) -> dict[str, str] | None:
    """SHOW MODEL as {key: value}, or None when there is no such model."""
    try:
        table = engine.to_arrow(f"SHOW MODEL {name}")
    except EngineError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    keys, values = table.columns[0].to_pylist(), table.columns[1].to_pylist()
    return {str(k).strip(): "" if v is None else str(v).strip() for k, v in zip(keys, values)}


def _reason(shown: dict[str, str]) -> str:
    reasons = [f"{k}: {v}" for k, v in shown.items() if "reason" in k.lower() or "error" in k.lower()]
    return "; ".join(reasons) or "no reason given by SHOW MODEL"


def create_on_redshift(models: ModelCatalog, query: Query, spec: ModelSpec, statement: str,
                       replace: bool) -> pa.Table:
    """Send `statement` (create_statement) unless Redshift has that model already; wait for it."""
    import pyarrow as pa

    fingerprint = hashlib.sha256(statement.encode()).hexdigest()
    engine = _engine(models)
    record = models.store.remote(spec.name)
    shown = show_model(engine, spec.name)
    same = record is not None and record.get("fingerprint") == fingerprint
    if shown is not None:
        state = shown.get("Model State", "?")
        if same and state == "READY":
            return pa.Table.from_pylist([_row(spec, "unchanged", shown)])
        if not (same and state not in DONE):  # unchanged and still training: just wait for it
            if not replace:
                why = "failed" if same else "has a different spec or training query (or was not created by sqlrun)"
                raise CatalogError(
                    f"{query.path}: model {spec.name} already exists on Redshift and {why};"
                    f" `sqlrun run {query.name} --engine redshift --replace` drops and recreates it"
                )
            engine.execute(f"DROP MODEL {spec.name}")
            shown = None
    if shown is None:
        engine.execute(statement)
        record = {"fingerprint": fingerprint, "state": "TRAINING",
                  "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "statement": statement}
        models.store.write_remote(spec.name, record)
    shown = _wait(models, engine, spec)
    models.store.write_remote(spec.name, {**(record or {}), "fingerprint": fingerprint, "state": shown["Model State"]})
    if shown["Model State"] == "FAILED":
        raise EngineError(f"redshift: model {spec.name} FAILED: {_reason(shown)}")
    return pa.Table.from_pylist([_row(spec, "created", shown)])


def _wait(models: ModelCatalog, engine, spec: ModelSpec) -> dict[str, str]:
    started = time.monotonic()
    while True:
        shown = show_model(engine, spec.name)
        if shown is None:
            raise EngineError(f"redshift: model {spec.name} disappeared while training")
        state = shown.get("Model State", "?")
        models.progress(f"  {spec.name}: {state} ({time.monotonic() - started:.0f} s)")
        if state in DONE:
            return shown
        time.sleep(models.poll_seconds)


def _row(spec: ModelSpec, action: str, shown: dict[str, str]) -> dict:
    return {"name": spec.name, "engine": "redshift", "action": action, "state": shown.get("Model State", "?"),
            "function": spec.function}


def dry_run(spec: ModelSpec, statement: str) -> list[str]:
    return [f"SHOW MODEL {spec.name}", statement, f"SHOW MODEL {spec.name}"]
