"""scikit-learn models: LINEAR_LEARNER (linear / logistic regression) and KMEANS."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlrun.errors import CatalogError

if TYPE_CHECKING:
    import numpy as np

    from sqlrun.engine.models.spec import ModelSpec


@dataclass
class Trained:
    """A trained model: its JSON form (what to_sql compiles) and the library's own artifact."""

    model: dict
    artifact: bytes
    artifact_name: str  # booster.json | model.pkl
    metrics: dict
    rows: int


def complete(x: np.ndarray):
    """Rows without a missing feature: linear models and k-means take no NULLs (SQL gives NULL)."""
    import numpy as np

    return ~np.isnan(x).any(axis=1)


def train_linear(spec: ModelSpec, x, y, fit, problem: str, common: dict) -> Trained:
    from sklearn.linear_model import LogisticRegression, Ridge


    rows = fit[complete(x[fit])]
    if len(rows) < 2:
        raise CatalogError("LINEAR_LEARNER: fewer than 2 training rows without a NULL feature")
    wd = float(spec.hyperparameter("WD", "0") or 0)
    if problem == "REGRESSION":
        estimator = Ridge(alpha=wd) if wd else Ridge(alpha=0.0, solver="svd")
        estimator.fit(x[rows], y[rows])
        coef, intercept, link = [list(map(float, estimator.coef_))], [float(estimator.intercept_)], "identity"
    else:
        estimator = LogisticRegression(C=1.0 / wd if wd else 1.0, max_iter=int(spec.hyperparameter("EPOCHS", "1000")))
        estimator.fit(x[rows], y[rows])
        coef = [list(map(float, row)) for row in estimator.coef_]
        intercept = [float(v) for v in estimator.intercept_]
        link = "logistic" if len(coef) == 1 else "softmax"
    model = {"kind": "linear", "link": link, "coef": coef, "intercept": intercept,
             "objective": spec.objective or "", **common}
    return Trained(model, pickle.dumps(estimator), "model.pkl", {}, 0)


def train_kmeans(spec: ModelSpec, x, features: list[str], seed: int) -> Trained:
    from sklearn.cluster import KMeans


    rows = x[complete(x)]
    k = int(spec.hyperparameter("K"))
    if len(rows) < k:
        raise CatalogError(f"KMEANS: K={k} clusters but only {len(rows)} rows without a NULL feature")
    estimator = KMeans(n_clusters=k, n_init=10, random_state=seed,
                       max_iter=int(spec.hyperparameter("MAX_ITERATIONS", "300")))
    estimator.fit(rows)
    model = {"kind": "kmeans", "features": features, "problem_type": "CLUSTERING", "classes": [], "target": None,
             "centroids": [list(map(float, c)) for c in estimator.cluster_centers_]}
    return Trained(model, pickle.dumps(estimator), "model.pkl", {"inertia": float(estimator.inertia_)}, len(rows))


def sklearn_scores(estimator, model: dict, x):
    """What the estimator itself predicts: P(class 1) / class probabilities, a value, or a cluster."""
    import numpy as np

    out = np.full(len(x), np.nan) if model["kind"] != "linear" or model["link"] != "softmax" else None
    ok = complete(x)
    if model["kind"] == "kmeans":
        out[ok] = estimator.predict(x[ok])
        return out
    if model["link"] == "identity":
        out[ok] = estimator.predict(x[ok])
        return out
    probabilities = np.full((len(x), len(estimator.classes_)), np.nan)
    probabilities[ok] = estimator.predict_proba(x[ok])
    return probabilities[:, 1] if model["link"] == "logistic" else probabilities
