"""A CREATE MODEL file run by a Session: sent to an engine that trains models itself, or its
training query run here and the model trained on the result. One summary row."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlrun.engine.models import redshift as redshift_models
from sqlrun.errors import NotSupported

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.api import Session
    from sqlrun.engine.catalog import Query
    from sqlrun.engine.pipeline import StepReport
    from sqlrun.engine.target import Target


def train_model(session: Session, query: Query, to: Target, params: dict[str, str], refresh: bool, replace: bool,
                on_step: Callable[[StepReport], None] | None) -> pa.Table:
    spec, training = session.models.spec(query), session.models.training_query(query)
    if to.adapter.TRAINS_MODELS:
        compiled = session.compile(training, to.name, params) if spec.training_sql else None
        statement = redshift_models.create_statement(query, spec, compiled)
        return redshift_models.create_on_redshift(session.models, query, spec, statement, replace)
    from sqlrun.engine.models.train import require_ml

    refuse_without_local_model(spec)
    require_ml()
    if spec.form == "BYOM_LOCAL":
        return session.models.store_byom(query, to.name)
    fingerprint, fresh = session.models.fresh(query, params)
    if fresh is not None and not refresh:
        return fresh
    started = time.perf_counter()
    table = session.run(training, to.name, params, refresh, on_step)
    return session.models.store_trained(query, to.name, fingerprint, table, time.perf_counter() - started)


def refuse_without_local_model(spec) -> None:
    """One line for a model form that has no local model (BYOM remote, FORECAST)."""
    from sqlrun.engine.models.train import local_refusal

    refusal = local_refusal(spec)
    if refusal:
        raise NotSupported(refusal)
