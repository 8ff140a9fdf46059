"""Local training: the closest local equivalent of a CREATE MODEL spec.

XGBOOST and AUTO train an XGBoost booster (xgboost-cpu), LINEAR_LEARNER a scikit-learn
linear model, MLP a small scikit-learn perceptron (mlp.py), KMEANS scikit-learn's k-means.
The result is kept twice: the library's own artifact (to check predictions against) and a
plain JSON form that `to_sql` compiles into SQL, so scoring needs no ML library at all.

Local defaults are smaller than SageMaker's (NUM_ROUND 50, MAX_DEPTH 4) because every tree
becomes a CASE expression in each query that calls the function.
"""

from __future__ import annotations

import json
import math
import pickle
from typing import TYPE_CHECKING

from sqlrun.engine.models.local import Trained
from sqlrun.engine.models.spec import ModelSpec
from sqlrun.errors import CatalogError, NotSupported, SqlrunError

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

DEFAULT_ROUNDS = 50
DEFAULT_DEPTH = 4
HOLDOUT = 0.2  # like Redshift ML, a share of the rows is kept back to report a validation metric
MULTICLASS_MAX_DISTINCT = 20
XGB_PARAMS = {  # Redshift hyperparameter -> xgboost parameter
    "MAX_DEPTH": ("max_depth", int), "ETA": ("eta", float), "GAMMA": ("gamma", float),
    "MIN_CHILD_WEIGHT": ("min_child_weight", float), "SUBSAMPLE": ("subsample", float),
    "COLSAMPLE_BYTREE": ("colsample_bytree", float), "COLSAMPLE_BYLEVEL": ("colsample_bylevel", float),
    "COLSAMPLE_BYNODE": ("colsample_bynode", float), "LAMBDA": ("lambda", float), "ALPHA": ("alpha", float),
    "MAX_DELTA_STEP": ("max_delta_step", float), "SCALE_POS_WEIGHT": ("scale_pos_weight", float),
    "MAX_BIN": ("max_bin", int), "TREE_METHOD": ("tree_method", str),
}


class MissingML(SqlrunError):
    """The ML extra is not installed."""


def require_ml() -> None:
    try:
        import sklearn  # noqa: F401
        import xgboost  # noqa: F401
    except ImportError:
        raise MissingML("training models needs the ml extra: pip install 'sqlrun[ml]' (xgboost-cpu, scikit-learn)") \
            from None


def problem_type(spec: ModelSpec, target: pa.ChunkedArray) -> str:
    """PROBLEM_TYPE as given, or inferred from the target like Redshift Autopilot does."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if spec.problem_type:
        return spec.problem_type
    objective = (spec.objective or "").lower()
    if objective.startswith("binary:") or objective in ("auc", "f1"):
        return "BINARY_CLASSIFICATION"
    if objective.startswith("multi:") or objective == "f1macro":
        return "MULTICLASS_CLASSIFICATION"
    if objective.startswith("reg:") or objective == "mse":
        return "REGRESSION"
    distinct = pc.count_distinct(target).as_py()
    if distinct == 2:
        return "BINARY_CLASSIFICATION"
    numeric = pa.types.is_integer(target.type) or pa.types.is_floating(target.type) or pa.types.is_decimal(target.type)
    if not numeric:
        return "MULTICLASS_CLASSIFICATION"
    if pa.types.is_integer(target.type) and distinct <= MULTICLASS_MAX_DISTINCT:
        return "MULTICLASS_CLASSIFICATION"
    return "REGRESSION"


def feature_matrix(table: pa.Table, features: list[str]) -> np.ndarray:
    """Numeric features as float64, NULL as NaN (XGBoost's missing value)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for name in features:
        column = table[name]
        if pa.types.is_boolean(column.type):
            column = pc.cast(column, pa.int8())
        if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
                or pa.types.is_decimal(column.type)):
            raise CatalogError(
                f"feature '{name}' is {column.type}: local training takes numeric features"
                " (encode it in the training query, e.g. CASE WHEN ... THEN 1 ELSE 0 END)"
            )
        columns.append(pc.fill_null(pc.cast(column, pa.float64()), math.nan).to_numpy(zero_copy_only=False))
    return np.column_stack(columns) if columns else np.empty((table.num_rows, 0))


