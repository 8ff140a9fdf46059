"""MODEL_TYPE MLP locally: a small scikit-learn multilayer perceptron (one hidden ReLU layer) on
standardized features, stored as a linear model over its hidden units so to_sql compiles the
output layer (identity, logistic or softmax) like any linear model.

The standardization is folded into the hidden layer's weights; each hidden unit is SQL of its own,
`GREATEST(w . x + b, 0)`, NULL when an argument is NULL (the output is then NULL, as for linear
models). Redshift's MLP is Autopilot's, tuned there: this is the closest small local equivalent.
"""

from __future__ import annotations

import pickle
import warnings

from sqlglot import exp

from sqlrun.errors import CatalogError

HIDDEN_UNITS = 16
MAX_ITER = 500


def train_mlp(x, y, fit, problem: str, common: dict, seed: int):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sqlrun.engine.models.local import Trained, complete

    rows = fit[complete(x[fit])]
    if len(rows) < 2:
        raise CatalogError("MLP: fewer than 2 training rows without a NULL feature")
    kind = MLPRegressor if problem == "REGRESSION" else MLPClassifier
    net = kind(hidden_layer_sizes=(HIDDEN_UNITS,), max_iter=MAX_ITER, random_state=seed)
    pipeline = make_pipeline(StandardScaler(), net)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline.fit(x[rows], y[rows])
    scaler = pipeline[0]
    (w1, w2), (b1, b2) = net.coefs_, net.intercepts_
    scale = scaler.scale_
    hidden_w = w1 / scale[:, None]  # the scaler folded in: w . (x - mean) / scale
    hidden_b = b1 - (scaler.mean_ / scale) @ w1
    link = "identity" if problem == "REGRESSION" else ("logistic" if w2.shape[1] == 1 else "softmax")
    model = {
        "kind": "linear", "link": link, "coef": [list(map(float, col)) for col in w2.T],
        "intercept": [float(b) for b in b2], "objective": "",
        "hidden": {"coef": [list(map(float, col)) for col in hidden_w.T], "intercept": [float(b) for b in hidden_b]},
        **common,
    }
    return Trained(model, pickle.dumps(pipeline), "model.pkl", {}, 0)


def _number(value: float) -> exp.Expression:
    literal = exp.Literal.number(repr(abs(float(value))))
    return exp.Neg(this=literal) if value < 0 else literal


def hidden_sql(model: dict, args: list[exp.Expression]) -> list[exp.Expression]:
    """The hidden units as SQL over the (encoded) arguments: what the output layer reads."""
    any_null = None
    for arg in args:
        test = exp.Is(this=arg.copy(), expression=exp.Null())
        any_null = test if any_null is None else exp.Or(this=any_null, expression=test)
    units = []
    for weights, bias in zip(model["hidden"]["coef"], model["hidden"]["intercept"]):
        z: exp.Expression = _number(bias)
        for w, arg in zip(weights, args):
            term = exp.Mul(this=_number(w), expression=exp.Cast(this=arg.copy(), to=exp.DataType.build("DOUBLE")))
            z = exp.Add(this=z, expression=term)
        relu = exp.Greatest(this=z, expressions=[_number(0.0)])
        units.append(exp.Case(ifs=[exp.If(this=any_null.copy(), true=exp.Null())], default=relu))
    return units
