"""Compiled models, kept: a model's SQL for an engine is built once per stored version.

Beside the model's versions, `<models>/<name>/sql-<engine>-<kind>.json` holds the last SQL
compiled for that engine, with the version, the encoding (to_sql.ENCODING) and the tree
layout it was built for; a retrained model (a new version) or a new encoding rebuilds it.
The process keeps what it read too, so a pipeline calling a model in several steps reads it once.

The file is part of the project's store, but its text goes into queries unparsed, so it is
checked before use: its digest, and only the words and characters to_sql writes (no quotes, no
comments). Anything else (a damaged or edited file) is rebuilt from the model. A cache that
cannot be written is not an error.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from sqlrun.digest import digest
from sqlrun.engine.models import to_sql
from sqlrun.engine.models.trees_sql import Layout
from sqlrun.errors import SqlrunError

if TYPE_CHECKING:
    from sqlrun.engine.models.store import ModelStore, StoredModel

# The words to_sql writes, once digits and signs are spaces ("e" of exponents, the placeholders' parts).
WORDS = {"CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "AS", "REAL", "DOUBLE", "TINYINT", "SMALLINT", "INT", "AND",
         "OR", "IS", "NOT", "NULL", "EXP", "GREATEST", "element_at", "array", "list_position", "list_max", "e",
         "__sqlrun_arg_", "__sqlrun_label_", "__", "sqlrun_model_"}
_PUNCTUATION = b"0123456789.+-*/<>=(),[]"
_SPACES = bytes.maketrans(_PUNCTUATION, b" " * len(_PUNCTUATION))
_WORDS = {w.encode() for w in WORDS}
_MEMORY: dict[tuple, to_sql.Template] = {}
_MEMORY_SIZE = 8  # templates are megabytes


def template(store: ModelStore, stored: StoredModel, engine: str, layout: Layout, kind: str) -> to_sql.Template:
    """The model's SQL for `engine` (`kind`: to_sql.compile_model's): from this process, from
    the file, or compiled (and kept)."""
    key = (str(stored.path), engine, kind, layout)
    if key in _MEMORY:
        return _MEMORY[key]
    header = {"version": stored.path.name, "encoding": to_sql.ENCODING, "trees": layout.trees, "sums": layout.sums,
              "dialect": layout.dialect, "function": layout.function}
    file = f"sql-{engine}-{kind}.json"
    found = _valid(store.versions.read_json(stored.name, file), header)
    if found is None:
        found = to_sql.compile_model(_model(stored, layout), kind, layout)
        body = {"sqls": list(found.sqls), "depth": found.depth, "labels": list(found.labels), "info": found.info}
        try:
            store.versions.write_json(stored.name, file, {**header, **body, "digest": _digest(body)})
        except (OSError, SqlrunError):
            pass  # a read-only store still scores, compiling each time
    if len(_MEMORY) >= _MEMORY_SIZE:
        _MEMORY.pop(next(iter(_MEMORY)))
    _MEMORY[key] = found
    return found


def _model(stored: StoredModel, layout: Layout) -> dict:
    """The stored model, a booster's base margins read from it (the float32s XGBoost adds its
    trees to; models trained before they were kept so hold the double they approximate)."""
    model = stored.model()
    if not layout.function and model.get("kind") == "trees" and stored.meta.get("artifact") == "booster.json":
        from sqlrun.engine.models.train import base_margins

        model = {**model, "base_margin": base_margins(stored.artifact()[1], model["groups"])}
    return model


def _digest(body: dict) -> str:
    """The record's digest; its megabytes of SQL hashed as bytes (as JSON they took 0.2 s)."""
    sqls = body["sqls"] if isinstance(body["sqls"], list) else []
    texts = [hashlib.sha256(sql.encode()).hexdigest() if isinstance(sql, str) else None for sql in sqls]
    return digest({**body, "sqls": texts})


def _valid(record: dict | None, header: dict) -> to_sql.Template | None:
    """The record's template, or None (another version, encoding or layout, or damaged)."""
    if record is None or any(record.get(k) != v for k, v in header.items()):
        return None
    body = {k: record.get(k) for k in ("sqls", "depth", "labels", "info")}
    if record.get("digest") != _digest(body):
        return None
    sqls, depth, labels, info = body.values()
    if not (isinstance(sqls, list) and sqls and all(isinstance(sql, str) for sql in sqls) and isinstance(depth, int)
            and isinstance(labels, list) and isinstance(info, dict)):
        return None
    if not all(isinstance(v, (str, int, float, bool)) for v in labels):
        return None
    # A character outside these stays in a word, and no such word is allowed.
    for sql in sqls:
        if "--" in sql or "/*" in sql or not set(sql.encode().translate(_SPACES).split()) <= _WORDS:
            return None
    return to_sql.Template(tuple(sqls), depth, tuple(labels), info)