def local_refusal(spec: ModelSpec) -> str | None:
    """Why this form has no local model (one line saying what to do), or None."""
    if spec.form == "BYOM_REMOTE":
        return (f"model {spec.name} is BYOM remote inference: its function calls the SageMaker endpoint"
                f" {spec.sagemaker}, which only Redshift reaches; run it with -e redshift")
    if spec.form == "FORECAST":
        return (f"model {spec.name} is MODEL_TYPE FORECAST: Amazon Forecast trains it and SELECT FORECAST(...)"
                " reads it, only on Redshift; run it with -e redshift")
    return None


def target_column(spec: ModelSpec, names: list[str]) -> str | None:
    """The training query's column that TARGET names: Redshift folds unquoted names, so case
    does not matter unless the name was quoted and differs only in case from another."""
    if spec.target is None:
        return None
    if spec.target in names:
        return spec.target
    folded = [n for n in names if n.lower() == spec.target.lower()]
    if len(folded) != 1:
        raise CatalogError(
            f"TARGET column '{spec.target}' is not in the training query's columns ({', '.join(names)})")
    return folded[0]


def train(spec: ModelSpec, table: pa.Table) -> Trained:
    """Train on the training query's result (all columns but TARGET are features, in order)."""
    import numpy as np

    from sqlrun.engine.models import features as encoding
    from sqlrun.engine.models.explain import global_shap

    require_ml()
    refusal = local_refusal(spec)
    if refusal:
        raise NotSupported(refusal)
    names = table.column_names
    target_name = target_column(spec, names)
    inputs = [n for n in names if n != target_name]
    if not inputs:
        raise CatalogError("the training query has no feature columns besides the TARGET")
    seed = int(spec.hyperparameter("SEED", "0"))
    if spec.model_type == "KMEANS":
        from sqlrun.engine.models.local import train_kmeans

        encoders = encoding.fit(spec, table, inputs)
        trained = train_kmeans(spec, encoding.matrix(encoders, table), encoding.feature_names(encoders), seed)
        trained.model["inputs"] = encoders
        return trained
    target = table[target_name]
    if target.null_count:
        table = table.filter(table[target_name].is_valid())
        target = table[target_name]
    if table.num_rows < 10:
        raise CatalogError(f"the training query returned {table.num_rows} labelled rows; at least 10 are needed")
    problem = problem_type(spec, target)
    encoders = encoding.fit(spec, table, inputs)
    x = encoding.matrix(encoders, table)
    features = encoding.feature_names(encoders)
    classes: list = []
    if problem == "REGRESSION":
        y = feature_matrix(table, [target_name])[:, 0]
    else:
        values = target.to_pylist()
        classes = sorted(set(values))
        if problem == "BINARY_CLASSIFICATION" and len(classes) != 2:
            raise CatalogError(
                f"BINARY_CLASSIFICATION needs a target with 2 values; '{target_name}' has {len(classes)}"
            )
        index = {c: i for i, c in enumerate(classes)}
        y = np.array([index[v] for v in values], dtype=np.float64)
    order = np.random.default_rng(seed).permutation(len(y))
    cut = max(1, int(len(y) * HOLDOUT))
    test, fit = order[:cut], order[cut:]
    common = {"features": features, "inputs": encoders, "problem_type": problem, "classes": classes,
              "target": target_name}
    if spec.model_type == "LINEAR_LEARNER":
        from sqlrun.engine.models.local import train_linear

        trained = train_linear(spec, x, y, fit, problem, common)
    elif spec.model_type == "MLP":
        from sqlrun.engine.models.mlp import train_mlp

        trained = train_mlp(x, y, fit, problem, common, seed)
    else:
        trained = _train_xgboost(spec, x, y, fit, problem, common, seed)
    trained.model["explanation"] = global_shap(trained, x[fit])  # EXPLAIN_MODEL's report
    trained.metrics = validation_metrics(problem, y[test], predict_native(trained, x[test]))
    trained.rows = len(y)
    return trained


def _objective(spec: ModelSpec, problem: str) -> tuple[str, str]:
    """(objective to train with, objective to report): multi:softmax trains as softprob."""
    given = (spec.objective or "").lower()
    if given in ("", "mse", "accuracy", "f1", "f1macro", "auc"):
        given = {"REGRESSION": "reg:squarederror", "BINARY_CLASSIFICATION": "binary:logistic"}.get(
            problem, "multi:softprob"
        )
    return ("multi:softprob" if given == "multi:softmax" else given), given


