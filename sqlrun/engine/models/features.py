"""The function's arguments as the numeric features a compiled model takes, in training and in SQL.

Redshift's AUTO ON encodes CHAR/VARCHAR, DATE and TIMESTAMP features itself; locally they are
encoded here, once when training (the matrix the library fits) and once as SQL (the expressions
to_sql's compiled model reads), from the same stored encoders, so every engine scores as trained:

    number     passed through; PREPROCESSORS StandardScaler / MinMax scale it: (x - shift) / scale
    category   one-hot: one 0/1 feature per value (the MAX_CATEGORIES most frequent; others all 0)
    date       year, month, day (and hour, minute for a timestamp) as numbers

NULL stays missing (NaN in training, NULL in SQL) in every feature an argument becomes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sqlglot import exp

from sqlrun.engine.models.rules import preprocessors
from sqlrun.errors import CatalogError

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from sqlrun.engine.models.spec import ModelSpec

MAX_CATEGORIES = 50
DATE_PARTS = ("year", "month", "day")
TIME_PARTS = ("hour", "minute")  # not second: Spark's EXTRACT(SECOND ...) keeps the fraction
AUTO_OFF_TYPES = ("For AUTO OFF, the column types that you can use as the training set are SMALLINT, INTEGER,"
                  " BIGINT, DECIMAL, REAL, DOUBLE, and BOOLEAN.")  # CREATE MODEL usage notes


def _kind(column_type) -> str:
    import pyarrow as pa

    if pa.types.is_boolean(column_type) or pa.types.is_integer(column_type) or pa.types.is_floating(column_type) \
            or pa.types.is_decimal(column_type):
        return "number"
    if pa.types.is_string(column_type) or pa.types.is_large_string(column_type) or pa.types.is_string_view(column_type):
        return "category"
    if pa.types.is_date(column_type):
        return "date"
    if pa.types.is_timestamp(column_type):
        return "timestamp"
    raise CatalogError(f"a feature of type {column_type} cannot be encoded locally")


def _scalers(spec: ModelSpec, names: list[str]) -> dict[str, str]:
    """Column -> StandardScaler | MinMax, from PREPROCESSORS (ColumnSet "*" is every column)."""
    found: dict[str, str] = {}
    for entry in preprocessors(spec) or []:
        scaler = next((t for t in entry["Transformers"] if t in ("StandardScaler", "MinMax")), None)
        if scaler:
            columns = names if "*" in entry["ColumnSet"] else [str(c).lower() for c in entry["ColumnSet"]]
            found.update({n: scaler for n in names if n.lower() in columns})
    return found


def fit(spec: ModelSpec, table: pa.Table, names: list[str]) -> list[dict]:
    """One encoder per argument, fitted on the training rows."""
    import numpy as np
    import pyarrow.compute as pc

    scalers = _scalers(spec, names)
    encoders = []
    for name in names:
        kind = _kind(table[name].type)
        if kind != "number" and not spec.auto:
            raise CatalogError(f"feature '{name}' is {table[name].type}: {AUTO_OFF_TYPES}"
                               " Encode it in the training query (e.g. CASE WHEN ... THEN 1 ELSE 0 END)")
        encoder: dict = {"name": name, "kind": kind}
        if kind == "category":
            counts = pc.value_counts(table[name].drop_null()).to_pylist()
            counts.sort(key=lambda c: (-c["counts"], c["values"]))
            encoder["values"] = [c["values"] for c in counts[:MAX_CATEGORIES]]
        elif kind == "number" and name in scalers:
            x = _numbers(table[name])
            x = x[~np.isnan(x)]
            if scalers[name] == "StandardScaler":
                shift, scale = (float(x.mean()), float(x.std())) if len(x) else (0.0, 1.0)
            else:
                shift, scale = (float(x.min()), float(x.max() - x.min())) if len(x) else (0.0, 1.0)
            encoder.update(shift=shift, scale=scale if scale > 0 else 1.0)
        encoders.append(encoder)
    return encoders


def feature_names(encoders: list[dict]) -> list[str]:
    names = []
    for e in encoders:
        if e["kind"] == "category":
            names += [f"{e['name']}#{i}" for i in range(len(e["values"]))]
        elif e["kind"] in ("date", "timestamp"):
            names += [f"{e['name']}#{p}" for p in _parts(e)]
        else:
            names.append(e["name"])
    return names


def _parts(encoder: dict) -> tuple[str, ...]:
    return DATE_PARTS + (TIME_PARTS if encoder["kind"] == "timestamp" else ())


def _numbers(column) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_boolean(column.type):
        column = pc.cast(column, pa.int8())
    return pc.fill_null(pc.cast(column, pa.float64()), math.nan).to_numpy(zero_copy_only=False)


def matrix(encoders: list[dict], table: pa.Table) -> np.ndarray:
    """The training matrix: one float64 column per feature, NULL as NaN."""
    import numpy as np
    import pyarrow.compute as pc

    columns = []
    for e in encoders:
        column = table[e["name"]]
        if e["kind"] == "number":
            x = _numbers(column)
            columns.append((x - e["shift"]) / e["scale"] if "shift" in e else x)
        elif e["kind"] == "category":
            values = np.array(column.to_pylist(), dtype=object)
            missing = np.array([v is None for v in values])
            for value in e["values"]:
                columns.append(np.where(missing, np.nan, (values == value).astype(np.float64)))
        else:
            columns += [_numbers(getattr(pc, part)(column)) for part in _parts(e)]
    return np.column_stack(columns) if columns else np.empty((table.num_rows, 0))


def _number(value: float) -> exp.Expression:
    literal = exp.Literal.number(repr(abs(float(value))))
    return exp.Neg(this=literal) if value < 0 else literal


def sql(encoders: list[dict], args: list[exp.Expression]) -> list[exp.Expression]:
    """The features as SQL over the function's arguments, in the order the model reads them."""
    out: list[exp.Expression] = []
    for e, arg in zip(encoders, args):
        if e["kind"] == "number":
            if "shift" not in e:
                out.append(arg)
                continue
            x = exp.Cast(this=arg.copy(), to=exp.DataType.build("DOUBLE"))
            centred = exp.Paren(this=exp.Sub(this=x, expression=_number(e["shift"])))
            out.append(exp.Paren(this=exp.Div(this=centred, expression=_number(e["scale"]))))
        elif e["kind"] == "category":
            for value in e["values"]:  # 1.0 / 0.0, NULL for NULL
                same = exp.EQ(this=arg.copy(), expression=exp.Literal.string(str(value)))
                out.append(exp.Cast(this=exp.Paren(this=same), to=exp.DataType.build("DOUBLE")))
        else:
            out += [exp.Extract(this=exp.Var(this=part.upper()), expression=arg.copy()) for part in _parts(e)]
    return out
