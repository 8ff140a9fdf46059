"""Spark source, Polars engine: Spark's CAST(... AS TIMESTAMP) is a UTC datetime on Polars, a
timestamp column read from parquet a naive one, and Polars compares neither with the other."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, annotate

_MOMENTS = (exp.DType.TIMESTAMP, exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ, exp.DType.DATETIME)
_AWARE = (exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ)  # Spark's TIMESTAMP, sent as TIMESTAMPTZ
_CASTS = (exp.Cast, exp.TryCast)


def _aware(node: exp.Expression) -> bool:
    return any(c.to.is_type(*_AWARE) for c in node.find_all(*_CASTS))


def _naive(node: exp.Expression) -> bool:
    """A timestamp column not under a CAST to Spark's TIMESTAMP (within node)."""
    for column in node.find_all(exp.Column):
        if column.type is None or not column.type.is_type(*_MOMENTS):
            continue
        up = column
        while up is not node.parent and not (isinstance(up, _CASTS) and up.to.is_type(*_AWARE)):
            up = up.parent
        if up is node.parent:
            return True
    return False


def _sides(node: exp.Expression) -> tuple[list, list]:
    if isinstance(node, exp.Between):
        return [node.this], [node.args.get("low"), node.args.get("high")]
    if isinstance(node, exp.In):
        return [node.this], list(node.expressions)
    return [node.this], [node.expression]


def polars_naive_and_utc(tree, ctx):
    kinds = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.NullSafeEQ, exp.Between, exp.In, exp.Nullif)
    if not any(c.to.is_type(*_AWARE) for c in tree.find_all(*_CASTS)):
        return tree
    annotate(tree, ctx)
    for node in list(tree.find_all(*kinds)):
        left, right = _sides(node)
        left, right = [x for x in left if x is not None], [x for x in right if x is not None]
        if (any(map(_naive, left)) and any(map(_aware, right))) or (any(map(_aware, left)) and any(map(_naive, right))):
            raise Refused(node, "Spark's CAST(... AS TIMESTAMP) is a UTC datetime on Polars and a timestamp"
                                " column a naive one: Polars compares neither with the other")
    return tree
