"""Metrics on held-out rows, computed in SQL on any engine (Redshift ML has none).

The evaluation is a catalog query of its own, in Spark SQL, that reads the held-out query
by name (so pipeline steps run first) and calls the model's FUNCTION (inlined as SQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from sqlrun.engine.catalog import Query
from sqlrun.engine.models import names
from sqlrun.errors import CatalogError

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.api import Session


@dataclass
class Evaluation:
    model: str
    on: str
    engine: str
    problem_type: str
    metrics: dict
    curve: pa.Table | None = None  # classification: threshold, tp, fp, fn, precision, recall, fpr


def _literal(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return exp.Literal.string(str(value)).sql("spark")


def _sql_query(session: Session, name: str, sql: str, on: Query) -> Query:
    path = on.path.with_name(f"{name}.evaluate.sql")
    return Query(name=f"{name}__evaluate", path=path, dialect="spark", sql=sql)


def evaluate(session: Session, model_name: str, on: str, engine: str | None = None) -> Evaluation:
    models = session.models
    declared = models.query_for(model_name)
    spec = models.spec(declared)
    stored = models.trained(declared)
    if stored is None:
        raise CatalogError(f"model {spec.name} is not trained: run `sqlrun run {declared.name}` first")
    model = stored.model()
    held_out = session.query(on)
    engine = engine or session.project.engine
    ident = lambda n: exp.to_identifier(n).sql("spark")  # noqa: E731
    inputs = [e["name"] for e in model.get("inputs") or []] or model["features"]  # the function's arguments
    args = ", ".join(ident(f) for f in inputs)
    target = ident(model.get("target") or spec.target) if spec.target else None
    source = ident(held_out.name)
    function = names.declared(declared, spec).qualified  # this model's, whatever else has its name
    problem = model["problem_type"]
    if problem == "REGRESSION":
        sql = f"""WITH scored AS (
  SELECT CAST({target} AS DOUBLE) AS actual, CAST({function}({args}) AS DOUBLE) AS predicted
  FROM {source} WHERE {target} IS NOT NULL
), stats AS (SELECT AVG(actual) AS mean_actual FROM scored)
SELECT COUNT(*) AS rows,
  AVG((predicted - actual) * (predicted - actual)) AS mse,
  SQRT(AVG((predicted - actual) * (predicted - actual))) AS rmse,
  AVG(ABS(predicted - actual)) AS mae,
  1 - SUM((predicted - actual) * (predicted - actual))
    / NULLIF(SUM((actual - mean_actual) * (actual - mean_actual)), 0) AS r2
FROM scored CROSS JOIN stats"""
        table = session.run(_sql_query(session, spec.name, sql, held_out), engine)
        return Evaluation(spec.name, held_out.name, engine, problem, table.to_pylist()[0])
    if problem != "BINARY_CLASSIFICATION":
        raise CatalogError(f"evaluate: {problem} models are not supported yet (binary classification, regression)")
    positive = _literal(model["classes"][1])
    # The probabilities are sorted, the predicted label's first: P(positive) is it or the other.
    scored = f"""WITH raw AS (
  SELECT {target} AS actual, {function}({args}) AS predicted_label,
    CAST({function}_probabilities({args}).probabilities[0] AS DOUBLE) AS top
  FROM {source} WHERE {target} IS NOT NULL
), scored AS (
  SELECT CASE WHEN actual = {positive} THEN 1 ELSE 0 END AS label,
    CASE WHEN predicted_label = {positive} THEN top ELSE 1 - top END AS score,
    CASE WHEN predicted_label = {positive} THEN 1 ELSE 0 END AS predicted
  FROM raw
), by_score AS (
  SELECT score, SUM(label) AS pos, SUM(1 - label) AS neg FROM scored GROUP BY score
), cumulative AS (
  SELECT score, pos, neg,
    SUM(pos) OVER (ORDER BY score DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS tp,
    SUM(neg) OVER (ORDER BY score DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS fp
  FROM by_score
), totals AS (
  SELECT SUM(label) AS p, SUM(1 - label) AS n FROM scored
)"""
    metrics_sql = scored + """, counts AS (
  SELECT COUNT(*) AS rows,
    SUM(CASE WHEN predicted = 1 AND label = 1 THEN 1 ELSE 0 END) AS tp,
    SUM(CASE WHEN predicted = 1 AND label = 0 THEN 1 ELSE 0 END) AS fp,
    SUM(CASE WHEN predicted = 0 AND label = 1 THEN 1 ELSE 0 END) AS fn,
    SUM(CASE WHEN predicted = 0 AND label = 0 THEN 1 ELSE 0 END) AS tn
  FROM scored
), auc AS (
  -- Mann-Whitney: each negative counts the positives scored above it, ties as one half.
  SELECT SUM(c.neg * (CAST(c.tp - c.pos AS DOUBLE) + 0.5 * c.pos)) / NULLIF(CAST(t.p AS DOUBLE) * t.n, 0) AS auc
  FROM cumulative AS c CROSS JOIN totals AS t GROUP BY t.p, t.n
)
SELECT k.rows, k.tp, k.fp, k.fn, k.tn,
  CAST(k.tp + k.tn AS DOUBLE) / NULLIF(k.rows, 0) AS accuracy,
  CAST(k.tp AS DOUBLE) / NULLIF(k.tp + k.fp, 0) AS precision,
  CAST(k.tp AS DOUBLE) / NULLIF(k.tp + k.fn, 0) AS recall,
  CAST(2 * k.tp AS DOUBLE) / NULLIF(2 * k.tp + k.fp + k.fn, 0) AS f1,
  a.auc
FROM counts AS k CROSS JOIN auc AS a"""
    curve_sql = scored + """
SELECT c.score AS threshold, c.tp, c.fp, t.p - c.tp AS fn,
  CAST(c.tp AS DOUBLE) / NULLIF(c.tp + c.fp, 0) AS precision,
  CAST(c.tp AS DOUBLE) / NULLIF(t.p, 0) AS recall,
  CAST(c.fp AS DOUBLE) / NULLIF(t.n, 0) AS fpr
FROM cumulative AS c CROSS JOIN totals AS t
ORDER BY threshold DESC"""
    metrics = session.run(_sql_query(session, spec.name, metrics_sql, held_out), engine).to_pylist()[0]
    curve = session.run(_sql_query(session, spec.name, curve_sql, held_out), engine)
    return Evaluation(spec.name, held_out.name, engine, problem, metrics, curve)