def _train_xgboost(spec, x, y, fit, problem, common, seed) -> Trained:
    import xgboost as xgb

    objective, reported = _objective(spec, problem)
    params = {"objective": objective, "max_depth": DEFAULT_DEPTH, "nthread": 2, "seed": seed, "tree_method": "hist"}
    for key, (name, kind) in XGB_PARAMS.items():
        if spec.hyperparameter(key) is not None:
            params[name] = kind(spec.hyperparameter(key))
    if objective == "multi:softprob":
        given = spec.hyperparameter("NUM_CLASS")
        params["num_class"] = int(given) if given else len(common["classes"])
        if params["num_class"] < len(common["classes"]):
            raise CatalogError(f"NUM_CLASS {params['num_class']} is less than the {len(common['classes'])} classes")
    rounds = int(spec.hyperparameter("NUM_ROUND", str(DEFAULT_ROUNDS)))
    dtrain = xgb.DMatrix(x[fit], label=y[fit], feature_names=common["features"], missing=math.nan)
    booster = xgb.train(params, dtrain, num_boost_round=rounds)
    model = {"kind": "trees", **booster_model(booster), "objective": reported, **common}
    del model["objective_name"]
    return Trained(model, bytes(booster.save_raw("json")), "booster.json", {}, 0)


def booster_model(booster) -> dict:
    """The booster's trees, base margin and objective, from XGBoost's own JSON model (what to_sql compiles)."""
    text = bytes(booster.save_raw("json"))
    learner = json.loads(text)["learner"]
    gbm = learner["gradient_booster"]["model"]
    objective = learner["objective"]["name"]
    groups = max(1, int(learner["learner_model_param"].get("num_class", "0")))
    trees = []
    for tree, group in zip(gbm["trees"], gbm["tree_info"]):
        trees.append({
            "group": group, "feature": tree["split_indices"], "threshold": tree["split_conditions"],
            "left": tree["left_children"], "right": tree["right_children"], "default_left": tree["default_left"],
        })
    return {"base_margin": base_margins(text, groups), "groups": groups, "trees": trees, "objective_name": objective}


def base_margins(text: bytes, groups: int) -> list[float]:
    """XGBoost's base margin per output, the float32 it adds the trees to (its own link of
    base_score, computed in float32): the margins of a copy of the model whose leaves are all 0."""
    import numpy as np
    import xgboost as xgb

    zeroed = json.loads(text)  # the booster's JSON model
    for tree in zeroed["learner"]["gradient_booster"]["model"]["trees"]:
        tree["split_conditions"] = [0.0 if left == -1 else value
                                    for left, value in zip(tree["left_children"], tree["split_conditions"])]
    booster = xgb.Booster()
    booster.load_model(bytearray(json.dumps(zeroed).encode()))
    row = np.full((1, booster.num_features()), np.nan)
    margins = booster.inplace_predict(row, predict_type="margin", missing=np.nan).reshape(-1)
    return [float(v) for v in np.resize(margins, groups)]


def predict_native(trained: Trained, x: np.ndarray) -> np.ndarray:
    """The library's own predictions: a class index or value per row (scores: see native_scores)."""
    import numpy as np

    scores = native_scores(trained, x)
    model = trained.model
    if model["kind"] == "kmeans" or model["problem_type"] == "REGRESSION":
        return scores
    if scores.ndim == 2:
        return scores.argmax(axis=1).astype(np.float64)
    if model.get("objective") == "binary:hinge":
        return scores
    return (scores > 0.5).astype(np.float64)


def native_scores(trained: Trained, x: np.ndarray) -> np.ndarray:
    """booster.predict / estimator output: P(class 1), class probabilities, a value or a cluster."""
    if trained.artifact_name == "booster.json":
        import xgboost as xgb

        booster = xgb.Booster()
        booster.load_model(bytearray(trained.artifact))
        return booster.predict(xgb.DMatrix(x, feature_names=trained.model["features"], missing=math.nan))
    from sqlrun.engine.models.local import sklearn_scores

    return sklearn_scores(pickle.loads(trained.artifact), trained.model, x)


def validation_metrics(problem: str, y, predicted) -> dict:
    import numpy as np

    if len(y) == 0 or problem == "CLUSTERING":
        return {}
    if problem == "REGRESSION":
        mse = float(np.mean((y - predicted) ** 2))
        return {"validation_mse": mse, "validation_rmse": math.sqrt(mse)}
    return {"validation_accuracy": float(np.mean(y == predicted))}
