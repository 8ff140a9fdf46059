"""EXPLAIN_MODEL('schema.model') locally, in Redshift's shape:

    {"version": "1.0", "explanations": {"kernel_shap": {"label0": {"global_shap_values":
        {"<argument>": <mean |SHAP|>, ...}, "expected_value": <mean prediction>}}}}

Redshift computes Kernel SHAP with SageMaker Clarify; locally the library's own contributions are
used, once, when the model is trained: XGBoost's exact TreeSHAP (`pred_contribs=True`), and for
linear models their exact SHAP values w * (x - mean x). Both are in the model's raw units (log-odds
for a classifier). A function argument encoded as several features (one-hot, date parts) gets the
sum of its features' contributions; a multiclass model has one labelN per class. The reference:
"The EXPLAIN_MODEL function currently supports only the AUTO ON or AUTO OFF XGBoost models."
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sqlglot import exp

from sqlrun.engine.models import names, structs
from sqlrun.engine.parse import fail
from sqlrun.errors import CatalogError, CompileError

if TYPE_CHECKING:
    import numpy as np

    from sqlrun.engine.catalog import Query
    from sqlrun.engine.models.catalog import ModelCatalog
    from sqlrun.engine.models.local import Trained
    from sqlrun.engine.models.store import StoredModel
    from sqlrun.engine.target import Target

VERSION = "1.0"
SHAP_ROWS = 2000


def global_shap(trained: Trained, x: np.ndarray) -> list[dict] | None:
    """Per output: each argument's mean |SHAP| over the training rows and the expected value;
    None for a model sqlrun cannot explain (MLP, k-means, brought models)."""
    import numpy as np

    model = trained.model
    if model["kind"] == "trees" and trained.artifact_name == "booster.json":
        # TreeSHAP costs trees x leaves x depth^2 per row: 200 trees of depth 8 took minutes on
        # 100k rows. The means are taken over SHAP_ROWS evenly spaced training rows.
        contributions = _tree_contributions(trained, x[::-(-len(x) // SHAP_ROWS)] if len(x) > SHAP_ROWS else x)
    elif model["kind"] == "linear" and "hidden" not in model:
        contributions = _linear_contributions(model, x)
    else:
        return None
    if contributions.ndim == 2:
        contributions = contributions[:, None, :]  # one output
    inputs = _inputs(model)
    explained = []
    for output in range(contributions.shape[1]):
        values = contributions[:, output, :]
        per_argument = {}
        for name, columns in inputs.items():
            summed = values[:, columns].sum(axis=1)
            per_argument[name] = float(np.mean(np.abs(summed))) if len(summed) else 0.0
        expected = float(np.mean(values[:, -1])) if len(values) else math.nan
        explained.append({"global_shap_values": per_argument, "expected_value": expected})
    return explained


def _inputs(model: dict) -> dict[str, list[int]]:
    """Function argument -> the feature columns it is encoded as (features.py names them `arg#i`)."""
    inputs: dict[str, list[int]] = {}
    for i, feature in enumerate(model["features"]):
        inputs.setdefault(feature.split("#")[0], []).append(i)
    return inputs


def _tree_contributions(trained: Trained, x: np.ndarray) -> np.ndarray:
    import xgboost as xgb

    booster = xgb.Booster()
    booster.load_model(bytearray(trained.artifact))
    matrix = xgb.DMatrix(x, feature_names=trained.model["features"], missing=math.nan)
    return booster.predict(matrix, pred_contribs=True)


def _linear_contributions(model: dict, x: np.ndarray) -> np.ndarray:
    """Exact SHAP of a linear model (features taken as independent): w * (x - mean), the bias
    column w . mean + b; rows with a NULL feature are left out, as the model scores them NULL."""
    import numpy as np

    rows = x[~np.isnan(x).any(axis=1)]
    mean = rows.mean(axis=0) if len(rows) else np.zeros(x.shape[1])
    out = []
    for weights, bias in zip(model["coef"], model["intercept"]):
        w = np.array(weights)
        bias_column = np.full((len(rows), 1), float(w @ mean + bias))
        out.append(np.hstack([(rows - mean) * w, bias_column]))
    return np.stack(out, axis=1)


def report(explained: list[dict]) -> dict:
    """EXPLAIN_MODEL's value (structs.py places it)."""
    labels = {f"label{i}": {"global_shap_values": dict(e["global_shap_values"]), "expected_value": e["expected_value"]}
              for i, e in enumerate(explained)}
    return {"version": VERSION, "explanations": {"kernel_shap": labels}}


def calls(tree: exp.Expression) -> list[exp.Anonymous]:
    return [n for n in tree.find_all(exp.Anonymous) if n.name.lower() == "explain_model"]


def named(models: ModelCatalog, node: exp.Anonymous) -> Query | None:
    """The catalog model EXPLAIN_MODEL('schema.model') names (None: not one of the catalog's)."""
    arg = node.expressions[0] if len(node.expressions) == 1 else None
    if not (isinstance(arg, exp.Literal) and arg.is_string):
        return None
    by_name = {}
    for query in models.model_queries().values():
        try:
            by_name[models.spec(query).name] = query
        except (CompileError, CatalogError):
            continue
    found = names.model_name(arg.this, list(by_name))
    return by_name[found] if found else None


def place(models: ModelCatalog, query: Query, node: exp.Anonymous, target: Target) -> None:
    """EXPLAIN_MODEL(...) as the stored report (kept as a call for an engine training models itself)."""
    arg = node.expressions[0] if len(node.expressions) == 1 else None
    if not (isinstance(arg, exp.Literal) and arg.is_string):
        raise fail(query, node, target.name, "EXPLAIN_MODEL takes the model's name as a string:"
                   " EXPLAIN_MODEL('schema_name.model_name')")
    if target.adapter.TRAINS_MODELS:
        node.meta["sqlrun_model"] = arg.this  # Redshift explains its own model
        return
    try:
        declared = named(models, node)
    except names.Ambiguous as exc:
        raise fail(query, node, target.name, str(exc)) from None
    if declared is None:
        raise fail(query, node, target.name, f"EXPLAIN_MODEL: no model {arg.this} in the catalog")
    stored = models.current(query, node, declared, target.name)
    explained = stored.model().get("explanation")
    if explained is None:
        raise fail(query, node, target.name, _unexplained(stored))
    structs.placed(query, node, node, lambda: report(explained), target)


def _unexplained(stored: StoredModel) -> str:
    model = stored.model()
    if model["kind"] in ("trees", "linear") and "hidden" not in model and stored.meta["model_type"] != "BYOM":
        return (f"EXPLAIN_MODEL: model {stored.name} was trained before sqlrun kept explanations:"
                f" retrain it with `sqlrun run {stored.meta['query']} --refresh`")
    return (f"EXPLAIN_MODEL: model {stored.name} ({stored.meta['model_type']}) has no explanation locally: sqlrun"
            " explains XGBoost and linear models (the reference: \"The EXPLAIN_MODEL function currently supports"
            " only the AUTO ON or AUTO OFF XGBoost models.\")")
