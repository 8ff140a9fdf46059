"""The hyperparameters HYPERPARAMETERS DEFAULT EXCEPT (...) may set, per model type, and the values
each takes (SageMaker's ranges for the algorithm Redshift trains), so a bad value fails at compile
time instead of after the training query has run."""

from __future__ import annotations

import math


def _number(kind: type, low: float | None = None, high: float | None = None, low_open: bool = False,
            words: tuple[str, ...] = ()):
    """A check of one value: an int or float within [low, high] ((low, high] when low_open), or a word."""

    def check(text: str) -> str | None:
        if text.lower() in words:
            return None
        try:
            value = kind(text)
        except ValueError:
            return f"an {'integer' if kind is int else 'number'}" + (f" or {' / '.join(words)}" if words else "")
        if isinstance(value, float) and not math.isfinite(value):
            return "a finite number"
        if (low is not None and (value < low or (low_open and value == low))) or (high is not None and value > high):
            upper = high if high is not None else "inf"
            bounds = f"{'(' if low_open else '['}{low if low is not None else '-inf'}, {upper}]"
            return f"{'an integer' if kind is int else 'a number'} in {bounds}"
        return None

    return check


def _word(*allowed: str):
    def check(text: str) -> str | None:
        return None if text.lower() in allowed else f"one of {', '.join(allowed)}"

    return check


_COUNT = _number(int, 1)
_SEED = _number(int, 0, 2**31 - 1)
_NON_NEGATIVE = _number(float, 0)
_FRACTION = _number(float, 0, 1, low_open=True)

VALUES = {
    "XGBOOST": {
        "NUM_ROUND": _COUNT, "MAX_DEPTH": _number(int, 0, 64), "ETA": _number(float, 0, 1),
        "GAMMA": _NON_NEGATIVE, "MIN_CHILD_WEIGHT": _NON_NEGATIVE, "SUBSAMPLE": _FRACTION,
        "COLSAMPLE_BYTREE": _FRACTION, "COLSAMPLE_BYLEVEL": _FRACTION, "COLSAMPLE_BYNODE": _FRACTION,
        "LAMBDA": _NON_NEGATIVE, "ALPHA": _NON_NEGATIVE, "MAX_DELTA_STEP": _NON_NEGATIVE,
        "SCALE_POS_WEIGHT": _number(float, 0, low_open=True), "NUM_CLASS": _number(int, 2),
        "TREE_METHOD": _word("auto", "exact", "approx", "hist"), "MAX_BIN": _number(int, 2), "SEED": _SEED,
    },
    "LINEAR_LEARNER": {
        "EPOCHS": _COUNT, "L1": _number(float, 0, words=("auto",)), "WD": _number(float, 0, words=("auto",)),
        "LEARNING_RATE": _number(float, 0, low_open=True, words=("auto",)), "MINI_BATCH_SIZE": _COUNT,
        "NORMALIZE_DATA": _word("true", "false"),
    },
    "KMEANS": {
        "K": _number(int, 2, 1000), "INIT_METHOD": _word("random", "kmeans++"), "MAX_ITERATIONS": _COUNT,
        "EPOCHS": _COUNT, "MINI_BATCH_SIZE": _COUNT, "TOL": _number(float, 0, 1), "SEED": _SEED,
    },
    # MLP trains only on Redshift: its values are Redshift's to check.
    "MLP": {key: None for key in ("HIDDEN_LAYER_SIZES", "EPOCHS", "LEARNING_RATE", "BATCH_SIZE", "SEED")},
}
HYPERPARAMETERS = {model_type: set(keys) for model_type, keys in VALUES.items()}


def problems(model_type: str, pairs: tuple[tuple[str, str], ...]) -> list[str]:
    """What is wrong with each hyperparameter's value, as 'KEY 'value': want ...' lines."""
    found = []
    for key, value in pairs:
        check = VALUES.get(model_type, {}).get(key)
        wanted = check(value.strip()) if check else None
        if wanted:
            found.append(f"{key} '{value}' must be {wanted}")
    return found
