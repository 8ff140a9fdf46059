"""Model calls in the outermost SELECT list scored in one batch (engines with MODEL_BATCH: DuckDB, Polars).

`SELECT id, predict_churn(f1, f2) AS p FROM t` is the common scoring query. Instead of the
model function called per vector of rows (DuckDB) or the trees as SQL (Polars, which has no
Python functions), the engine runs the query with each model column as a NULL placeholder and
the calls' inputs as extra columns (`first`); the library scores all its rows at once
(scorer.Scorer.margins: XGBoost's own margins); the same engine then computes the model
columns over those inputs and scores (`second`, over the table `__sqlrun_scored`), and they
take their placeholders' places: same rows, order, names and types.

Only that shape is split: a SELECT without GROUP BY, HAVING, DISTINCT, QUALIFY or windows
clause, every model call in an aliased output column (not in an aggregate, a window, a
subquery or another model call, nor any of these anywhere in its column), an ORDER BY that
names no model column. Any other statement
keeps the engine's own way (split() is None).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp

from sqlrun.adapters.base import MODEL_FUNCTION_PREFIX as PREFIX

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.adapters.base import Engine

TABLE = "__sqlrun_scored"
_BARRIERS = (exp.AggFunc, exp.Window, exp.Subquery, exp.Select)


@dataclass(frozen=True)
class Split:
    first: str  # the statement: model columns NULL, the calls' inputs appended (`extra` columns)
    second: str  # the model columns over TABLE: input columns __sqlrun_c<i>, scores __sqlrun_m<j>
    calls: tuple[tuple[str, int, tuple[str, ...]], ...]  # per score j: (function, output k, input columns)
    places: tuple[int, ...]  # the output position of each of second's columns
    extra: int

    def text(self) -> str:
        """What compile shows: both statements and what the library computes between them."""
        scores = ", ".join(f"{f}({k}) AS __sqlrun_m{j}" for j, (f, k, _) in enumerate(self.calls))
        return f"{self.first}\n-- then the model's scores ({scores}) over its rows, as {TABLE}:\n{self.second}"


def _is_call(node: exp.Expression) -> bool:
    return isinstance(node, exp.Anonymous) and node.name.lower().startswith(PREFIX)


def split(sql: str, dialect: str) -> Split | None:
    """`sql` (the engine's SQL) as two statements around one batch of the library's scores."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.SqlglotError:
        return None
    if not isinstance(tree, exp.Select) or any(tree.args.get(k) for k in
                                               ("group", "having", "distinct", "qualify", "windows")):
        return None
    calls = [n for n in tree.find_all(exp.Anonymous) if _is_call(n)]
    projections = list(tree.expressions)
    owner: dict[int, exp.Expression] = {}
    for call in calls:
        node = call.parent
        while node is not None and not (node.parent is tree and node.arg_key == "expressions"):
            if isinstance(node, _BARRIERS) or _is_call(node):
                return None
            node = node.parent
        if node is None or not isinstance(node, exp.Alias):
            return None
        owner[id(call)] = node
    held = {id(p) for p in owner.values()}
    models = [(place, p) for place, p in enumerate(projections) if id(p) in held]
    if not models or any(p.find(*_BARRIERS) for _, p in models):  # all of a model column is computed again
        return None
    names = {p.alias.lower() for _, p in models}
    order = tree.args.get("order")
    if order is not None and (any(_is_call(n) for n in order.find_all(exp.Anonymous))
                              or any(c.name.lower() in names for c in order.find_all(exp.Column))
                              or any(isinstance(o.this, exp.Literal) for o in order.expressions)):
        return None
    inputs: dict[str, tuple[str, exp.Expression]] = {}  # argument or column SQL -> (its column, expression)
    scores: dict[str, tuple[str, int, tuple[str, ...]]] = {}

    def column(node: exp.Expression, prefix: str) -> str:
        key = node.sql(dialect=dialect)
        if key not in inputs:
            inputs[key] = (f"__sqlrun_{prefix}{len(inputs)}", node.copy())
        return inputs[key][0]

    seconds, places = [], []
    for place, projection in models:
        second = projection.copy()
        for call in [n for n in second.find_all(exp.Anonymous) if _is_call(n)]:
            k, *args = call.expressions
            if not isinstance(k, exp.Literal):
                return None
            key = call.sql(dialect=dialect)
            if key not in scores:
                scores[key] = (call.name.lower(), int(k.this), tuple(column(a, "x") for a in args))
            call.replace(exp.column(f"__sqlrun_m{list(scores).index(key)}"))
        for ref in list(second.find_all(exp.Column)):
            if not ref.name.startswith("__sqlrun_m"):
                ref.replace(exp.column(column(ref, "c")))
        seconds.append(second)
        places.append(place)
        projection.replace(exp.Alias(this=exp.Null(), alias=projection.args["alias"].copy()))
    for name, node in inputs.values():
        tree.append("expressions", exp.alias_(node, name))
    second_sql = exp.select(*seconds).from_(TABLE).sql(dialect=dialect)
    return Split(tree.sql(dialect=dialect), second_sql, tuple(scores.values()), tuple(places), len(inputs))


def run(engine: Engine, split_: Split, scorers: dict) -> pa.Table:
    """The statement's result: `first` on the engine, the scores, `second` on the engine."""
    import numpy as np
    import pyarrow as pa

    from sqlrun.engine.models.scorer import floats

    table = engine.to_arrow(split_.first)
    width = table.num_columns - split_.extra
    scored = {name: table[name] for name in table.column_names[width:] if name.startswith("__sqlrun_c")}
    for j, (function, k, columns) in enumerate(split_.calls):
        x = np.column_stack([floats(table[c]) for c in columns]) if table.num_rows else np.empty((0, len(columns)))
        scored[f"__sqlrun_m{j}"] = pa.array(scorers[function].margins(x)[:, k] if len(x) else [], pa.float64())
    for function in dict.fromkeys(f for f, _, _ in split_.calls):
        scorers[function].forget()
    engine.register_table(TABLE, pa.table(scored))
    computed = engine.to_arrow(split_.second)
    columns = table.columns[:width]
    for place, values in zip(split_.places, computed.columns):
        columns[place] = values
    return pa.table(columns, names=table.column_names[:width])
