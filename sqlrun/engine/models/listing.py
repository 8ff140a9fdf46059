"""The project's models as rows: what `sqlrun models` and SHOW MODEL ALL print."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlrun.digest import digest
from sqlrun.engine.versions import Damaged
from sqlrun.errors import CatalogError, CompileError

if TYPE_CHECKING:
    from sqlrun.engine.models.catalog import ModelCatalog


def model_rows(models: ModelCatalog) -> list[dict]:
    """One row per model (SHOW MODEL ALL, `sqlrun models`): its state, and where it is trained."""
    rows = []
    for name, query in sorted(models.model_queries().items()):
        try:
            spec = models.spec(query)
        except (CompileError, CatalogError) as exc:
            rows.append({"name": name, "engine": "", "state": "INVALID", "detail": str(exc)})
            continue
        try:
            stored = models.store.current(spec.name)
        except Damaged as exc:
            rows.append({"name": spec.name, "engine": "", "state": "DAMAGED", "type": spec.model_type or "AUTO",
                         "target": spec.target, "function": spec.function,
                         "metrics": f"{exc}: retrain with `sqlrun run {name}`"})
            continue
        if stored is not None:
            state = "READY" if stored.meta["statement"] == digest(query.sql) else "STALE"
            rows.append({**summary(stored.meta, state), "type": stored.meta["model_type"]})
        else:
            rows.append({"name": spec.name, "engine": "", "state": "NOT TRAINED",
                         "type": spec.model_type or "AUTO", "target": spec.target, "function": spec.function})
        remote = models.store.remote(spec.name)
        if remote:
            rows.append({"name": spec.name, "engine": "redshift", "state": remote.get("state", "?"),
                         "type": spec.model_type or "AUTO", "target": spec.target,
                         "function": spec.function, "trained_at": remote.get("created_at", "")})
    return rows




def summary(meta: dict, state: str) -> dict:
    metrics = ", ".join(f"{k}={v:.4g}" for k, v in meta.get("metrics", {}).items())
    return {
        "name": meta["name"], "engine": meta["engine"], "state": state, "type": meta["model_type"],
        "problem_type": meta["problem_type"], "target": meta["target"], "function": meta["function"],
        "rows": meta["rows"], "metrics": metrics, "trained_at": meta["trained_at"],
        "train_seconds": meta["train_seconds"],
    }
