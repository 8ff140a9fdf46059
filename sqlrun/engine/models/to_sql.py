"""A trained model as one SQL expression over the function's arguments, as text.

Trees are nested CASE expressions summed with the base margin (trees_sql.py), or on engines
with model functions calls of the library inside the engine (scorer.py), linear models
plain arithmetic, k-means the nearest centroid. The text is built directly (a 200-tree model
is megabytes of SQL: building it as a syntax tree and generating it took seconds), from a
small vocabulary every engine reads alike: CASE, CAST(... AS DOUBLE or REAL), comparisons, + - * /,
EXP, GREATEST, AND/OR, IS NULL, numbers with an exponent (DOUBLE everywhere) and the engine's
array lookup (and DuckDB's list_position / list_max for a multiclass argmax). Argument i is the
placeholder `arg(i)`, class label i `label(i)`:
`compiled_call` puts the labels in (as the engine spells them), and compile.generate
CAST(<argument> AS DOUBLE) for each argument.

`ENCODING` names this module's output: a change of the SQL it writes changes it, and the
cache of compiled models (sql_cache.py) rebuilds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from sqlrun.engine.compile import RAW_DEPTH, RAW_LABELS, RAW_SQL
from sqlrun.engine.compile import raw_label as label
from sqlrun.engine.models.trees_sql import Layout, arg, margins, number, total

ENCODING = "trees-6"
MAX_NODES = 400_000  # about 12 MB of SQL; beyond this engines' parsers take too long: retrain smaller


@dataclass(frozen=True)
class Template:
    """A compiled model: SQL texts with argument and label placeholders (one for "predict", one per
    output for "margins"), their deepest nesting, and what a call needs besides (`summary`)."""

    sqls: tuple[str, ...]
    depth: int
    labels: tuple = ()  # class labels, as the model stores them
    info: dict = field(default_factory=dict)


def summary(model: dict) -> dict:
    """What a call of the model needs besides its SQL: the arguments it takes and how they are
    encoded (features.py, mlp.py), and what `<function>_probabilities` checks (probabilities.py)."""
    keys = ("kind", "problem_type", "objective", "features", "inputs", "hidden", "classes")
    info = {k: model.get(k) for k in keys}
    info["nodes"] = (sum(len(t["left"]) for t in model["trees"]) if model["kind"] == "trees"
                     else sum(len(row) + 1 for row in model.get("coef", [])))
    return info


def compile_model(model: dict, kind: str, layout: Layout) -> Template:
    """What the FUNCTION returns ("predict"), or the raw score per output ("margins", what
    `<function>_probabilities` reads), for an engine that runs trees best as `layout` says
    (trees_sql.py). Raises ValueError for what cannot be."""
    if model["kind"] == "trees":
        nodes = sum(len(t["left"]) for t in model["trees"])
        if nodes > MAX_NODES:
            raise ValueError(f"{nodes} tree nodes (limit {MAX_NODES}): lower NUM_ROUND or MAX_DEPTH")
    if kind == "margins":
        if model["kind"] == "kmeans" or model["problem_type"] == "REGRESSION":
            raise ValueError("only classification models have probabilities")
        if model.get("objective") == "binary:hinge":
            raise ValueError("OBJECTIVE 'binary:hinge' gives no probabilities")
        sqls = tuple(_margins(model, layout))
    else:
        sqls = (_predict(model, layout),)
    labels = tuple(model.get("classes") or ()) if kind == "predict" and model["kind"] != "kmeans" else ()
    return Template(sqls, max(nesting(sql) for sql in sqls), labels, summary(model))


def nesting(sql: str) -> int:
    """The deepest nesting of parentheses, brackets and CASE ... END in the text (deep.nesting's
    count, brackets too; with numpy, as models are megabytes)."""
    import numpy as np  # here: compiling a query that calls no model imports no numpy

    text = sql.replace("CASE", "(").replace("END", ")").encode()
    codes = np.frombuffer(text, dtype=np.uint8)
    steps = np.isin(codes, (40, 91)).astype(np.int32) - np.isin(codes, (41, 93)).astype(np.int32)
    return int(np.cumsum(steps).max(initial=0))


def _raw_call(sql: str, depth: int, args: list[exp.Expression], labels: list[str] | None = None) -> exp.Expression:
    doubles = [exp.Cast(this=a.copy(), to=exp.DataType.build("DOUBLE")) for a in args]
    call = exp.Anonymous(this="SQLRUN_MODEL", expressions=doubles)
    call.meta.update({RAW_SQL: sql, RAW_DEPTH: depth, RAW_LABELS: labels or []})
    return call


def compiled_call(template: Template, args: list[exp.Expression], dialect: str) -> exp.Expression:
    """The call as compile.generate renders it: the template over `args`, with its labels (as
    the engine spells them; extra classes training never saw are numbers)."""
    labels = [_label(value).sql(dialect=dialect) for value in template.labels]
    return _raw_call(template.sqls[0], template.depth, args, labels)


def compiled_margins(template: Template, args: list[exp.Expression]) -> list[exp.Expression]:
    """A "margins" template's raw scores over `args`, as compile.generate renders them."""
    return [exp.Paren(this=_raw_call(sql, template.depth, args)) for sql in template.sqls]


