"""A tree model scored inside the engine by the library itself, as Redshift ML's own predict
function runs inside the database: the compiled SQL calls `sqlrun_model_<n>(k, x0, ..., xm)`,
the raw score (margin) of output k over the encoded features, and the run registers that
function on the engine's connection (a vectorized Arrow UDF: adapters' add_model_function).

The function returns XGBoost's own margins (inplace_predict; NULL is XGBoost's missing value,
NaN): float32 sums, widened to double. The trees as SQL sum the same float32 leaves in the same
order (trees_sql.py), so every engine gives the same margins bit for bit (parity), and
booster.predict's. The SQL around it
(link function, class labels, probabilities) is the same as for the SQL encoding. Its name is a
digest of the stored version's directory: a retrained model is a new function, never a stale one.
It is side-effect free and deterministic: for a multiclass model the engine calls it once per
class on the same rows, and a thread's last rows' margins are reused. Model columns of the
outermost SELECT are scored in one batch instead (outer_scores.py).
"""

from __future__ import annotations

import json
import re
import threading
from typing import TYPE_CHECKING

from sqlrun.adapters.base import MODEL_FUNCTION_PREFIX as PREFIX
from sqlrun.digest import digest

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from sqlrun.engine.models.store import StoredModel

_NAME = re.compile(PREFIX + r"\d+")
_SCORERS: dict[str, Scorer] = {}


class Scorer:
    """The stored model's booster (loaded on first use), scoring batches of rows."""

    def __init__(self, stored: StoredModel | None, artifact: bytes | None = None):
        self.stored, self._artifact = stored, artifact
        self._booster = None
        self._lock = threading.Lock()
        self._last = threading.local()

    def __getstate__(self) -> dict:  # to Spark's Python workers: the booster's bytes
        return {"artifact": self._artifact or self.stored.artifact()[1]}

    def __setstate__(self, state: dict) -> None:
        self.__init__(None, state["artifact"])

    def booster(self):
        with self._lock:
            if self._booster is None:
                import xgboost as xgb

                booster = xgb.Booster()
                booster.load_model(bytearray(self._artifact or self.stored.artifact()[1]))
                param = json.loads(booster.save_config())["learner"]["learner_model_param"]
                self._groups = max(1, int(param.get("num_class", "0")))
                self._booster = booster
            return self._booster

    @property
    def width(self) -> int:
        """The number of features (the function's arguments after the output's number)."""
        return self.booster().num_features()

    def margins(self, x: np.ndarray) -> np.ndarray:
        """Raw scores, one column per output, for the rows of `x` (NaN: missing): XGBoost's own
        float32 margins (its walk and sums, as the SQL encoding sums), widened to double."""
        import numpy as np

        last = getattr(self._last, "rows", None)
        if last is not None and last.shape == x.shape and np.array_equal(last, x, equal_nan=True):
            return self._last.margins
        booster = self.booster()
        if len(x) == 0:
            return np.empty((0, self._groups))
        out = booster.inplace_predict(x, predict_type="margin", missing=np.nan).reshape(len(x), -1).astype(np.float64)
        self._last.rows, self._last.margins = x, out
        return out

    def forget(self) -> None:
        """Drop this thread's last rows (a batch's: its statement is done)."""
        self._last.rows = self._last.margins = None

    def arrow(self, output: pa.Array, *features: pa.Array) -> pa.Array:
        """The engine's call: output k (all rows ask for the same) over the feature columns."""
        import numpy as np
        import pyarrow as pa

        if len(output) == 0:
            return pa.array([], pa.float64())
        x = np.column_stack([floats(column) for column in features])
        k = int(floats(output)[0])
        return pa.array(self.margins(x)[:, k])


def floats(column) -> np.ndarray:
    """A column of DOUBLE (Arrow array or pandas series) as float64, NULL as NaN."""
    import numpy as np

    if hasattr(column, "to_numpy") and not hasattr(column, "iloc"):  # Arrow
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
    return column.to_numpy(dtype=np.float64, na_value=np.nan)


def function_name(stored: StoredModel) -> str:
    """The engine function scoring this stored version (kept for the run to register)."""
    name = PREFIX + str(int(digest({"version": str(stored.path)})[:15], 16))
    if name not in _SCORERS:
        _SCORERS[name] = Scorer(stored)
    return name


def scorable(stored: StoredModel) -> bool:
    """A tree ensemble with its booster: scored by the library."""
    return stored.meta.get("artifact") == "booster.json"


def used(sql: str) -> dict[str, Scorer]:
    """The model functions `sql` calls, by name (each known: compiled in this process)."""
    return {name: _SCORERS[name] for name in dict.fromkeys(_NAME.findall(sql)) if name in _SCORERS}
