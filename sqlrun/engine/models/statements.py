"""SHOW MODEL name, SHOW MODEL ALL and DROP MODEL [IF EXISTS] name as catalog files.

On Redshift they are sent as written. Locally they read and change the model store: SHOW MODEL is
the stored model's record as Redshift's Key | Value rows (r_SHOW_MODEL and the XGBoost tutorial's
output), SHOW MODEL ALL the stored models as Schema Name | Model Name, DROP MODEL removes the
stored model (IF EXISTS: no error when there is none).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlrun.engine.models import names
from sqlrun.engine.versions import Damaged
from sqlrun.errors import CatalogError, CompileError

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.engine.catalog import Query
    from sqlrun.engine.models.catalog import ModelCatalog

_STATEMENT = re.compile(r"^\s*(SHOW|DROP)\s+MODEL\b", re.IGNORECASE)
MAX_RUNTIME = "5400"  # the reference's default


@dataclass(frozen=True)
class Statement:
    verb: str  # SHOW | DROP
    name: str | None  # None: SHOW MODEL ALL
    if_exists: bool
    text: str  # as written: no header comments, no final ';'


def _body(sql: str) -> str:
    """The statement without comment lines, trailing comments and the final ';'."""
    lines = [re.sub(r"\s--.*$", "", line) for line in sql.splitlines() if not line.strip().startswith("--")]
    return re.sub(r"[\s;]+$", "", "\n".join(lines)).strip()


def is_model_statement(sql: str) -> bool:
    return bool(_STATEMENT.match(_body(sql)))


_NAME = r'(?:"[^"]+"|[A-Za-z_][\w$]*)(?:\.(?:"[^"]+"|[A-Za-z_][\w$]*))?'
_FORMS = {
    "SHOW": re.compile(rf"SHOW\s+MODEL\s+(?P<name>{_NAME})", re.IGNORECASE),
    "DROP": re.compile(rf"DROP\s+MODEL\s+(?P<exists>IF\s+EXISTS\s+)?(?P<name>{_NAME})", re.IGNORECASE),
}


def parse(query: Query) -> Statement:
    text = _body(query.sql)
    verb = text.split()[0].upper()
    match = _FORMS[verb].fullmatch(text)
    if match is None:
        usage = "SHOW MODEL ( ALL | model_name )" if verb == "SHOW" else "DROP MODEL [ IF EXISTS ] model_name"
        raise CompileError(f"{query.path}: expected {usage}, one statement; found: {' '.join(text.split())[:200]}")
    name = match.group("name").replace('"', "")
    if verb == "SHOW" and name.upper() == "ALL":
        return Statement("SHOW", None, False, text)
    return Statement(verb, name, verb == "DROP" and bool(match.group("exists")), text)


def local_note(statement: Statement) -> str:
    done = "reads the local model store" if statement.verb == "SHOW" else "removes the model from the local store"
    return f"-- {statement.verb} MODEL {done}; nothing is sent"


def on_redshift(models: ModelCatalog, statement: Statement) -> pa.Table:
    """Send it as written (SHOW MODEL cannot be DECLAREd: no server-side cursor)."""
    import pyarrow as pa

    from sqlrun.engine.models.redshift import _engine

    engine = _engine(models)
    if statement.verb == "SHOW":
        return engine.to_arrow(statement.text)
    engine.execute(statement.text)
    return pa.Table.from_pylist([{"model": statement.name, "action": "DROP MODEL sent"}])


def run_locally(models: ModelCatalog, statement: Statement) -> pa.Table:
    import pyarrow as pa

    stored = _stored(models)
    if statement.name is None:
        rows = [{"Schema Name": names.split(n)[0] or "public", "Model Name": names.split(n)[1]} for n in stored]
        return pa.Table.from_pylist(rows, schema=pa.schema([("Schema Name", pa.string()), ("Model Name", pa.string())]))
    try:
        found = names.model_name(statement.name, stored)
    except names.Ambiguous as exc:
        raise CatalogError(str(exc)) from None
    if statement.verb == "DROP":
        if found is None and not statement.if_exists:
            raise CatalogError(f"model {statement.name} does not exist (no trained model of that name)")
        if found is not None:
            models.store.drop(found)
        return pa.Table.from_pylist([{"model": found or statement.name, "action": "dropped" if found else "none"}])
    if found is None:
        raise CatalogError(f"model {statement.name} does not exist: train it with `sqlrun run <its CREATE MODEL file>`")
    try:
        meta = models.store.current(found).meta
    except Damaged as exc:
        raise CatalogError(f"model {found} is damaged in the store ({exc}): retrain it, or DROP MODEL it") from None
    rows = [{"Key": k, "Value": v} for k, v in show_rows(meta)]
    return pa.Table.from_pylist(rows, schema=pa.schema([("Key", pa.string()), ("Value", pa.string())]))


def _stored(models: ModelCatalog) -> list[str]:
    """The models in the store (a damaged one too: SHOW MODEL says so, DROP MODEL removes it)."""
    found = []
    for name in models.store.names():
        try:
            if models.store.current(name) is None:
                continue  # dropped, or never trained
        except Damaged:
            pass
        found.append(name)
    return found


def show_rows(meta: dict) -> list[tuple[str, str]]:
    """A stored model's record in SHOW MODEL's order and words."""
    spec = meta.get("spec") or {}
    schema, name = names.split(meta["name"])
    settings = dict(spec.get("settings") or ())
    auto = spec.get("auto", True) and meta["model_type"] not in ("BYOM", "KMEANS")
    trained = time.strptime(meta["trained_at"], "%Y-%m-%dT%H:%M:%SZ")
    rows = [("Model Name", name), ("Schema Name", schema or "public"),
            ("Creation Time", time.strftime("%a, %d.%m.%Y %H:%M:%S", trained)), ("Model State", "READY")]
    rows += [(key.replace("_", ":", 1), f"{value:.6f}") for key, value in (meta.get("metrics") or {}).items()]
    rows += [("Trained On", f"{meta['engine']} (sqlrun, {meta['rows']} rows)"), ("", "")]
    if spec.get("byom_source"):
        rows += [("Model Source", spec["byom_source"]), ("Inference Type", "Local")]
    else:
        source = spec.get("source_table")
        rows += [("TRAINING DATA:", ""), ("Table" if source else "Query", source or meta.get("training_query", "")),
                 ("Target Column", (meta.get("target") or "").upper())]
    rows += [("", ""), ("PARAMETERS:", ""),
             ("Model Type", "auto" if auto and not spec.get("model_type") else meta["model_type"].lower())]
    if auto:
        rows += [("Problem Type", meta["problem_type"].lower()), ("Objective", (spec.get("objective") or "").lower())]
    rows += [("Function Name", meta["function"] or ""), ("Function Parameters", " ".join(meta["features"])),
             ("Function Parameter Types", " ".join(meta.get("arg_types") or []))]
    if spec.get("returns"):
        rows.append(("Function Return Type", spec["returns"].lower()))
    rows += [("IAM Role", spec.get("iam_role") or ""), ("S3 Bucket", settings.get("S3_BUCKET", ""))]
    if "KMS_KEY_ID" in settings:
        rows.append(("KMS Key", settings["KMS_KEY_ID"]))
    rows.append(("Max Runtime", settings.get("MAX_RUNTIME", MAX_RUNTIME)))
    if not spec.get("auto", True):
        hyper = [(k.lower(), v) for k, v in spec.get("hyperparameters") or ()]
        if spec.get("objective"):
            hyper.append(("objective", spec["objective"]))
        rows += [("", ""), ("HYPERPARAMETERS:", ""), *hyper]
    return rows