def _label(value) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value) if value >= 0 else exp.Neg(this=exp.Literal.number(-value))
    return exp.Literal.string(str(value))


def _margins(model: dict, layout: Layout) -> list[str]:
    """One raw score per output (class), before the link function."""
    if model["kind"] == "trees":
        return margins(model, layout)
    if model["kind"] == "linear":
        return [total([number(b)] + [f"{number(w)} * {arg(i)}" for i, w in enumerate(row)], layout.sums)
                for row, b in zip(model["coef"], model["intercept"])]
    raise ValueError(f"no margins for a {model['kind']} model")


def _predict(model: dict, layout: Layout) -> str:
    """The class label, the predicted value, or the cluster id."""
    if model["kind"] == "trees":
        return _output(model, layout)
    # Linear models and k-means have no missing-value branch: a NULL feature gives NULL.
    width = len(model["centroids"][0]) if model["kind"] == "kmeans" else len(model["coef"][0])
    nulls = " OR ".join(f"{arg(i)} IS NULL" for i in range(width))
    return f"CASE WHEN {nulls} THEN NULL ELSE {_output(model, layout)} END"


def _output(model: dict, layout: Layout) -> str:
    if model["kind"] == "kmeans":
        distances = [total([f"({arg(i)} - {number(c)}) * ({arg(i)} - {number(c)})"
                            for i, c in enumerate(centroid)], layout.sums) for centroid in model["centroids"]]
        return _argbest(distances, [str(k) for k in range(len(distances))], "<=")
    scores = _margins(model, layout)
    objective = model.get("objective", "")
    if model["problem_type"] == "REGRESSION":
        if objective == "reg:logistic":
            return _sigmoid(scores[0])
        if objective == "reg:tweedie":
            return f"EXP({scores[0]})"
        return scores[0]
    labels = [label(i) for i in range(len(model["classes"]))]
    if len(scores) == 1:
        return f"CASE WHEN ({scores[0]}) > 0.0e0 THEN {labels[1]} ELSE {labels[0]} END"
    labels += [str(k) for k in range(len(labels), len(scores))]  # classes training never saw
    if layout.dialect in ARGMAX:
        return ARGMAX[layout.dialect].format(labels=", ".join(labels), scores=", ".join(scores))
    return _argbest(scores, labels, ">=")


# The first best class with its scores written twice, not K(K-1) times as _argbest does (DuckDB
# plans a 6-class model's K(K-1) copies in minutes).
ARGMAX = {"duckdb": "[{labels}][list_position([{scores}], list_max([{scores}]))]"}


def _sigmoid(margin: str) -> str:
    return f"1.0e0 / (1.0e0 + EXP(-({margin})))"


def _argbest(scores: list[str], labels: list[str], op: str) -> str:
    """The label of the first best score (numpy's argmax/argmin tie rule)."""
    whens = []
    for i in range(len(scores) - 1):
        cond = " AND ".join(f"({scores[i]}) {op} ({scores[j]})" for j in range(i + 1, len(scores)))
        whens.append(f"WHEN {cond} THEN {labels[i]}")
    return f"CASE {' '.join(whens)} ELSE {labels[-1]} END"
